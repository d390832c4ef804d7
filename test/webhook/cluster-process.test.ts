/**
 * The built webhook (webhook/bin/acid-guard-webhook.js) started as a user starts it, with `--cluster`
 * against the fake API server: not ready before the operator's configuration can be read, then
 * judging with it, and following a change of it into the next admission request.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDevCertificate } from '../../webhook/src/dev-certificate.js';
import {
  OPERATOR_NAMESPACE,
  operatorConfigMap,
  operatorDeployment,
  postgresql,
} from '../cluster/fixtures.js';
import { FakeApiServer, writeKubeconfig } from '../support/fake-api-server.js';
import { ROOT, review, send } from './harness.js';

const BIN = join(ROOT, 'webhook/bin/acid-guard-webhook.js');

let fake: FakeApiServer;
let folder: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  fake = await FakeApiServer.start();
  folder = mkdtempSync(join(tmpdir(), 'acid-guard-cluster-process-'));
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await fake.close();
  rmSync(folder, { recursive: true, force: true });
});

describe('the built webhook with --cluster', () => {
  it('is unready until the operator’s ConfigMap exists, then follows its changes', async () => {
    expect(existsSync(BIN), 'build first: npm run build').toBe(true);
    const kubeconfig = writeKubeconfig(folder, fake);
    const { cert: ca, key } = createDevCertificate();
    writeFileSync(join(folder, 'tls.crt'), ca);
    writeFileSync(join(folder, 'tls.key'), key);
    child = spawn(
      process.execPath,
      [
        BIN,
        '--host',
        '127.0.0.1',
        '--port',
        '0',
        '--tls-cert',
        join(folder, 'tls.crt'),
        '--tls-key',
        join(folder, 'tls.key'),
        '--cluster',
        '--kubeconfig',
        kubeconfig,
        '--operator-namespace',
        OPERATOR_NAMESPACE,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk));
    // It listens (for /healthz and /readyz) before the policy is read: the port is in that log line.
    const port = await vi.waitFor(
      () => {
        const match = /listening at https:\/\/127\.0\.0\.1:(\d+)/.exec(stdout);
        if (!match) throw new Error(`not listening yet:\n${stdout}\n${stderr}`);
        return Number(match[1]);
      },
      { timeout: 15_000, interval: 50 },
    );
    expect((await send('http1', port, '/readyz', { ca })).status).toBe(503);
    expect(stdout).toContain('reading the policy from the cluster');

    fake.apply('deployments', operatorDeployment({ CONFIG_MAP_NAME: 'postgres-operator' }));
    fake.apply('configmaps', operatorConfigMap({ watched_namespace: '*', max_instances: '3' }));
    await vi.waitFor(async () => expect((await send('http1', port, '/readyz', { ca })).status).toBe(200), {
      timeout: 10_000,
      interval: 50,
    });
    const big = JSON.stringify(review({ object: postgresql('apps', 'acid-big', { numberOfInstances: 5 }) }));
    const warnings = async () =>
      (
        (await send('http1', port, '/validate', { ca, body: big })).json<{
          response: { warnings?: string[] };
        }>().response.warnings ?? []
      ).join('\n');
    expect(await warnings()).toMatch(/max: 3/);

    fake.apply('configmaps', operatorConfigMap({ watched_namespace: '*', max_instances: '-1' }));
    await vi.waitFor(async () => expect(await warnings()).not.toMatch(/max: 3/), {
      timeout: 10_000,
      interval: 50,
    });
  });
});
