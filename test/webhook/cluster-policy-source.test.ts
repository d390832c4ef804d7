/**
 * The webhook with its policy from a (fake) cluster: informers over the list/watch protocol of
 * test/support/fake-api-server.ts, a real HTTPS webhook, real admission reviews.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Webhook } from '../../webhook/src/app.js';
import type { ClusterSettings } from '../../webhook/src/cluster/cluster-settings.js';
import {
  defaultsConfigMap,
  OPERATOR_NAMESPACE,
  operatorConfigMap,
  operatorConfiguration,
  operatorDeployment,
  postgresql,
  postgresTeam,
} from '../cluster/fixtures.js';
import { eventually, FakeApiServer, writeKubeconfig } from '../support/fake-api-server.js';
import {
  type AdmissionAnswer,
  type ClusterWebhook,
  startClusterWebhook as startWebhookOn,
} from './cluster-webhook.js';

let fake: FakeApiServer;
let folder: string;
let kubeconfig: string;
const running: Webhook[] = [];

beforeAll(async () => {
  fake = await FakeApiServer.start({ token: 'webhook-token' });
  folder = mkdtempSync(join(tmpdir(), 'acid-guard-cluster-'));
  kubeconfig = writeKubeconfig(folder, fake, { token: 'webhook-token', namespace: 'acid-guard' });
});

afterAll(async () => {
  await fake.close();
  rmSync(folder, { recursive: true, force: true });
});

afterEach(async () => {
  for (const webhook of running.splice(0)) await webhook.shutdown({ timeoutMs: 2000 });
  await eventually(() => fake.watcherCount() === 0, 'every watch to close');
  for (const [resource, namespace, name] of [
    ['deployments', OPERATOR_NAMESPACE, 'postgres-operator'],
    ['configmaps', OPERATOR_NAMESPACE, 'postgres-operator'],
    ['configmaps', 'acid-guard', 'acid-guard-defaults'],
    ['operatorconfigurations', OPERATOR_NAMESPACE, 'opconfig'],
    ['postgresteams', OPERATOR_NAMESPACE, 'acid-extra'],
    ['postgresteams', 'elsewhere', 'ignored'],
  ] as const) {
    fake.remove(resource, namespace, name);
  }
  fake.requests.length = 0;
});

/** A webhook on the fake cluster of this suite. */
function startClusterWebhook(settings: Partial<ClusterSettings> = {}): Promise<ClusterWebhook> {
  return startWebhookOn(kubeconfig, running, settings);
}

const BIG = postgresql('apps', 'acid-big', { numberOfInstances: 5 });
const clamped = (answer: AdmissionAnswer) => answer.warnings.some((w) => w.includes('max: 3'));

/** The operator's ConfigMap; the operator watches every namespace unless `data` says otherwise. */
function setConfig(data: Record<string, string>): void {
  fake.apply('configmaps', operatorConfigMap({ watched_namespace: '*', ...data }));
}

function installOperator(data: Record<string, string> = { max_instances: '3' }): void {
  fake.apply('deployments', operatorDeployment({ CONFIG_MAP_NAME: 'postgres-operator' }));
  setConfig(data);
}

describe('readiness: not ready until the policy has been read from the cluster', () => {
  it('answers 503 until the operator’s configuration exists, then judges with it', async () => {
    const cluster = await startClusterWebhook();
    const rejected = await eventually(
      () => cluster.logs.lines.find((line) => line.source === 'deployment'),
      'the missing Deployment to be logged',
    );
    expect(rejected).toMatchObject({
      kind: 'Deployment',
      namespace: OPERATOR_NAMESPACE,
      name: 'postgres-operator',
      msg: 'cluster object rejected: not ready until it can be read',
    });
    expect(await cluster.get('/readyz')).toEqual({
      status: 503,
      body: { status: 'not ready', reason: 'policy not loaded yet' },
    });
    expect((await cluster.validate(BIG)).status).toBe(503);
    installOperator();
    await cluster.started;
    expect((await cluster.get('/readyz')).status).toBe(200);
    const answer = await cluster.validate(BIG);
    expect([answer.allowed, clamped(answer)]).toEqual([true, true]);
    expect(cluster.source.current()?.sources).toEqual([
      'Deployment postgres-operator/postgres-operator',
      'ConfigMap postgres-operator/postgres-operator (named by env CONFIG_MAP_NAME of Deployment postgres-operator/postgres-operator)',
      '0 PostgresTeam objects',
      // The fake cluster has no postgresql CRD: the built-in schema (cluster-crd-schema.test.ts).
      'built-in schema (operator v2.0.1)',
    ]);
  });

  it('stays unready while the configuration at start cannot be read, and becomes ready once it is fixed', async () => {
    installOperator({ max_instances: 'three' });
    const cluster = await startClusterWebhook();
    await eventually(
      () => cluster.logs.lines.find((line) => line.source === 'operator-config'),
      'the rejection of the ConfigMap',
    );
    expect((await cluster.get('/readyz')).status).toBe(503);
    expect(await cluster.metric('acid_guard_webhook_policy_errors_total', 'source="operator-config"')).toBe(
      1,
    );
    setConfig({ max_instances: '3' });
    await cluster.started;
    expect((await cluster.get('/readyz')).status).toBe(200);
  });
});

describe('changes while it runs', () => {
  it('a policy change reaches the next admission request', async () => {
    installOperator();
    const cluster = await startClusterWebhook();
    await cluster.started;
    expect(clamped(await cluster.validate(BIG))).toBe(true);
    const before = cluster.source.current();
    setConfig({ max_instances: '-1' });
    await eventually(() => cluster.source.current() !== before, 'the new snapshot');
    // The very next request, also a repeat of a cached one, is judged with the new policy.
    const answer = await cluster.validate(BIG);
    expect([answer.allowed, answer.warnings]).toEqual([true, []]);
    expect(await cluster.metric('acid_guard_webhook_policy_reloads_total', 'result="success"')).toBe(1);
    expect(cluster.logs.lines).toContainEqual(expect.objectContaining({ msg: 'policy reloaded' }));
  });

  it('keeps the last good policy when a change does not parse: logged with the object, counted, still ready', async () => {
    installOperator();
    const cluster = await startClusterWebhook();
    await cluster.started;
    const good = cluster.source.current();
    setConfig({ max_instances: 'three' });
    const rejected = await eventually(
      () =>
        cluster.logs.lines.find(
          (line) => line.msg === 'cluster object rejected: keeping the last good policy',
        ),
      'the rejection',
    );
    expect(rejected).toMatchObject({
      level: 50,
      source: 'operator-config',
      kind: 'ConfigMap',
      namespace: OPERATOR_NAMESPACE,
      name: 'postgres-operator',
    });
    expect(rejected.error).toMatch(/^ConfigMap postgres-operator\/postgres-operator: max_instances: "three"/);
    // The webhook's own reload log says the same, once.
    expect(cluster.logs.lines).toContainEqual(
      expect.objectContaining({
        msg: 'policy reload failed; keeping the policy in use',
        error: expect.stringMatching(/^ConfigMap postgres-operator\/postgres-operator: max_instances/),
      }),
    );
    expect(cluster.source.current()).toBe(good);
    expect(clamped(await cluster.validate(BIG))).toBe(true);
    expect((await cluster.get('/readyz')).status).toBe(200);
    expect(await cluster.metric('acid_guard_webhook_policy_errors_total', 'source="operator-config"')).toBe(
      1,
    );
    expect(await cluster.metric('acid_guard_webhook_policy_reloads_total', 'result="failure"')).toBe(1);
    // An unrelated change (a status update of the Deployment) neither reports it again nor swaps anything.
    fake.apply('deployments', {
      ...operatorDeployment({ CONFIG_MAP_NAME: 'postgres-operator' }),
      status: { replicas: 1, readyReplicas: 0 },
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await cluster.metric('acid_guard_webhook_policy_errors_total', 'source="operator-config"')).toBe(
      1,
    );
    expect(cluster.source.current()).toBe(good);
    // Fixed: the new value is used.
    setConfig({ max_instances: '4' });
    await eventually(() => cluster.source.current()?.policy.maxInstances === 4, 'the fixed policy');
    expect((await cluster.validate(BIG)).warnings.some((w) => w.includes('max: 4'))).toBe(true);
  });

  it('recovers from a dropped watch: the next change still arrives', async () => {
    installOperator();
    const cluster = await startClusterWebhook();
    await cluster.started;
    await eventually(
      () => fake.watcherCount() === 4,
      'the watches of the Deployment, ConfigMap, PostgresTeams and the postgresql CRD',
    );
    expect(fake.dropWatches()).toBe(4);
    setConfig({ max_instances: '-1' });
    await eventually(
      async () => (await cluster.validate(BIG)).warnings.length === 0,
      'the change after the drop',
    );
    expect(
      await cluster.metric(
        'acid_guard_webhook_watch_restarts_total',
        'resource="configmaps",reason="dropped"',
      ),
    ).toBe(1);
    // And after a 410 Gone: listed again.
    fake.dropWatches();
    setConfig({ max_instances: '3' });
    fake.expireHistory();
    await eventually(async () => clamped(await cluster.validate(BIG)), 'the change after 410 Gone');
    expect(
      await cluster.metric('acid_guard_webhook_watch_restarts_total', 'resource="configmaps",reason="gone"'),
    ).toBe(1);
  });

  it('never waits for the API server: admission answers at once while it is away', async () => {
    installOperator();
    const cluster = await startClusterWebhook();
    await cluster.started;
    await fake.stop();
    try {
      const started = performance.now();
      const answer = await cluster.validate(BIG);
      expect(performance.now() - started).toBeLessThan(1000);
      expect(clamped(answer)).toBe(true);
      expect((await cluster.get('/readyz')).status).toBe(200);
      await eventually(
        () =>
          cluster.logs.lines.some(
            (l) => l.msg === 'list/watch of the API server failed: retrying; the policy in use stays',
          ),
        'the reconnect attempts to be logged',
      );
    } finally {
      await fake.resume();
    }
    setConfig({ max_instances: '-1' });
    await eventually(
      async () => (await cluster.validate(BIG)).warnings.length === 0,
      'the change after the outage',
      10_000,
    );
  });
});

describe('what makes up the policy', () => {
  it('follows the Deployment from a ConfigMap to an OperatorConfiguration', async () => {
    installOperator();
    const cluster = await startClusterWebhook();
    await cluster.started;
    fake.apply(
      'operatorconfigurations',
      operatorConfiguration({ min_instances: 2, max_instances: 3 }, 'opconfig'),
    );
    fake.apply('deployments', operatorDeployment({ POSTGRES_OPERATOR_CONFIGURATION_OBJECT: 'opconfig' }));
    await eventually(
      () => cluster.source.current()?.policy.path === 'operatorconfiguration',
      'the OperatorConfiguration',
    );
    expect(cluster.source.current()?.sources[1]).toBe(
      'OperatorConfiguration postgres-operator/opconfig (named by env POSTGRES_OPERATOR_CONFIGURATION_OBJECT of Deployment postgres-operator/postgres-operator)',
    );
    // The ConfigMap is no longer watched.
    await eventually(
      () => fake.watcherCount('configmaps') === 0 && fake.watcherCount('operatorconfigurations') === 1,
      'the informers to move',
    );
  });

  it('reads the configuration named by flags, without the Deployment', async () => {
    fake.apply('operatorconfigurations', operatorConfiguration({ max_instances: 3 }, 'opconfig'));
    const cluster = await startClusterWebhook({ operatorConfiguration: 'opconfig' });
    await cluster.started;
    expect(clamped(await cluster.validate(BIG))).toBe(true);
    expect(fake.requests.some((r) => r.resource === 'deployments')).toBe(false);
  });

  it('takes team data from the PostgresTeam objects of the watched namespaces', async () => {
    installOperator({ enable_postgres_team_crd: 'true', watched_namespace: 'apps,postgres-operator' });
    const cluster = await startClusterWebhook();
    await cluster.started;
    const withUser = postgresql('apps', 'acid-users', { users: { jdoe: [] } });
    expect((await cluster.validate(withUser)).allowed).toBe(true);
    // Outside the operator's watched namespace (its own): not read by the operator, so not by us.
    fake.apply(
      'postgresteams',
      postgresTeam('elsewhere', 'ignored', { additionalMembers: { acid: ['jdoe'] } }),
    );
    fake.apply(
      'postgresteams',
      postgresTeam(OPERATOR_NAMESPACE, 'acid-extra', { additionalMembers: { acid: ['mary'] } }),
    );
    await eventually(() => cluster.source.current()?.teams !== undefined, 'the team directory');
    expect((await cluster.validate(withUser)).allowed).toBe(true);
    fake.apply(
      'postgresteams',
      postgresTeam(OPERATOR_NAMESPACE, 'acid-extra', { additionalMembers: { acid: ['jdoe'] } }),
    );
    await eventually(async () => (await cluster.validate(withUser)).allowed === false, 'the denial');
    expect((await cluster.validate(withUser)).message).toContain('jdoe');
    fake.remove('postgresteams', OPERATOR_NAMESPACE, 'acid-extra');
    await eventually(async () => (await cluster.validate(withUser)).allowed === true, 'the team gone');
  });

  it('applies the defaults ConfigMap on /mutate, and keeps the last good one when it breaks', async () => {
    installOperator();
    fake.apply(
      'configmaps',
      defaultsConfigMap(
        'acid-guard',
        'acid-guard-defaults',
        'apiVersion: acid-guard/v1\nkind: DefaultsPolicy\nspec:\n  defaults:\n    enableLogicalBackup: true\n',
      ),
    );
    const cluster = await startClusterWebhook({
      defaults: { name: 'acid-guard-defaults', key: 'defaults.yaml' },
    });
    await cluster.started;
    const patched = await cluster.mutate(BIG);
    expect(patched.patch).toContainEqual({ op: 'add', path: '/spec/enableLogicalBackup', value: true });
    fake.apply(
      'configmaps',
      defaultsConfigMap('acid-guard', 'acid-guard-defaults', 'spec: [not, a, policy]\n'),
    );
    await eventually(
      () => cluster.logs.lines.find((l) => l.source === 'defaults' && l.name === 'acid-guard-defaults'),
      'the rejection of the defaults',
    );
    expect(await cluster.metric('acid_guard_webhook_policy_errors_total', 'source="defaults"')).toBe(1);
    expect((await cluster.mutate(BIG)).patch).toContainEqual({
      op: 'add',
      path: '/spec/enableLogicalBackup',
      value: true,
    });
  });
});
