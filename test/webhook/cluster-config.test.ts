import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../webhook/src/config.js';

const TLS = ['--tls-cert', '/certs/tls.crt', '--tls-key', '/certs/tls.key'];

function failure(argv: string[], env: Record<string, string> = {}): string {
  try {
    readConfig([...TLS, ...argv], env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('readConfig: --cluster and its flags', () => {
  it('is off by default: no cluster settings', () => {
    expect(readConfig(TLS, {}).cluster).toBeUndefined();
  });

  it('finds the configuration through the operator Deployment by default', () => {
    expect(
      readConfig([...TLS, '--cluster', '--operator-namespace', 'postgres-operator'], {}).cluster,
    ).toEqual({
      operatorNamespace: 'postgres-operator',
      teamsNamespaces: [],
    });
  });

  it('reads every cluster flag', () => {
    const config = readConfig(
      [
        ...TLS,
        '--cluster',
        '--kubeconfig',
        '/etc/kube/config',
        '--context',
        'prod',
        '--operator-namespace',
        'operators',
        '--operator-config-name',
        'pg-operator',
        '--teams-namespace',
        'a',
        '--teams-namespace',
        'b',
        '--defaults-configmap',
        'platform/pg-defaults',
        '--defaults-key',
        'policy.yaml',
      ],
      {},
    );
    expect(config.cluster).toEqual({
      kubeconfig: '/etc/kube/config',
      context: 'prod',
      operatorNamespace: 'operators',
      operatorConfigMap: 'pg-operator',
      teamsNamespaces: ['a', 'b'],
      defaults: { namespace: 'platform', name: 'pg-defaults', key: 'policy.yaml' },
    });
  });

  it('reads the same from the environment', () => {
    const config = readConfig(TLS, {
      ACID_GUARD_CLUSTER: 'true',
      ACID_GUARD_OPERATOR_NAMESPACE: 'operators',
      ACID_GUARD_OPERATOR_CONFIGURATION_NAME: 'opconfig',
      ACID_GUARD_TEAMS_NAMESPACE: 'a, b',
      ACID_GUARD_DEFAULTS_CONFIGMAP: 'pg-defaults',
    });
    expect(config.cluster).toEqual({
      operatorNamespace: 'operators',
      operatorConfiguration: 'opconfig',
      teamsNamespaces: ['a', 'b'],
      defaults: { name: 'pg-defaults', key: 'defaults.yaml' },
    });
  });

  it('says what is missing or does not fit together', () => {
    expect(failure(['--cluster'])).toMatch(/^--cluster needs --operator-namespace/);
    expect(failure(['--operator-namespace', 'x'])).toBe(
      '--operator-namespace reads from the cluster: it needs --cluster',
    );
    expect(failure([], { ACID_GUARD_TEAMS_NAMESPACE: 'a' })).toBe(
      '--teams-namespace reads from the cluster: it needs --cluster',
    );
    const cluster = ['--cluster', '--operator-namespace', 'ops'];
    expect(
      failure([...cluster, '--operator-config-name', 'a', '--operator-configuration-name', 'b']),
    ).toMatch(/not both/);
    expect(failure([...cluster, '--operator-deployment', 'd', '--operator-config-name', 'a'])).toMatch(
      /one or the other/,
    );
    expect(failure([...cluster, '--operator-config', 'op.yaml'])).toMatch(
      /^--cluster reads the policy from the cluster: drop --operator-config/,
    );
    expect(failure([...cluster, '--teams', 't.yaml'])).toMatch(/drop --teams/);
    expect(failure([...cluster, '--defaults', 'd.yaml'])).toMatch(/drop --defaults/);
    expect(failure([...cluster, '--defaults-key', 'k'])).toMatch(
      /--defaults-key names a key of --defaults-configmap/,
    );
    expect(failure(['--cluster', '--operator-namespace', 'Not_A_Namespace'])).toBe(
      '--operator-namespace: "Not_A_Namespace" is not a valid namespace name',
    );
  });
});
