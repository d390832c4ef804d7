import { POLICY_FIELDS, type PolicyField, type PolicyKey } from './policy-fields.js';

/**
 * The operator's policy as rules see it: one typed value per knob, the operator's own defaults
 * filled in. Quantities stay strings (`250m`, `1Gi`); an empty string means "not set".
 */
export interface OperatorPolicy {
  /** Where the policy came from: `defaults (ConfigMap path)`, a file name, a ConfigMap name. */
  source: string;
  /** Which configuration path the operator reads: it decides defaults. */
  path: 'configmap' | 'operatorconfiguration';

  enableTeamIdClusternamePrefix: boolean;
  superUsername: string;
  replicationUsername: string;
  enablePasswordRotation: boolean;
  additionalOwnerRoles: string[];
  protectedRoleNames: string[];
  enableTeamsApi: boolean;
  enablePostgresTeamCrd: boolean;
  enablePostgresTeamCrdSuperusers: boolean;
  enableTeamSuperuser: boolean;
  enableAdminRoleForUsers: boolean;
  teamAdminRole: string;
  pamRoleName: string;
  postgresSuperuserTeams: string[];
  enableCrossNamespaceSecret: boolean;
  secretNameTemplate: string;

  dockerImage: string;
  majorVersionUpgradeMode: 'off' | 'manual' | 'full';
  majorVersionUpgradeTeamAllowList: string[];
  minimalMajorVersion: string;
  targetMajorVersion: string;

  minCpuLimit: string;
  minMemoryLimit: string;
  maxCpuRequest: string;
  maxMemoryRequest: string;
  defaultCpuRequest: string;
  defaultMemoryRequest: string;
  defaultCpuLimit: string;
  defaultMemoryLimit: string;
  setMemoryRequestToLimit: boolean;
  /** -1 = no minimum. */
  minInstances: number;
  /** -1 = no maximum. */
  maxInstances: number;
  ignoreInstanceLimitsAnnotationKey: string;
  ignoreResourcesLimitsAnnotationKey: string;

  enableSidecars: boolean;
  enableInitContainers: boolean;
  enableShmVolume: boolean;
  /** undefined = not set. */
  spiloFsGroup: number | undefined;
  storageResizeMode: 'ebs' | 'mixed' | 'pvc' | 'off';
  /** Empty = only the operator's own namespace; `*` = all namespaces; else a namespace (or a comma list). */
  watchedNamespace: string;
  enableOwnerReferences: boolean;
  deleteAnnotationDateKey: string;
  deleteAnnotationNameKey: string;

  enableMaintenanceWindows: boolean;
  maintenanceWindows: string[];
  logicalBackupSchedule: string;
  logicalBackupProvider: 'az' | 'gcs' | 's3';
  logicalBackupJobPrefix: string;

  connectionPoolerUser: string;
  connectionPoolerSchema: string;
  connectionPoolerNumberOfInstances: number;
  connectionPoolerMaxDbConnections: number;
  connectionPoolerMode: 'session' | 'transaction';

  enableMasterLoadBalancer: boolean;
  enableReplicaLoadBalancer: boolean;

  enablePatroniFailsafeMode: boolean;
  enableDatabaseAccess: boolean;
  kubernetesUseConfigmaps: boolean;

  /** The namespace the operator runs in, when known (decides what an empty watched_namespace means). */
  operatorNamespace?: string;
  /** Controller ids that operators in this cluster run with (`CONTROLLER_ID`); empty = one operator without id. */
  controllerIds: string[];
}

function emptyOf(field: PolicyField): unknown {
  switch (field.kind) {
    case 'bool':
      return false;
    case 'list':
      return [];
    case 'map':
      return {};
    case 'int':
      return field.key === 'spilo_fsgroup' ? undefined : 0;
    default:
      return '';
  }
}

/** The operator release whose defaults POLICY_FIELDS holds. */
const CURRENT_RELEASE = '2.0.1';

/**
 * How the defaults of earlier operator releases differ from POLICY_FIELDS (v2.0.1), per release: only
 * what a source shows. Each entry names its source; docs/versions.md lists them.
 */
const EARLIER_RELEASES: Readonly<Record<string, Readonly<Partial<OperatorPolicy>>>> = {
  '1.15.1': {
    // operator-behaviour.md (introduction): in v2 `kubernetes_use_configmaps` defaults to true, unlike the
    // v1.x line, where Patroni keeps its leader lock in Endpoints unless the option is set.
    kubernetesUseConfigmaps: false,
    // v1.15.1/configmap.yaml (the release's shipped ConfigMap): Spilo 17 image, upgrades from 13 to 17.
    // In v2.0.1 the shipped values of these keys equal the Go defaults (operator-behaviour.md c.2).
    dockerImage: 'ghcr.io/zalando/spilo-17:4.0-p3',
    minimalMajorVersion: '13',
    targetMajorVersion: '17',
  },
};

/** The operator releases `operatorDefaults` knows, newest first. */
export const POLICY_RELEASES: readonly string[] = [CURRENT_RELEASE, ...Object.keys(EARLIER_RELEASES)];

function defaultsFor(path: OperatorPolicy['path'], release = CURRENT_RELEASE): OperatorPolicy {
  const policy: Record<string, unknown> = {
    source: `operator v${release} defaults (${path === 'configmap' ? 'ConfigMap' : 'OperatorConfiguration'} path)`,
    path,
    controllerIds: [],
  };
  for (const [name, field] of Object.entries(POLICY_FIELDS) as [PolicyKey, PolicyField][]) {
    const value = path === 'configmap' ? field.configMap : field.operatorConfiguration;
    policy[name] = value === undefined ? emptyOf(field) : structuredClone(value);
  }
  Object.assign(policy, structuredClone(EARLIER_RELEASES[release] ?? {}));
  return policy as unknown as OperatorPolicy;
}

/** The operator v2.0.1 defaults when it reads a ConfigMap (Go `default:` tags). */
export const CONFIGMAP_DEFAULTS: Readonly<OperatorPolicy> = Object.freeze(defaultsFor('configmap'));

/** The operator v2.0.1 defaults when it reads an OperatorConfiguration object (CRD defaults and fall-backs). */
export const OPERATOR_CONFIGURATION_DEFAULTS: Readonly<OperatorPolicy> = Object.freeze(
  defaultsFor('operatorconfiguration'),
);

/**
 * The defaults of an operator release (`2.0.1`, `1.15.1`; a leading `v` is fine) on a configuration
 * path; undefined for a release we know nothing about. Earlier releases differ only where a source
 * shows it (docs/versions.md).
 */
export function operatorDefaults(
  release: string,
  path: OperatorPolicy['path'] = 'configmap',
): Readonly<OperatorPolicy> | undefined {
  const bare = release.trim().replace(/^v/, '');
  if (bare === CURRENT_RELEASE)
    return path === 'configmap' ? CONFIGMAP_DEFAULTS : OPERATOR_CONFIGURATION_DEFAULTS;
  if (!Object.hasOwn(EARLIER_RELEASES, bare)) return undefined;
  return Object.freeze(defaultsFor(path, bare));
}

/** A policy from the defaults of a path, with some knobs changed (tests, examples, the library). */
export function policyWith(
  overrides: Partial<OperatorPolicy> = {},
  base: Readonly<OperatorPolicy> = CONFIGMAP_DEFAULTS,
): OperatorPolicy {
  return { ...structuredClone(base as OperatorPolicy), ...overrides };
}
