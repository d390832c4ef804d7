/**
 * The operator's policy as a cluster holds it: which objects make it up and how they are found — the
 * operator Deployment's env names its ConfigMap or OperatorConfiguration, flags name them directly —
 * and how they are read. The pure functions here are shared by `acid-guard audit` (one read) and the
 * webhook's informers (kept up to date); `readClusterPolicy` is the one read.
 */
import { type PolicyReadOptions, policyFromDocument } from '../policy/load-policy.js';
import { CONFIGMAP_DEFAULTS, type OperatorPolicy, operatorDefaults } from '../policy/operator-policy.js';
import { PolicyError } from '../policy/policy-error.js';
import { buildTeamDirectory, type TeamDirectory } from '../policy/team-directory.js';
import { type PostgresTeamSource, postgresTeamFromObject } from '../policy/teams-file.js';
import { watchedNamespaces } from '../rules/scope.js';
import { KubeApiError, type KubeClient } from './kube-client.js';
import {
  applyOperatorDeployment,
  configRefOf,
  configTypeOf,
  describeRef,
  type OperatorConfigRef,
  type OperatorDeployment,
  operatorDeploymentOf,
} from './operator-deployment.js';
import { DEPLOYMENTS, describeObject, type KubeObject, objectKey, POSTGRES_TEAMS } from './resource-types.js';

/** The name of the operator's Deployment in its manifests and Helm chart. */
export const DEFAULT_OPERATOR_DEPLOYMENT = 'postgres-operator';

/** How to find the operator's configuration (flags of the webhook and of `acid-guard audit`). */
export interface OperatorSelection {
  /** The namespace the operator runs in. */
  namespace?: string;
  /** The operator's Deployment: its env names the configuration object. */
  deployment?: string;
  /** The operator's ConfigMap, named directly (no Deployment is read). */
  configMap?: string;
  /** The operator's OperatorConfiguration, named directly (no Deployment is read). */
  operatorConfiguration?: string;
}

/** The cluster does not hold a usable operator configuration: what is missing or wrong, in one line. */
export class ClusterPolicyError extends Error {
  override readonly name = 'ClusterPolicyError';

  constructor(
    message: string,
    /** The object at fault, when there is one. */
    readonly object?: { kind: string; namespace: string; name: string },
  ) {
    super(message);
  }
}

/** The configuration object the flags name, when they name one. Throws ClusterPolicyError. */
export function configRefFromSelection(selection: OperatorSelection): OperatorConfigRef | undefined {
  const { configMap, operatorConfiguration } = selection;
  if (configMap !== undefined && operatorConfiguration !== undefined) {
    throw new ClusterPolicyError(
      'the operator reads a ConfigMap or an OperatorConfiguration, not both: give --operator-config-name or --operator-configuration-name',
    );
  }
  const name = configMap ?? operatorConfiguration;
  if (name === undefined) return undefined;
  const flag = configMap !== undefined ? '--operator-config-name' : '--operator-configuration-name';
  if (selection.namespace === undefined) {
    throw new ClusterPolicyError(`${flag} needs --operator-namespace: the namespace the operator runs in`);
  }
  return {
    kind: configMap !== undefined ? 'ConfigMap' : 'OperatorConfiguration',
    namespace: selection.namespace,
    name,
    via: flag,
  };
}

/**
 * The operator's policy from its configuration object and, when the configuration was found through
 * it, its Deployment (whose env and flags override the configuration). Keys the configuration leaves
 * out take the defaults of `options.release` (v2.0.1 unless given). Throws PolicyError.
 */
export function operatorPolicyFromObjects(
  config: KubeObject,
  ref: OperatorConfigRef,
  deployment?: OperatorDeployment,
  options: PolicyReadOptions = {},
): { policy: OperatorPolicy; warnings: string[] } {
  const source = describeRef(ref);
  if (config.kind !== ref.kind) {
    throw new PolicyError(source, `expected a ${ref.kind}, got kind ${config.kind}`);
  }
  const { policy, warnings } = policyFromDocument(config, source, options);
  if (deployment !== undefined) warnings.push(...applyOperatorDeployment(policy, deployment));
  else if (policy.operatorNamespace === undefined) policy.operatorNamespace = ref.namespace;
  return { policy, warnings };
}

/**
 * Whether the operator reads PostgresTeam objects of this namespace: those of the namespaces it
 * watches (all of them when the policy cannot tell).
 */
export function teamNamespaceFilter(policy: OperatorPolicy): (namespace: string) => boolean {
  const watched = watchedNamespaces(policy);
  if (watched === 'all' || watched === 'unknown') return () => true;
  return (namespace) => watched.includes(namespace);
}

/** One PostgresTeam object, read as the operator merges it. Throws PolicyError. */
export function postgresTeamSourceOf(object: KubeObject): PostgresTeamSource {
  return postgresTeamFromObject(
    object,
    describeObject('PostgresTeam', object.metadata.namespace, object.metadata.name),
  );
}

/** The team directory the operator would use: PostgresTeam data only with `enable_postgres_team_crd`. */
export function clusterTeamDirectory(
  sources: readonly PostgresTeamSource[],
  policy: OperatorPolicy,
): TeamDirectory {
  return buildTeamDirectory(sources, policy, {
    honourPostgresTeams: policy.enablePostgresTeamCrd,
    honourTeamsFiles: false,
  });
}

/** The policy of a cluster, read once. */
export interface ClusterPolicy {
  policy: OperatorPolicy;
  teams?: TeamDirectory;
  /** What was read but does not take effect as written; what could not be found. */
  warnings: string[];
  /** What the policy was read from, in words. */
  description: string;
}

export interface ReadClusterPolicyOptions {
  /** Told what is being read (`listing deployments`), for a progress line. */
  onStep?: (step: string) => void;
  /**
   * The operator release the cluster runs (known from its CRD, or given): keys its configuration leaves
   * out take that release's defaults, and so does a cluster without an operator Deployment. v2.0.1
   * unless given.
   */
  release?: string;
}

/** `ns/name` of the objects, in order. */
function byKey(objects: readonly KubeObject[]): KubeObject[] {
  return [...objects].sort((a, b) => objectKey(a).localeCompare(objectKey(b)));
}

/** Finds the operator Deployment: the one named, or any Deployment whose container names a configuration. */
async function findDeployment(
  client: KubeClient,
  selection: OperatorSelection,
  warnings: string[],
  onStep: (step: string) => void,
): Promise<OperatorDeployment | undefined> {
  if (selection.deployment !== undefined) {
    if (selection.namespace === undefined) {
      throw new ClusterPolicyError('--operator-deployment needs --operator-namespace');
    }
    onStep(`reading Deployment ${selection.namespace}/${selection.deployment}`);
    const { items } = await client.list(DEPLOYMENTS, {
      namespace: selection.namespace,
      name: selection.deployment,
    });
    const object = items[0];
    if (object === undefined) {
      throw new ClusterPolicyError(
        `Deployment ${selection.namespace}/${selection.deployment} not found: give the operator's namespace and Deployment, or name its configuration with --operator-config-name / --operator-configuration-name`,
      );
    }
    const deployment = operatorDeploymentOf(object);
    if (deployment === undefined) {
      throw new ClusterPolicyError(
        `Deployment ${selection.namespace}/${selection.deployment} sets neither CONFIG_MAP_NAME nor POSTGRES_OPERATOR_CONFIGURATION_OBJECT: is it the postgres-operator?`,
        { kind: 'Deployment', namespace: selection.namespace, name: selection.deployment },
      );
    }
    return deployment;
  }
  const where = selection.namespace === undefined ? 'all namespaces' : `namespace ${selection.namespace}`;
  onStep(`looking for the postgres-operator Deployment in ${where}`);
  const { items } = await client.list(
    DEPLOYMENTS,
    selection.namespace === undefined ? {} : { namespace: selection.namespace },
  );
  const found = byKey(items)
    .map(operatorDeploymentOf)
    .filter((d): d is OperatorDeployment => d !== undefined);
  const first = found[0];
  if (found.length > 1 && first !== undefined) {
    const names = found.map((d) => `${d.namespace}/${d.name}`).join(', ');
    warnings.push(
      `${found.length} postgres-operator Deployments (${names}); using ${first.namespace}/${first.name} (choose with --operator-namespace and --operator-deployment)`,
    );
  }
  return first;
}

/** PostgresTeam objects the operator reads: those of its watched namespaces. Tolerates a missing CRD. */
async function readTeams(
  client: KubeClient,
  policy: OperatorPolicy,
  warnings: string[],
  onStep: (step: string) => void,
): Promise<{ sources: PostgresTeamSource[]; count: number }> {
  const watched = watchedNamespaces(policy);
  const namespaces = watched === 'all' || watched === 'unknown' ? [undefined] : watched;
  const objects: KubeObject[] = [];
  for (const namespace of namespaces) {
    onStep(
      `listing PostgresTeams in ${namespace === undefined ? 'all namespaces' : `namespace ${namespace}`}`,
    );
    try {
      const listed = await client.list(POSTGRES_TEAMS, namespace === undefined ? {} : { namespace });
      objects.push(...listed.items);
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) {
        warnings.push('the API server does not serve PostgresTeam objects (acid.zalan.do/v1): no team data');
        return { sources: [], count: 0 };
      }
      throw error;
    }
  }
  const sources: PostgresTeamSource[] = [];
  for (const object of byKey(objects)) {
    try {
      sources.push(postgresTeamSourceOf(object));
    } catch (error) {
      if (!(error instanceof PolicyError)) throw error;
      warnings.push(`${error.message} (this PostgresTeam is not used)`);
    }
  }
  return { sources, count: objects.length };
}

/**
 * Reads the operator's policy and team data from a cluster, the way the webhook's informers do:
 * the configuration the flags name, else the one the operator Deployment's env names (the Deployment
 * named, else the one found); its WATCHED_NAMESPACE, CONTROLLER_ID and flags applied; the PostgresTeam
 * objects of the watched namespaces when `enable_postgres_team_crd` is on. Without any operator
 * Deployment the operator's defaults (of `options.release`, else v2.0.1) are used, with a warning.
 * Throws KubeApiError (a request failed), ClusterPolicyError (nothing usable) or PolicyError (a value
 * the operator would refuse).
 */
export async function readClusterPolicy(
  client: KubeClient,
  selection: OperatorSelection,
  options: ReadClusterPolicyOptions = {},
): Promise<ClusterPolicy> {
  const onStep = options.onStep ?? (() => {});
  const warnings: string[] = [];
  let ref = configRefFromSelection(selection);
  let deployment: OperatorDeployment | undefined;
  if (ref === undefined) {
    deployment = await findDeployment(client, selection, warnings, onStep);
    if (deployment === undefined) {
      const defaults =
        (options.release === undefined ? undefined : operatorDefaults(options.release)) ?? CONFIGMAP_DEFAULTS;
      warnings.push(
        `no postgres-operator Deployment found in ${selection.namespace === undefined ? 'any namespace' : `namespace ${selection.namespace}`}: judging with the ${defaults.source}; name the configuration with --operator-namespace and --operator-config-name or --operator-configuration-name`,
      );
      return {
        policy: structuredClone(defaults) as OperatorPolicy,
        warnings,
        description: defaults.source,
      };
    }
    const found = configRefOf(deployment);
    if ('problem' in found) {
      throw new ClusterPolicyError(found.problem, {
        kind: 'Deployment',
        namespace: deployment.namespace,
        name: deployment.name,
      });
    }
    ref = found;
  }
  onStep(`reading ${describeRef(ref)}`);
  let items: KubeObject[] = [];
  try {
    items = (await client.list(configTypeOf(ref), { namespace: ref.namespace, name: ref.name })).items;
  } catch (error) {
    // An OperatorConfiguration without its CRD is as missing as one that was never created.
    if (!(error instanceof KubeApiError && error.status === 404)) throw error;
  }
  const config = items[0];
  if (config === undefined) {
    throw new ClusterPolicyError(`${describeRef(ref)} (named by ${ref.via}) not found`, ref);
  }
  const read = operatorPolicyFromObjects(
    config,
    ref,
    deployment,
    options.release === undefined ? {} : { release: options.release },
  );
  warnings.push(...read.warnings);
  let description = `${describeRef(ref)} (named by ${ref.via})`;
  if (!read.policy.enablePostgresTeamCrd) {
    return {
      policy: read.policy,
      warnings,
      description: `${description}; PostgresTeam objects not read (enable_postgres_team_crd is off)`,
    };
  }
  const teams = await readTeams(client, read.policy, warnings, onStep);
  description += `; ${teams.count} PostgresTeam object${teams.count === 1 ? '' : 's'}`;
  if (teams.sources.length === 0) return { policy: read.policy, warnings, description };
  const directory = clusterTeamDirectory(teams.sources, read.policy);
  warnings.push(...directory.notes);
  return { policy: read.policy, teams: directory, warnings, description };
}
