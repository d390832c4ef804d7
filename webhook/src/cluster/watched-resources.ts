/**
 * Exactly what the webhook reads from the API server with `--cluster`, as data: the RBAC rules it
 * needs are these, nothing more (docs/cluster.md shows them as a Role and a ClusterRole). Deploy
 * manifests are checked against `WATCHED_RESOURCES`; `watchedResources(settings)` gives the rules for
 * other names.
 */
import {
  CONFIG_MAPS,
  DEFAULT_OPERATOR_DEPLOYMENT,
  DEPLOYMENTS,
  OPERATOR_CONFIGURATIONS,
  POSTGRES_TEAMS,
  type ResourceType,
} from '@acid-guard/validator';
import { type ClusterSettings, DEFAULT_DEFAULTS_KEY, readsDeployment } from './cluster-settings.js';
import { CUSTOM_RESOURCE_DEFINITIONS, POSTGRESQL_CRD } from './live-schema.js';

/** Read-only verbs: the webhook lists and watches; `get` completes the usual read-only triple. */
export const READ_VERBS = ['get', 'list', 'watch'] as const;

export interface WatchedResource {
  group: string;
  version: string;
  /** The plural, as in RBAC rules. */
  resource: string;
  kind: string;
  namespaced: boolean;
  /**
   * Where the rule must hold: the operator's namespace, the webhook's own, some listed namespaces
   * (a Role in each), or every namespace (a ClusterRole; cluster-scoped resources are always this).
   */
  namespaces: 'operator' | 'webhook' | 'all' | readonly string[];
  verbs: readonly ('get' | 'list' | 'watch')[];
  /** Only these objects (lists and watches then carry `fieldSelector=metadata.name=…`). */
  resourceNames?: readonly string[];
  /** Why the webhook reads it. */
  why: string;
}

/** The name under which the operator's manifests and Helm chart create its ConfigMap or OperatorConfiguration. */
export const DEFAULT_OPERATOR_CONFIG_NAME = 'postgres-operator';
/** The defaults ConfigMap's name in our deploy manifests. */
export const DEFAULT_DEFAULTS_CONFIGMAP = 'acid-guard-defaults';

function rule(
  type: ResourceType,
  namespaces: WatchedResource['namespaces'],
  why: string,
  resourceNames?: readonly string[],
): WatchedResource {
  return {
    group: type.group,
    version: type.version,
    resource: type.resource,
    kind: type.kind,
    namespaced: type.namespaced,
    namespaces,
    verbs: READ_VERBS,
    ...(resourceNames !== undefined && { resourceNames }),
    why,
  };
}

/**
 * What the webhook reads with these settings. When the configuration is found through the operator
 * Deployment, its name comes from the Deployment's env at run time: the rules then allow the name
 * the operator's manifests and Helm chart use (`postgres-operator`), for both kinds.
 */
export function watchedResources(settings: ClusterSettings): WatchedResource[] {
  const rules: WatchedResource[] = [];
  if (readsDeployment(settings)) {
    const deployment = settings.operatorDeployment ?? DEFAULT_OPERATOR_DEPLOYMENT;
    rules.push(
      rule(
        DEPLOYMENTS,
        'operator',
        'its env names the operator configuration; WATCHED_NAMESPACE, CONTROLLER_ID and flags override it',
        [deployment],
      ),
      rule(CONFIG_MAPS, 'operator', 'the operator configuration, when the Deployment sets CONFIG_MAP_NAME', [
        DEFAULT_OPERATOR_CONFIG_NAME,
      ]),
      rule(
        OPERATOR_CONFIGURATIONS,
        'operator',
        'the operator configuration, when the Deployment sets POSTGRES_OPERATOR_CONFIGURATION_OBJECT',
        [DEFAULT_OPERATOR_CONFIG_NAME],
      ),
    );
  } else if (settings.operatorConfigMap !== undefined) {
    rules.push(rule(CONFIG_MAPS, 'operator', 'the operator configuration', [settings.operatorConfigMap]));
  } else if (settings.operatorConfiguration !== undefined) {
    rules.push(
      rule(OPERATOR_CONFIGURATIONS, 'operator', 'the operator configuration', [
        settings.operatorConfiguration,
      ]),
    );
  }
  rules.push(
    rule(
      POSTGRES_TEAMS,
      settings.teamsNamespaces.length === 0 ? 'all' : settings.teamsNamespaces,
      'team data for the team member rules (used when enable_postgres_team_crd is on)',
    ),
  );
  if (settings.defaults !== undefined) {
    const { namespace, name } = settings.defaults;
    rules.push(
      rule(
        CONFIG_MAPS,
        namespace === undefined ? 'webhook' : [namespace],
        'the defaults policy for /mutate',
        [name],
      ),
    );
  }
  rules.push(
    rule(
      CUSTOM_RESOURCE_DEFINITIONS,
      'all',
      'the postgresql CRD the cluster runs: the schema requests are judged with (the built-in one without it)',
      [POSTGRESQL_CRD],
    ),
  );
  return rules;
}

/** The settings our deploy manifests use: the operator found through its Deployment, a defaults ConfigMap. */
export const REFERENCE_SETTINGS: ClusterSettings = {
  operatorNamespace: 'postgres-operator',
  operatorDeployment: DEFAULT_OPERATOR_DEPLOYMENT,
  teamsNamespaces: [],
  defaults: { name: DEFAULT_DEFAULTS_CONFIGMAP, key: DEFAULT_DEFAULTS_KEY },
};

/** What the webhook reads with the reference settings: the RBAC of the deploy manifests. */
export const WATCHED_RESOURCES: readonly WatchedResource[] = watchedResources(REFERENCE_SETTINGS);
