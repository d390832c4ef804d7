import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClusterPolicyError,
  configRefFromSelection,
  operatorPolicyFromObjects,
  readClusterPolicy,
  teamNamespaceFilter,
} from '../../packages/validator/src/cluster/cluster-policy.js';
import { asObject, KubeApiError, KubeClient } from '../../packages/validator/src/cluster/kube-client.js';
import {
  applyOperatorDeployment,
  configRefOf,
  operatorDeploymentOf,
} from '../../packages/validator/src/cluster/operator-deployment.js';
import { CONFIG_MAPS } from '../../packages/validator/src/cluster/resource-types.js';
import { policyWith } from '../../packages/validator/src/policy/operator-policy.js';
import { PolicyError } from '../../packages/validator/src/policy/policy-error.js';
import { FakeApiServer, type FakeResourceName, writeKubeconfig } from '../support/fake-api-server.js';
import {
  OPERATOR_NAMESPACE,
  operatorConfigMap,
  operatorConfiguration,
  operatorDeployment,
  postgresTeam,
} from './fixtures.js';

describe('the operator Deployment: which configuration, and what overrides it', () => {
  it('reads CONFIG_MAP_NAME in the operator’s namespace, or as namespace/name', () => {
    const deployment = operatorDeploymentOf(operatorDeployment({ CONFIG_MAP_NAME: 'postgres-operator' }));
    expect(deployment && configRefOf(deployment)).toEqual({
      kind: 'ConfigMap',
      namespace: OPERATOR_NAMESPACE,
      name: 'postgres-operator',
      via: 'env CONFIG_MAP_NAME of Deployment postgres-operator/postgres-operator',
    });
    const elsewhere = operatorDeploymentOf(
      operatorDeployment({ CONFIG_MAP_NAME: 'config/operator-settings' }),
    );
    expect(elsewhere && configRefOf(elsewhere)).toMatchObject({
      namespace: 'config',
      name: 'operator-settings',
    });
  });

  it('prefers POSTGRES_OPERATOR_CONFIGURATION_OBJECT, as the operator does', () => {
    const deployment = operatorDeploymentOf(
      operatorDeployment({ CONFIG_MAP_NAME: 'cm', POSTGRES_OPERATOR_CONFIGURATION_OBJECT: 'opconfig' }),
    );
    expect(deployment && configRefOf(deployment)).toMatchObject({
      kind: 'OperatorConfiguration',
      name: 'opconfig',
    });
  });

  it('resolves fieldRef metadata.namespace and says when a name comes from a Secret', () => {
    const deployment = operatorDeploymentOf(
      operatorDeployment({ CONFIG_MAP_NAME: 'cm', WATCHED_NAMESPACE: { fieldRef: 'metadata.namespace' } }),
    );
    expect(deployment?.env.get('WATCHED_NAMESPACE')).toBe(OPERATOR_NAMESPACE);
    const secret = operatorDeploymentOf(operatorDeployment({ CONFIG_MAP_NAME: { secret: 'x' } }));
    const ref = secret && configRefOf(secret);
    expect(ref).toEqual({
      problem:
        'Deployment postgres-operator/postgres-operator sets CONFIG_MAP_NAME through valueFrom, which acid-guard does not resolve; name the configuration with --operator-config-name or --operator-configuration-name',
    });
  });

  it('is no operator Deployment without either env', () => {
    expect(operatorDeploymentOf(operatorDeployment({ OTHER: 'x' }))).toBeUndefined();
    expect(operatorDeploymentOf({ kind: 'Deployment' })).toBeUndefined();
  });

  it('applies WATCHED_NAMESPACE, CONTROLLER_ID and the Go flags', () => {
    const deployment = operatorDeploymentOf(
      operatorDeployment(
        { CONFIG_MAP_NAME: 'cm', WATCHED_NAMESPACE: 'databases', CONTROLLER_ID: 'second' },
        { args: ['-noteamsapi', '--nodatabaseaccess=false'] },
      ),
    );
    if (deployment === undefined) throw new Error('no deployment');
    const policy = policyWith({ watchedNamespace: 'apps' });
    const warnings = applyOperatorDeployment(policy, deployment);
    expect(policy).toMatchObject({
      watchedNamespace: 'databases',
      controllerIds: ['second'],
      enableTeamsApi: false,
      enableDatabaseAccess: true,
      operatorNamespace: OPERATOR_NAMESPACE,
    });
    expect(warnings).toEqual([
      'Deployment postgres-operator/postgres-operator: WATCHED_NAMESPACE="databases" overrides watched_namespace "apps"',
    ]);
  });
});

describe('operatorPolicyFromObjects and the flags', () => {
  const ref = {
    kind: 'ConfigMap' as const,
    namespace: OPERATOR_NAMESPACE,
    name: 'postgres-operator',
    via: 'test',
  };

  it('reads a ConfigMap as listed (without kind: filled in from the list)', () => {
    const listed = operatorConfigMap({ max_instances: '3' });
    delete listed.kind;
    delete listed.apiVersion;
    const object = asObject(listed, CONFIG_MAPS);
    if (object === undefined) throw new Error('no object');
    const { policy, warnings } = operatorPolicyFromObjects(object, ref);
    expect(policy.maxInstances).toBe(3);
    expect(policy.operatorNamespace).toBe(OPERATOR_NAMESPACE);
    expect(warnings).toEqual([]);
  });

  it('throws PolicyError naming the object for a value the operator refuses', () => {
    const object = asObject(operatorConfigMap({ max_instances: 'three' }), CONFIG_MAPS);
    if (object === undefined) throw new Error('no object');
    const error = (() => {
      try {
        return operatorPolicyFromObjects(object, ref);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as Error).message).toMatch(
      /^ConfigMap postgres-operator\/postgres-operator: .*max_instances/,
    );
  });

  it('needs --operator-namespace with a configuration named directly, and only one kind', () => {
    expect(() => configRefFromSelection({ configMap: 'x' })).toThrow(
      /--operator-config-name needs --operator-namespace/,
    );
    expect(() =>
      configRefFromSelection({ namespace: 'n', configMap: 'x', operatorConfiguration: 'y' }),
    ).toThrow(ClusterPolicyError);
    expect(configRefFromSelection({ namespace: 'n', operatorConfiguration: 'y' })).toEqual({
      kind: 'OperatorConfiguration',
      namespace: 'n',
      name: 'y',
      via: '--operator-configuration-name',
    });
    expect(configRefFromSelection({ namespace: 'n' })).toBeUndefined();
  });

  it('counts PostgresTeam objects of the watched namespaces only', () => {
    const counts = teamNamespaceFilter(policyWith({ watchedNamespace: 'a,b' }));
    expect(['a', 'b', 'c'].map(counts)).toEqual([true, true, false]);
    expect(teamNamespaceFilter(policyWith({ watchedNamespace: '*' }))('c')).toBe(true);
    const own = teamNamespaceFilter(policyWith({ watchedNamespace: '', operatorNamespace: 'op' }));
    expect([own('op'), own('c')]).toEqual([true, false]);
  });
});

describe('readClusterPolicy against the fake API server', () => {
  let fake: FakeApiServer;
  let folder: string;
  let client: KubeClient;

  beforeAll(async () => {
    fake = await FakeApiServer.start();
    folder = mkdtempSync(join(tmpdir(), 'acid-guard-policy-'));
    client = await KubeClient.connect({ kubeconfig: writeKubeconfig(folder, fake), env: {} });
  });
  afterAll(async () => {
    await fake.close();
    rmSync(folder, { recursive: true, force: true });
  });
  function reset(): void {
    for (const [resource, namespace, name] of [
      ['deployments', OPERATOR_NAMESPACE, 'postgres-operator'],
      ['deployments', 'second', 'postgres-operator'],
      ['configmaps', OPERATOR_NAMESPACE, 'postgres-operator'],
      ['operatorconfigurations', OPERATOR_NAMESPACE, 'postgres-operator'],
      ['postgresteams', 'apps', 'team-a'],
      ['postgresteams', OPERATOR_NAMESPACE, 'team-o'],
      ['postgresteams', 'elsewhere', 'team-b'],
    ] as [FakeResourceName, string, string][]) {
      fake.remove(resource, namespace, name);
    }
    fake.requests.length = 0;
  }

  it('finds the operator Deployment in any namespace and reads the ConfigMap it names', async () => {
    reset();
    fake.apply('deployments', operatorDeployment({ CONFIG_MAP_NAME: 'postgres-operator' }));
    fake.apply('configmaps', operatorConfigMap({ max_instances: '3', enable_postgres_team_crd: 'true' }));
    fake.apply(
      'postgresteams',
      postgresTeam(OPERATOR_NAMESPACE, 'team-o', { additionalMembers: { acid: ['jdoe'] } }),
    );
    // Not read: the operator watches only its own namespace.
    fake.apply('postgresteams', postgresTeam('apps', 'team-a', { additionalMembers: { acid: ['mary'] } }));
    const steps: string[] = [];
    const read = await readClusterPolicy(client, {}, { onStep: (step) => steps.push(step) });
    expect(read.policy.maxInstances).toBe(3);
    expect(read.policy.operatorNamespace).toBe(OPERATOR_NAMESPACE);
    expect(read.description).toBe(
      'ConfigMap postgres-operator/postgres-operator (named by env CONFIG_MAP_NAME of Deployment postgres-operator/postgres-operator); 1 PostgresTeam object',
    );
    expect([...(read.teams?.teamMembers('acid').keys() ?? [])]).toEqual(['jdoe']);
    expect(steps).toEqual([
      'looking for the postgres-operator Deployment in all namespaces',
      'reading ConfigMap postgres-operator/postgres-operator',
      // watched_namespace empty: the operator's own namespace only.
      `listing PostgresTeams in namespace ${OPERATOR_NAMESPACE}`,
    ]);
  });

  it('reads the PostgresTeams of every namespace with watched_namespace "*", and not at all when the CRD switch is off', async () => {
    reset();
    fake.apply('deployments', operatorDeployment({ CONFIG_MAP_NAME: 'postgres-operator' }));
    fake.apply('configmaps', operatorConfigMap({ watched_namespace: '*', enable_postgres_team_crd: 'true' }));
    fake.apply('postgresteams', postgresTeam('apps', 'team-a', { additionalMembers: { acid: ['jdoe'] } }));
    fake.apply(
      'postgresteams',
      postgresTeam('elsewhere', 'team-b', { additionalMembers: { acid: ['mary'] } }),
    );
    const all = await readClusterPolicy(client, {});
    expect(all.description).toMatch(/; 2 PostgresTeam objects$/);
    expect(fake.requests.some((r) => r.resource === 'postgresteams' && r.namespace === undefined)).toBe(true);
    fake.apply('configmaps', operatorConfigMap({ watched_namespace: '*' }));
    fake.requests.length = 0;
    const off = await readClusterPolicy(client, {});
    expect(off.teams).toBeUndefined();
    expect(off.description).toMatch(/PostgresTeam objects not read \(enable_postgres_team_crd is off\)$/);
    expect(fake.requests.some((r) => r.resource === 'postgresteams')).toBe(false);
  });

  it('reads an OperatorConfiguration named directly, without any Deployment', async () => {
    reset();
    fake.apply('operatorconfigurations', operatorConfiguration({ min_instances: 2 }));
    const read = await readClusterPolicy(client, {
      namespace: OPERATOR_NAMESPACE,
      operatorConfiguration: 'postgres-operator',
    });
    expect(read.policy.path).toBe('operatorconfiguration');
    expect(read.policy.minInstances).toBe(2);
    expect(fake.requests.some((r) => r.resource === 'deployments')).toBe(false);
  });

  it('falls back to the built-in defaults, with a warning, when no operator Deployment exists', async () => {
    reset();
    const read = await readClusterPolicy(client, {});
    expect(read.policy.source).toMatch(/^operator v2\.0\.1 defaults/);
    expect(read.warnings[0]).toMatch(/^no postgres-operator Deployment found in any namespace: judging with/);
  });

  it('warns when it finds two operator Deployments and uses the first', async () => {
    reset();
    fake.apply('deployments', operatorDeployment({ CONFIG_MAP_NAME: 'postgres-operator' }));
    fake.apply('deployments', operatorDeployment({ CONFIG_MAP_NAME: 'x' }, { namespace: 'second' }));
    fake.apply('configmaps', operatorConfigMap({}));
    const read = await readClusterPolicy(client, {});
    expect(read.warnings[0]).toBe(
      '2 postgres-operator Deployments (postgres-operator/postgres-operator, second/postgres-operator); using postgres-operator/postgres-operator (choose with --operator-namespace and --operator-deployment)',
    );
  });

  it('fails with ClusterPolicyError when the named Deployment or configuration does not exist', async () => {
    reset();
    const noDeployment = await readClusterPolicy(client, { namespace: 'x', deployment: 'op' }).catch(
      (e: Error) => e,
    );
    expect(noDeployment).toBeInstanceOf(ClusterPolicyError);
    expect((noDeployment as Error).message).toMatch(/^Deployment x\/op not found/);
    fake.apply('deployments', operatorDeployment({ POSTGRES_OPERATOR_CONFIGURATION_OBJECT: 'gone' }));
    const noConfig = await readClusterPolicy(client, {}).catch((e: Error) => e);
    expect((noConfig as Error).message).toBe(
      'OperatorConfiguration postgres-operator/gone (named by env POSTGRES_OPERATOR_CONFIGURATION_OBJECT of Deployment postgres-operator/postgres-operator) not found',
    );
  });

  it('lets a refused request through as KubeApiError', async () => {
    reset();
    fake.failNext({ resource: 'deployments' }, 403, 'deployments.apps is forbidden');
    const error = await readClusterPolicy(client, {}).catch((e: Error) => e);
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).status).toBe(403);
  });
});
