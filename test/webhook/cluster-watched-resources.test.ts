/**
 * WATCHED_RESOURCES says exactly what the webhook reads: every request the webhook makes against the
 * fake API server must be allowed by one of its rules, and every rule must be needed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterPolicySource } from '../../webhook/src/cluster/cluster-policy-source.js';
import type { ClusterSettings } from '../../webhook/src/cluster/cluster-settings.js';
import {
  REFERENCE_SETTINGS,
  WATCHED_RESOURCES,
  type WatchedResource,
  watchedResources,
} from '../../webhook/src/cluster/watched-resources.js';
import {
  defaultsConfigMap,
  OPERATOR_NAMESPACE,
  operatorConfigMap,
  operatorConfiguration,
  operatorDeployment,
  postgresTeam,
} from '../cluster/fixtures.js';
import {
  eventually,
  FakeApiServer,
  type RecordedRequest,
  writeKubeconfig,
} from '../support/fake-api-server.js';

const WEBHOOK_NAMESPACE = 'acid-guard';

let fake: FakeApiServer;
let folder: string;
let kubeconfig: string;

beforeAll(async () => {
  fake = await FakeApiServer.start();
  folder = mkdtempSync(join(tmpdir(), 'acid-guard-rbac-'));
  kubeconfig = writeKubeconfig(folder, fake);
});

afterAll(async () => {
  await fake.close();
  rmSync(folder, { recursive: true, force: true });
});

/** Whether a rule allows a request, as the RBAC authorizer would decide it. */
function allows(rule: WatchedResource, request: RecordedRequest, settings: ClusterSettings): boolean {
  if (request.method !== 'GET' || request.group !== rule.group || request.resource !== rule.resource)
    return false;
  const verb = request.watch
    ? 'watch'
    : request.name !== undefined && !request.query.fieldSelector
      ? 'get'
      : 'list';
  if (!rule.verbs.includes(verb)) return false;
  if (
    rule.resourceNames !== undefined &&
    (request.name === undefined || !rule.resourceNames.includes(request.name))
  ) {
    return false;
  }
  switch (rule.namespaces) {
    case 'all':
      return true;
    case 'operator':
      return request.namespace === settings.operatorNamespace;
    case 'webhook':
      return request.namespace === WEBHOOK_NAMESPACE;
    default:
      return request.namespace !== undefined && rule.namespaces.includes(request.namespace);
  }
}

async function requestsOf(
  settings: ClusterSettings,
  scenario: (source: ClusterPolicySource) => Promise<void>,
) {
  fake.requests.length = 0;
  const source = new ClusterPolicySource(
    { ...settings, kubeconfig },
    { env: { POD_NAMESPACE: WEBHOOK_NAMESPACE }, informers: { backoff: { initialMs: 20, maxMs: 100 } } },
  );
  const started = source.start();
  try {
    await started;
    await scenario(source);
  } finally {
    await source.close();
  }
  return [...fake.requests];
}

describe('WATCHED_RESOURCES: exactly what the webhook reads', () => {
  it('is read-only, and names the objects it can name', () => {
    expect(WATCHED_RESOURCES.every((rule) => rule.verbs.join() === 'get,list,watch')).toBe(true);
    expect(
      WATCHED_RESOURCES.map((rule) => [
        rule.group,
        rule.resource,
        rule.namespaces,
        rule.resourceNames?.join() ?? '*',
      ]),
    ).toEqual([
      ['apps', 'deployments', 'operator', 'postgres-operator'],
      ['', 'configmaps', 'operator', 'postgres-operator'],
      ['acid.zalan.do', 'operatorconfigurations', 'operator', 'postgres-operator'],
      ['acid.zalan.do', 'postgresteams', 'all', '*'],
      ['', 'configmaps', 'webhook', 'acid-guard-defaults'],
      ['apiextensions.k8s.io', 'customresourcedefinitions', 'all', 'postgresqls.acid.zalan.do'],
    ]);
  });

  it('covers every request of the reference set-up, and each rule is used', async () => {
    fake.apply('deployments', operatorDeployment({ CONFIG_MAP_NAME: 'postgres-operator' }));
    fake.apply('configmaps', operatorConfigMap({ enable_postgres_team_crd: 'true' }));
    fake.apply(
      'postgresteams',
      postgresTeam(OPERATOR_NAMESPACE, 'extra', { additionalMembers: { acid: ['jdoe'] } }),
    );
    fake.apply(
      'configmaps',
      defaultsConfigMap(
        WEBHOOK_NAMESPACE,
        'acid-guard-defaults',
        'apiVersion: acid-guard/v1\nkind: DefaultsPolicy\nspec:\n  defaults:\n    enableLogicalBackup: true\n',
      ),
    );
    fake.apply('operatorconfigurations', operatorConfiguration({}, 'postgres-operator'));
    const requests = await requestsOf(REFERENCE_SETTINGS, async (source) => {
      // The Deployment switches to its OperatorConfiguration: that rule is needed too.
      fake.apply(
        'deployments',
        operatorDeployment({ POSTGRES_OPERATOR_CONFIGURATION_OBJECT: 'postgres-operator' }),
      );
      await eventually(() => source.current()?.policy.path === 'operatorconfiguration', 'the switch');
      await eventually(() => fake.watcherCount('operatorconfigurations') === 1, 'its watch');
    });
    const denied = requests.filter(
      (r) => !WATCHED_RESOURCES.some((rule) => allows(rule, r, REFERENCE_SETTINGS)),
    );
    expect(denied).toEqual([]);
    const unused = WATCHED_RESOURCES.filter(
      (rule) => !requests.some((r) => allows(rule, r, REFERENCE_SETTINGS)),
    );
    expect(unused).toEqual([]);
  });

  it('follows other settings: a configuration named directly, teams of listed namespaces', async () => {
    const settings: ClusterSettings = {
      operatorNamespace: 'operators',
      operatorConfigMap: 'pg-config',
      teamsNamespaces: ['team-a', 'team-b'],
    };
    fake.apply('configmaps', operatorConfigMap({}, 'pg-config', 'operators'));
    const rules = watchedResources(settings);
    expect(rules.map((rule) => [rule.resource, rule.namespaces, rule.resourceNames?.join() ?? '*'])).toEqual([
      ['configmaps', 'operator', 'pg-config'],
      ['postgresteams', ['team-a', 'team-b'], '*'],
      ['customresourcedefinitions', 'all', 'postgresqls.acid.zalan.do'],
    ]);
    const requests = await requestsOf(settings, async () => {
      await eventually(() => fake.watcherCount() === 4, 'the watches');
    });
    expect(requests.filter((r) => !rules.some((rule) => allows(rule, r, settings)))).toEqual([]);
    expect(requests.some((r) => r.resource === 'deployments')).toBe(false);
  });
});
