/** Objects as a cluster holds them, for the tests that read a (fake) API server. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';

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

/** Where the operator's reference files are (beside the repository), and whether its CRDs are there. */
export const REFERENCE = join(import.meta.dirname, '..', '..', '..', 'shared', 'reference');
const CRD_FILES = {
  '2.0.1': join(REFERENCE, 'postgresql.crd.yaml'),
  '1.15.1': join(REFERENCE, 'v1.15.1', 'postgresql.crd.yaml'),
} as const;
export const REFERENCE_CRDS_PRESENT = Object.values(CRD_FILES).every((file) => existsSync(file));

/** The operator's own postgresql CRD of a release, as the API server holds it (from the reference folder). */
export function referenceCrd(release: keyof typeof CRD_FILES): Json {
  return load(readFileSync(CRD_FILES[release], 'utf8')) as Json;
}

/**
 * A small postgresql CRD that matches no shipped release (so it is compiled at run time): these
 * PostgreSQL versions, everything else of the spec free-form.
 */
export function customCrd(versions: readonly string[]): Json {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'postgresqls.acid.zalan.do' },
    spec: {
      group: 'acid.zalan.do',
      names: {
        kind: 'postgresql',
        listKind: 'postgresqlList',
        plural: 'postgresqls',
        singular: 'postgresql',
      },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  'x-kubernetes-preserve-unknown-fields': true,
                  properties: {
                    postgresql: {
                      type: 'object',
                      required: ['version'],
                      properties: { version: { type: 'string', enum: [...versions] } },
                    },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };
}

/** A CRD with a CEL rule on spec, which acid-guard cannot evaluate (so cannot judge with). */
export function crdWithCelRule(crd: Json): Json {
  const copy = structuredClone(crd) as {
    spec: { versions: { schema: { openAPIV3Schema: { properties: { spec: Json } } } }[] };
  };
  for (const version of copy.spec.versions) {
    version.schema.openAPIV3Schema.properties.spec['x-kubernetes-validations'] = [
      { rule: 'self.numberOfInstances > 0' },
    ];
  }
  return copy as unknown as Json;
}
