/**
 * With `--cluster` the webhook judges with the postgresql CRD the cluster really runs: informers on
 * `customresourcedefinitions/postgresqls.acid.zalan.do` of the fake API server, a real HTTPS webhook,
 * real admission reviews. The CRD never blocks admission: without it (missing, forbidden, unusable)
 * the built-in schema or the last good CRD is used, and the log and the metrics say so.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Webhook } from '../../webhook/src/app.js';
import { POSTGRESQL_CRD } from '../../webhook/src/cluster/live-schema.js';
import {
  crdWithCelRule,
  customCrd,
  OPERATOR_NAMESPACE,
  operatorConfigMap,
  operatorDeployment,
  postgresql,
  REFERENCE_CRDS_PRESENT,
  referenceCrd,
} from '../cluster/fixtures.js';
import { eventually, FakeApiServer, writeKubeconfig } from '../support/fake-api-server.js';
import { startClusterWebhook } from './cluster-webhook.js';

if (!REFERENCE_CRDS_PRESENT) {
  console.warn(
    'cluster CRD schema: the operator CRDs in ../shared/reference are missing; those suites are skipped',
  );
}

let fake: FakeApiServer;
let folder: string;
let kubeconfig: string;
const running: Webhook[] = [];

beforeAll(async () => {
  fake = await FakeApiServer.start();
  folder = mkdtempSync(join(tmpdir(), 'acid-guard-cluster-crd-'));
  kubeconfig = writeKubeconfig(folder, fake);
});

afterAll(async () => {
  await fake.close();
  rmSync(folder, { recursive: true, force: true });
});

afterEach(async () => {
  for (const webhook of running.splice(0)) await webhook.shutdown({ timeoutMs: 2000 });
  await eventually(() => fake.watcherCount() === 0, 'every watch to close');
  fake.clearFailures();
  fake.remove('customresourcedefinitions', undefined, POSTGRESQL_CRD);
  fake.remove('deployments', OPERATOR_NAMESPACE, 'postgres-operator');
  fake.remove('configmaps', OPERATOR_NAMESPACE, 'postgres-operator');
  fake.requests.length = 0;
});

/** A webhook on the fake cluster, with its operator installed; readiness is not awaited. */
async function startWebhook() {
  fake.apply('deployments', operatorDeployment({ CONFIG_MAP_NAME: 'postgres-operator' }));
  fake.apply('configmaps', operatorConfigMap({ watched_namespace: '*' }));
  const cluster = await startClusterWebhook(kubeconfig, running);
  return { ...cluster, readyz: async () => (await cluster.get('/readyz')).status };
}

const PG13 = postgresql('apps', 'acid-legacy', { postgresql: { version: '13' } });
const PG17 = postgresql('apps', 'acid-current', { postgresql: { version: '17' } });
const NULL_USER = postgresql('apps', 'acid-null-user', {
  users: { app_owner: ['createdb'], app_reader: null },
});
const SCHEMA_SOURCE = 'acid_guard_webhook_schema_source';

describe.skipIf(!REFERENCE_CRDS_PRESENT)('the operator’s own CRD', () => {
  it('judges with the v1.15.1 CRD of the cluster, and with that release’s defaults', async () => {
    fake.apply('customresourcedefinitions', referenceCrd('1.15.1'));
    const cluster = await startWebhook();
    await cluster.started;
    const snapshot = cluster.source.current();
    expect(snapshot?.schema?.operatorVersion).toBe('1.15.1');
    expect(snapshot?.sources.at(-1)).toBe(
      'CRD postgresqls.acid.zalan.do of the cluster (that of operator v1.15.1, precompiled)',
    );
    // The ConfigMap sets neither: v1.15.1's defaults, not v2.0.1's.
    expect([snapshot?.policy.kubernetesUseConfigmaps, snapshot?.policy.minimalMajorVersion]).toEqual([
      false,
      '13',
    ]);
    expect(await cluster.validate(PG13)).toMatchObject({ allowed: true, warnings: [] });
    // A null user is kept by a v1.15.1 API server: a warning, not the error it is under v2.
    const nullUser = await cluster.validate(NULL_USER);
    expect(nullUser.allowed).toBe(true);
    expect(nullUser.warnings).toEqual([expect.stringMatching(/^spec\.users\[app_reader\]: .*\[\]/)]);
    expect(await cluster.metric(SCHEMA_SOURCE, 'source="cluster"')).toBe(1);
    expect(await cluster.metric(SCHEMA_SOURCE, 'source="builtin"')).toBe(0);
    expect(cluster.logs.lines).toContainEqual(
      expect.objectContaining({
        msg: 'judging with the postgresql CRD of the cluster',
        kind: 'CustomResourceDefinition',
        name: POSTGRESQL_CRD,
        operatorVersion: '1.15.1',
      }),
    );
  });

  it('swaps the schema with the CRD, and serves no verdict of the old one from the cache', async () => {
    fake.apply('customresourcedefinitions', referenceCrd('1.15.1'));
    const cluster = await startWebhook();
    await cluster.started;
    expect((await cluster.validate(PG13)).allowed).toBe(true);
    expect((await cluster.validate(PG13)).allowed).toBe(true);
    expect(await cluster.metric('acid_guard_webhook_verdict_cache_requests_total', 'result="hit"')).toBe(1);
    // A status update leaves the spec (and its generation) alone: nothing is compiled or swapped.
    const before = cluster.source.current();
    fake.apply('customresourcedefinitions', {
      ...referenceCrd('1.15.1'),
      status: { acceptedNames: { kind: 'postgresql', plural: 'postgresqls' } },
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(cluster.source.current()).toBe(before);
    // The operator upgraded to v2.0.1: its CRD replaces the old one.
    fake.apply('customresourcedefinitions', referenceCrd('2.0.1'));
    await eventually(() => cluster.source.current()?.schema?.operatorVersion === '2.0.1', 'the v2 schema');
    const denied = await cluster.validate(PG13);
    expect(denied.allowed).toBe(false);
    expect(denied.message).toContain('spec.postgresql.version');
    expect(cluster.source.current()?.policy.kubernetesUseConfigmaps).toBe(true);
  });

  it('keeps the last good CRD when it changes into one it cannot judge with: logged, counted, still ready', async () => {
    fake.apply('customresourcedefinitions', referenceCrd('1.15.1'));
    const cluster = await startWebhook();
    await cluster.started;
    const good = cluster.source.current();
    fake.apply('customresourcedefinitions', crdWithCelRule(referenceCrd('1.15.1')));
    const logged = await eventually(
      () => cluster.logs.lines.find((line) => line.source === 'crd'),
      'the CRD to be rejected',
    );
    expect(logged).toMatchObject({
      level: 40,
      msg: 'cluster object rejected: keeping the last good postgresql schema',
      kind: 'CustomResourceDefinition',
      name: POSTGRESQL_CRD,
    });
    expect(logged.error).toMatch(/CEL validation rules .*keeping the last good version/);
    expect(cluster.source.current()).toBe(good);
    expect((await cluster.validate(PG13)).allowed).toBe(true);
    expect(await cluster.readyz()).toBe(200);
    expect(await cluster.metric('acid_guard_webhook_policy_errors_total', 'source="crd"')).toBe(1);
    expect(await cluster.metric(SCHEMA_SOURCE, 'source="cluster"')).toBe(1);
  });
});

describe('without a CRD it can use', () => {
  it('judges with the built-in schema when there is none, says so, and takes one that appears', async () => {
    const cluster = await startWebhook();
    await cluster.started;
    expect(cluster.source.current()?.schema).toBeUndefined();
    expect(cluster.source.current()?.sources.at(-1)).toBe('built-in schema (operator v2.0.1)');
    expect((await cluster.validate(PG13)).allowed).toBe(false);
    expect(await cluster.metric(SCHEMA_SOURCE, 'source="builtin"')).toBe(1);
    expect(await cluster.metric('acid_guard_webhook_policy_errors_total', 'source="crd"')).toBe(1);
    expect(cluster.logs.lines).toContainEqual(
      expect.objectContaining({
        level: 40,
        msg: 'cluster object rejected: judging with the built-in postgresql schema',
        source: 'crd',
        kind: 'CustomResourceDefinition',
        name: POSTGRESQL_CRD,
        error: expect.stringMatching(/^CustomResourceDefinition postgresqls\.acid\.zalan\.do: not found/),
      }),
    );
    // A CRD that matches no shipped release is compiled at run time.
    fake.apply('customresourcedefinitions', customCrd(['12', '13']));
    await eventually(() => cluster.source.current()?.schema !== undefined, 'the compiled CRD');
    expect(cluster.source.current()?.schema?.origin).toBe('CRD postgresqls.acid.zalan.do of the cluster');
    expect((await cluster.validate(PG13)).allowed).toBe(true);
    const pg17 = await cluster.validate(PG17);
    expect(pg17.allowed).toBe(false);
    expect(pg17.message).toContain('supported: 12, 13');
    expect(await cluster.metric(SCHEMA_SOURCE, 'source="cluster"')).toBe(1);
  });

  it('is ready with the built-in schema while the CRD is forbidden, and takes the CRD once allowed', async () => {
    fake.apply('customresourcedefinitions', customCrd(['12', '13']));
    fake.failNext(
      { resource: 'customresourcedefinitions' },
      403,
      'customresourcedefinitions.apiextensions.k8s.io "postgresqls.acid.zalan.do" is forbidden: User "system:serviceaccount:acid-guard:acid-guard-webhook" cannot list resource "customresourcedefinitions"',
      10_000,
    );
    const cluster = await startWebhook();
    await cluster.started;
    expect(await cluster.readyz()).toBe(200);
    expect((await cluster.validate(PG13)).allowed).toBe(false);
    expect(await cluster.metric(SCHEMA_SOURCE, 'source="builtin"')).toBe(1);
    const logged = cluster.logs.lines.find((line) => line.source === 'crd');
    expect(logged?.msg).toBe('cluster object rejected: judging with the built-in postgresql schema');
    expect(logged?.error).toMatch(
      /cannot be read: GET .*customresourcedefinitions.*: 403 Forbidden: .*is forbidden/,
    );
    // The RBAC is fixed: the next list (with backoff, at most 200 ms here) reads the CRD.
    fake.clearFailures();
    await eventually(async () => (await cluster.validate(PG13)).allowed === true, 'the cluster CRD');
    expect(await cluster.metric(SCHEMA_SOURCE, 'source="cluster"')).toBe(1);
    expect(await cluster.metric(SCHEMA_SOURCE, 'source="builtin"')).toBe(0);
  });
});
