/**
 * The operator's configuration knobs that rules need, with the operator v2.0.1 defaults of both
 * configuration paths (operator-behaviour.md c.2/c.3): the ConfigMap path takes Go `default:` tags,
 * the OperatorConfiguration path takes CRD schema defaults and hard-coded fall-backs — and they differ
 * (e.g. `enable_teams_api`, `enable_postgres_team_crd`, `password_rotation_user_retention`).
 */
export type FieldKind = 'string' | 'bool' | 'int' | 'list' | 'map' | 'duration' | 'quantity';

export interface PolicyField {
  /** The ConfigMap key (also the last segment of the OperatorConfiguration path). */
  key: string;
  /** The OperatorConfiguration group (`configuration.<group>.<key>`), or '' for a top-level key. */
  group: string;
  kind: FieldKind;
  /** Default on the ConfigMap path (Go `default:` tag); undefined = empty/unset. */
  configMap?: unknown;
  /** Default on the OperatorConfiguration path (CRD default or fall-back); undefined = empty/unset. */
  operatorConfiguration?: unknown;
  /** Allowed values, when the operator restricts them. */
  values?: readonly string[];
}

const f = (
  key: string,
  group: string,
  kind: FieldKind,
  configMap?: unknown,
  operatorConfiguration: unknown = configMap,
  values?: readonly string[],
): PolicyField => {
  const field: PolicyField = { key, group, kind };
  if (configMap !== undefined) field.configMap = configMap;
  if (operatorConfiguration !== undefined) field.operatorConfiguration = operatorConfiguration;
  if (values !== undefined) field.values = values;
  return field;
};

export const POLICY_FIELDS = {
  // naming, teams and users
  enableTeamIdClusternamePrefix: f('enable_team_id_clustername_prefix', '', 'bool', false),
  superUsername: f('super_username', 'users', 'string', 'postgres'),
  replicationUsername: f('replication_username', 'users', 'string', 'standby'),
  enablePasswordRotation: f('enable_password_rotation', 'users', 'bool', false),
  additionalOwnerRoles: f('additional_owner_roles', 'users', 'list', []),
  protectedRoleNames: f('protected_role_names', 'teams_api', 'list', ['admin', 'cron_admin']),
  enableTeamsApi: f('enable_teams_api', 'teams_api', 'bool', true, false),
  enablePostgresTeamCrd: f('enable_postgres_team_crd', 'teams_api', 'bool', false, true),
  enablePostgresTeamCrdSuperusers: f('enable_postgres_team_crd_superusers', 'teams_api', 'bool', false),
  enableTeamSuperuser: f('enable_team_superuser', 'teams_api', 'bool', false),
  enableAdminRoleForUsers: f('enable_admin_role_for_users', 'teams_api', 'bool', true),
  teamAdminRole: f('team_admin_role', 'teams_api', 'string', 'admin'),
  pamRoleName: f('pam_role_name', 'teams_api', 'string', 'zalandos'),
  postgresSuperuserTeams: f('postgres_superuser_teams', 'teams_api', 'list', []),
  enableCrossNamespaceSecret: f('enable_cross_namespace_secret', 'kubernetes', 'bool', false),
  secretNameTemplate: f(
    'secret_name_template',
    'kubernetes',
    'string',
    '{username}.{cluster}.credentials.{tprkind}.{tprgroup}',
  ),
  // versions and upgrades
  dockerImage: f('docker_image', '', 'string', 'ghcr.io/zalando/spilo-18:4.1-p2'),
  majorVersionUpgradeMode: f(
    'major_version_upgrade_mode',
    'major_version_upgrade',
    'string',
    'manual',
    'manual',
    ['off', 'manual', 'full'],
  ),
  majorVersionUpgradeTeamAllowList: f(
    'major_version_upgrade_team_allow_list',
    'major_version_upgrade',
    'list',
    [],
  ),
  minimalMajorVersion: f('minimal_major_version', 'major_version_upgrade', 'string', '14'),
  targetMajorVersion: f('target_major_version', 'major_version_upgrade', 'string', '18'),
  // resources and instances
  minCpuLimit: f('min_cpu_limit', 'postgres_pod_resources', 'quantity'),
  minMemoryLimit: f('min_memory_limit', 'postgres_pod_resources', 'quantity'),
  maxCpuRequest: f('max_cpu_request', 'postgres_pod_resources', 'quantity'),
  maxMemoryRequest: f('max_memory_request', 'postgres_pod_resources', 'quantity'),
  defaultCpuRequest: f('default_cpu_request', 'postgres_pod_resources', 'quantity'),
  defaultMemoryRequest: f('default_memory_request', 'postgres_pod_resources', 'quantity'),
  defaultCpuLimit: f('default_cpu_limit', 'postgres_pod_resources', 'quantity'),
  defaultMemoryLimit: f('default_memory_limit', 'postgres_pod_resources', 'quantity'),
  setMemoryRequestToLimit: f('set_memory_request_to_limit', '', 'bool', false),
  minInstances: f('min_instances', '', 'int', -1),
  maxInstances: f('max_instances', '', 'int', -1),
  ignoreInstanceLimitsAnnotationKey: f('ignore_instance_limits_annotation_key', '', 'string'),
  ignoreResourcesLimitsAnnotationKey: f('ignore_resources_limits_annotation_key', '', 'string'),
  // pods
  enableSidecars: f('enable_sidecars', 'kubernetes', 'bool', true),
  enableInitContainers: f('enable_init_containers', 'kubernetes', 'bool', true),
  enableShmVolume: f('enable_shm_volume', '', 'bool', true),
  spiloFsGroup: f('spilo_fsgroup', 'kubernetes', 'int'),
  storageResizeMode: f('storage_resize_mode', 'kubernetes', 'string', 'pvc', 'pvc', [
    'ebs',
    'mixed',
    'pvc',
    'off',
  ]),
  watchedNamespace: f('watched_namespace', 'kubernetes', 'string'),
  enableOwnerReferences: f('enable_owner_references', 'kubernetes', 'bool', false),
  deleteAnnotationDateKey: f('delete_annotation_date_key', 'kubernetes', 'string'),
  deleteAnnotationNameKey: f('delete_annotation_name_key', 'kubernetes', 'string'),
  // maintenance, backup
  enableMaintenanceWindows: f('enable_maintenance_windows', '', 'bool', true),
  maintenanceWindows: f('maintenance_windows', '', 'list', []),
  logicalBackupSchedule: f('logical_backup_schedule', 'logical_backup', 'string', '30 00 * * *'),
  logicalBackupProvider: f('logical_backup_provider', 'logical_backup', 'string', 's3', 's3', [
    'az',
    'gcs',
    's3',
  ]),
  logicalBackupJobPrefix: f('logical_backup_job_prefix', 'logical_backup', 'string', 'logical-backup-'),
  // connection pooler
  connectionPoolerUser: f('connection_pooler_user', 'connection_pooler', 'string', 'pooler'),
  connectionPoolerSchema: f('connection_pooler_schema', 'connection_pooler', 'string', 'pooler'),
  connectionPoolerNumberOfInstances: f(
    'connection_pooler_number_of_instances',
    'connection_pooler',
    'int',
    2,
  ),
  connectionPoolerMaxDbConnections: f('connection_pooler_max_db_connections', 'connection_pooler', 'int', 60),
  connectionPoolerMode: f(
    'connection_pooler_mode',
    'connection_pooler',
    'string',
    'transaction',
    'transaction',
    ['session', 'transaction'],
  ),
  // load balancers and services
  enableMasterLoadBalancer: f('enable_master_load_balancer', 'load_balancer', 'bool', true, false),
  enableReplicaLoadBalancer: f('enable_replica_load_balancer', 'load_balancer', 'bool', false),
  // patroni and database access
  enablePatroniFailsafeMode: f('enable_patroni_failsafe_mode', 'patroni', 'bool', false),
  enableDatabaseAccess: f('enable_database_access', 'debug', 'bool', true),
  kubernetesUseConfigmaps: f('kubernetes_use_configmaps', '', 'bool', true),
} as const satisfies Record<string, PolicyField>;

export type PolicyKey = keyof typeof POLICY_FIELDS;
