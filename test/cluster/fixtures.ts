/** Objects as a cluster holds them, for the tests that read a (fake) API server. */

export const OPERATOR_NAMESPACE = 'postgres-operator';

type Json = Record<string, unknown>;

/** The operator's ConfigMap (flat string data). */
export function operatorConfigMap(
  data: Record<string, string>,
  name = 'postgres-operator',
  namespace = OPERATOR_NAMESPACE,
): Json {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

/** An OperatorConfiguration of acid.zalan.do/v1. */
export function operatorConfiguration(
  configuration: Json,
  name = 'postgres-operator',
  namespace = OPERATOR_NAMESPACE,
): Json {
  return {
    apiVersion: 'acid.zalan.do/v1',
    kind: 'OperatorConfiguration',
    metadata: { name, namespace },
    configuration,
  };
}

/** The operator's Deployment, with the env of its container. */
export function operatorDeployment(
  env: Record<string, string | { fieldRef: string } | { secret: string }>,
  options: { name?: string; namespace?: string; args?: string[] } = {},
): Json {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: options.name ?? 'postgres-operator',
      namespace: options.namespace ?? OPERATOR_NAMESPACE,
    },
    spec: {
      replicas: 1,
      template: {
        spec: {
          containers: [
            {
              name: 'postgres-operator',
              image: 'ghcr.io/zalando/postgres-operator:v2.0.1',
              ...(options.args && { args: options.args }),
              env: Object.entries(env).map(([name, value]) => {
                if (typeof value === 'string') return { name, value };
                if ('fieldRef' in value)
                  return { name, valueFrom: { fieldRef: { fieldPath: value.fieldRef } } };
                return { name, valueFrom: { secretKeyRef: { name: value.secret, key: name } } };
              }),
            },
          ],
        },
      },
    },
    status: { replicas: 1, readyReplicas: 1 },
  };
}

/** A PostgresTeam. */
export function postgresTeam(namespace: string, name: string, spec: Json): Json {
  return { apiVersion: 'acid.zalan.do/v1', kind: 'PostgresTeam', metadata: { name, namespace }, spec };
}

/** A postgresql as the API server stores it. */
export function postgresql(namespace: string, name: string, spec: Json = {}): Json {
  return {
    apiVersion: 'acid.zalan.do/v1',
    kind: 'postgresql',
    metadata: { name, namespace },
    spec: {
      teamId: 'acid',
      numberOfInstances: 2,
      postgresql: { version: '17' },
      volume: { size: '1Gi' },
      ...spec,
    },
  };
}

/** A ConfigMap holding a DefaultsPolicy under `key`. */
export function defaultsConfigMap(
  namespace: string,
  name: string,
  text: string,
  key = 'defaults.yaml',
): Json {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { [key]: text } };
}
