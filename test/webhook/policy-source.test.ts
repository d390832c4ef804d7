import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIGMAP_DEFAULTS, DefaultsPolicyError, PolicyError, TeamDirectory } from '@acid-guard/validator';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FilePolicySource, loadPolicyFiles, type ReloadEvent } from '../../webhook/src/policy-source.js';
import { minimalManifest, review, startServer } from './harness.js';

const CONFIGMAP = (dateKey: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: postgres-operator
  namespace: postgres-operator
data:
  delete_annotation_date_key: "${dateKey}"
`;

const DEFAULTS = `apiVersion: acid-guard/v1
kind: DefaultsPolicy
spec:
  defaults:
    enableLogicalBackup: true
`;

const TEAMS = `teams:
  acid: [alice, bob]
`;

let folder: string;
afterEach(() => rmSync(folder, { recursive: true, force: true }));

function files(contents: Record<string, string>): Record<string, string> {
  folder = mkdtempSync(join(tmpdir(), 'acid-guard-policy-'));
  return Object.fromEntries(
    Object.entries(contents).map(([name, text]) => {
      const path = join(folder, name);
      writeFileSync(path, text);
      return [name, path];
    }),
  );
}

describe('loadPolicyFiles: one consistent snapshot', () => {
  it('is the operator’s built-in defaults without files', async () => {
    folder = mkdtempSync(join(tmpdir(), 'acid-guard-policy-'));
    const snapshot = await loadPolicyFiles({}, new Date('2026-11-26T00:00:00Z'));
    expect(snapshot.policy).toBe(CONFIGMAP_DEFAULTS);
    expect(snapshot.defaults).toBeUndefined();
    expect(snapshot.teams).toBeUndefined();
    expect(snapshot.sources).toEqual(['built-in operator defaults (v2.0.1, ConfigMap path)']);
    expect(snapshot.loadedAt.toISOString()).toBe('2026-11-26T00:00:00.000Z');
  });

  it('reads the operator configuration, the defaults policy and the teams', async () => {
    const paths = files({
      'operator.yaml': CONFIGMAP('delete-date'),
      'defaults.yaml': DEFAULTS,
      'teams.yaml': TEAMS,
    });
    const snapshot = await loadPolicyFiles({
      operatorConfig: paths['operator.yaml'],
      defaults: paths['defaults.yaml'],
      teams: [paths['teams.yaml'] as string],
    });
    expect(snapshot.policy.deleteAnnotationDateKey).toBe('delete-date');
    expect(snapshot.policy.operatorNamespace).toBe('postgres-operator');
    expect(snapshot.defaults?.defaults).toEqual({ enableLogicalBackup: true });
    expect(snapshot.teams).toBeInstanceOf(TeamDirectory);
    expect(snapshot.sources).toEqual([paths['operator.yaml'], paths['defaults.yaml'], paths['teams.yaml']]);
  });

  it('fails with the loaders’ errors', async () => {
    const paths = files({ 'operator.yaml': 'kind: Secret\n', 'defaults.yaml': 'kind: DefaultsPolicy\n' });
    await expect(loadPolicyFiles({ operatorConfig: paths['operator.yaml'] })).rejects.toBeInstanceOf(
      PolicyError,
    );
    await expect(loadPolicyFiles({ defaults: paths['defaults.yaml'] })).rejects.toBeInstanceOf(
      DefaultsPolicyError,
    );
    await expect(loadPolicyFiles({ operatorConfig: join(folder, 'missing.yaml') })).rejects.toThrow(/ENOENT/);
  });
});

describe('FilePolicySource', () => {
  it('reloads when a file changes, and keeps the snapshot in use when the new one is broken', async () => {
    const paths = files({ 'operator.yaml': CONFIGMAP('delete-date') });
    const source = new FilePolicySource(
      { operatorConfig: paths['operator.yaml'] },
      { debounceMs: 20, pollMs: 100 },
    );
    const events: ReloadEvent[] = [];
    source.onReload((event) => events.push(event));
    const first = await source.start();
    try {
      writeFileSync(paths['operator.yaml'] as string, CONFIGMAP('delete-on'));
      await vi.waitFor(() => expect(events.length).toBeGreaterThanOrEqual(1), {
        timeout: 3000,
        interval: 20,
      });
      expect(source.current()?.policy.deleteAnnotationDateKey).toBe('delete-on');
      expect(source.current()).not.toBe(first);

      const good = source.current();
      writeFileSync(paths['operator.yaml'] as string, 'data: [broken');
      await vi.waitFor(() => expect(events.some((e) => 'error' in e)).toBe(true), {
        timeout: 3000,
        interval: 20,
      });
      expect(source.current()).toBe(good);
    } finally {
      await source.close();
    }
  });

  it('a reload takes effect in the webhook: the next review uses the new policy', async () => {
    const paths = files({ 'operator.yaml': 'apiVersion: v1\nkind: ConfigMap\ndata: {}\n' });
    const source = new FilePolicySource({ operatorConfig: paths['operator.yaml'] }, { watch: false });
    const server = await startServer({ policySource: source });
    try {
      const remove = review({ operation: 'DELETE', oldObject: minimalManifest() });
      const before = (await server.post('http2', '/validate', remove)).json<{
        response: { allowed: boolean };
      }>();
      expect(before.response.allowed).toBe(true);
      writeFileSync(paths['operator.yaml'] as string, CONFIGMAP('delete-date'));
      await source.reload();
      const after = (await server.post('http2', '/validate', remove)).json<{
        response: { allowed: boolean };
      }>();
      expect(after.response.allowed).toBe(false);
      const metrics = await server.metrics.text();
      expect(metrics).toMatch(/acid_guard_webhook_policy_reloads_total\{result="success"\} 1/);
      expect(server.logs.lines.some((l) => l.msg === 'policy reloaded')).toBe(true);
    } finally {
      await server.close();
    }
  });
});
