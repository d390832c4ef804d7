/**
 * The Kubernetes resources acid-guard reads from a cluster, and the REST paths of their collections.
 * Pure data: no client is loaded here.
 */

/** A resource type as the API server serves it. */
export interface ResourceType {
  /** API group; '' for the core group (`/api/v1`). */
  group: string;
  version: string;
  /** The plural name in REST paths and RBAC rules. */
  resource: string;
  kind: string;
  namespaced: boolean;
}

export const CONFIG_MAPS: ResourceType = {
  group: '',
  version: 'v1',
  resource: 'configmaps',
  kind: 'ConfigMap',
  namespaced: true,
};

export const DEPLOYMENTS: ResourceType = {
  group: 'apps',
  version: 'v1',
  resource: 'deployments',
  kind: 'Deployment',
  namespaced: true,
};

export const OPERATOR_CONFIGURATIONS: ResourceType = {
  group: 'acid.zalan.do',
  version: 'v1',
  resource: 'operatorconfigurations',
  kind: 'OperatorConfiguration',
  namespaced: true,
};

export const POSTGRES_TEAMS: ResourceType = {
  group: 'acid.zalan.do',
  version: 'v1',
  resource: 'postgresteams',
  kind: 'PostgresTeam',
  namespaced: true,
};

export const POSTGRESQLS: ResourceType = {
  group: 'acid.zalan.do',
  version: 'v1',
  resource: 'postgresqls',
  kind: 'postgresql',
  namespaced: true,
};

export const CUSTOM_RESOURCE_DEFINITIONS: ResourceType = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  resource: 'customresourcedefinitions',
  kind: 'CustomResourceDefinition',
  namespaced: false,
};

/** The name of the CRD of `postgresql` objects, which the operator registers at start-up. */
export const POSTGRESQL_CRD_NAME = 'postgresqls.acid.zalan.do';

/** `v1` or `acid.zalan.do/v1`: what an object of the type carries in `apiVersion`. */
export function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

/**
 * The REST path of a collection: `/api/v1/namespaces/{namespace}/configmaps`, or across all namespaces
 * (`/apis/acid.zalan.do/v1/postgresqls`) without a namespace.
 */
export function collectionPath(type: ResourceType, namespace?: string): string {
  const base = type.group === '' ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
  if (namespace === undefined || !type.namespaced) return `${base}/${type.resource}`;
  return `${base}/namespaces/${encodeURIComponent(namespace)}/${type.resource}`;
}

/** The `metadata` every object read from the API server has. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  [field: string]: unknown;
}

/** An object as read from the API server: `kind` and `apiVersion` always set (lists leave them out). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** `ConfigMap postgres-operator/postgres-operator`: how messages name an object. */
export function describeObject(kind: string, namespace: string | undefined, name: string): string {
  return `${kind} ${namespace === undefined || namespace === '' ? '' : `${namespace}/`}${name}`;
}

/** `namespace/name` (or `name` for cluster-scoped objects): the key of an object in a store. */
export function objectKey(object: { metadata: { name: string; namespace?: string } }): string {
  const { namespace, name } = object.metadata;
  return namespace === undefined || namespace === '' ? name : `${namespace}/${name}`;
}
