import { closest } from '../suggest.js';
import { CONFIGMAP_DEFAULTS, type OperatorPolicy } from './operator-policy.js';
import { PolicyError } from './policy-error.js';
import { POLICY_FIELDS, type PolicyField, type PolicyKey } from './policy-fields.js';

/** A policy read from an operator configuration, and what in it deserves a look. */
export interface LoadedPolicy {
  policy: OperatorPolicy;
  /** One line each, prefixed with the source: unknown keys (with "did you mean"), surprising values. */
  warnings: string[];
}

/** A warning before it is given its source and position. */
export interface PolicyNote {
  /** Field path in the document (`data.min_instance`), to place the warning in a file. */
  path: string;
  message: string;
  /** Whether the warning is about the key itself (unknown, misplaced) rather than its value. */
  on?: 'key';
}

// ---------------------------------------------------------------------------------------------------
// Go's parsers, as pkg/util/config/util.go:processField applies them to ConfigMap strings.

export type GoParsed<T> = { value: T } | { error: string };

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** strconv.ParseBool. */
export function parseGoBool(text: string): GoParsed<boolean> {
  if (GO_TRUE.has(text)) return { value: true };
  if (GO_FALSE.has(text)) return { value: false };
  return { error: `strconv.ParseBool: parsing ${JSON.stringify(text)}: invalid syntax` };
}

/** strconv.ParseInt / ParseUint with base 0: `-1`, `0x1F`, `0o17`, `017` (octal!), `1_000`. */
export function parseGoInteger(text: string, bits: 32 | 64, unsigned = false): GoParsed<number> {
  const fail = (why: string) => ({
    error: `strconv.${unsigned ? 'ParseUint' : 'ParseInt'}: parsing ${JSON.stringify(text)}: ${why}`,
  });
  let s = text;
  let negative = false;
  if (!unsigned && (s.startsWith('+') || s.startsWith('-'))) {
    negative = s.startsWith('-');
    s = s.slice(1);
  }
  if (s === '') return fail('invalid syntax');
  let base = 10n;
  let digits = s;
  if (s.startsWith('0')) {
    const prefix = s[1]?.toLowerCase();
    if (s.length >= 3 && (prefix === 'b' || prefix === 'o' || prefix === 'x')) {
      base = prefix === 'b' ? 2n : prefix === 'o' ? 8n : 16n;
      digits = s.slice(2);
    } else {
      base = 8n;
      digits = s.slice(1);
    }
  }
  let n = 0n;
  let underscores = false;
  for (const ch of digits) {
    if (ch === '_') {
      underscores = true;
      continue;
    }
    if (!/^[0-9a-z]$/i.test(ch)) return fail('invalid syntax');
    const d = BigInt(Number.parseInt(ch, 36));
    if (d >= base) return fail('invalid syntax');
    n = n * base + d;
  }
  if (underscores && !goUnderscoresOk(s)) return fail('invalid syntax');
  const limit = unsigned ? 2n ** BigInt(bits) - 1n : 2n ** BigInt(bits - 1) - (negative ? 0n : 1n);
  if (n > limit) return fail('value out of range');
  return { value: Number(negative ? -n : n) };
}

/** strconv.underscoreOK: underscores only between digits, or between a base prefix and a digit. */
function goUnderscoresOk(s: string): boolean {
  let saw = '^';
  let i = 0;
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && /[box]/i.test(s[1] as string)) {
    i = 2;
    saw = '0';
    hex = /x/i.test(s[1] as string);
  }
  for (; i < s.length; i++) {
    const c = s[i] as string;
    if (/[0-9]/.test(c) || (hex && /[a-f]/i.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

const NANOSECONDS = new Map<string, bigint>([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n], // micro sign
  ['\u03bcs', 1_000n], // Greek mu
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

/** time.ParseDuration: `30m`, `1h30m`, `1.5s`, `0`; the value in nanoseconds. */
export function parseGoDuration(text: string): GoParsed<bigint> {
  const quoted = JSON.stringify(text);
  const invalid = { error: `time: invalid duration ${quoted}` };
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s.startsWith('-');
    s = s.slice(1);
  }
  if (s === '0') return { value: 0n };
  if (s === '') return invalid;
  let total = 0n;
  while (s !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(s) as RegExpExecArray;
    const whole = number[1] as string;
    const fraction = number[2] ?? '';
    if (whole === '' && fraction === '') return invalid;
    s = s.slice(number[0].length);
    const unitText = /^[^0-9.]*/.exec(s)?.[0] ?? '';
    if (unitText === '') return { error: `time: missing unit in duration ${quoted}` };
    s = s.slice(unitText.length);
    const unit = NANOSECONDS.get(unitText);
    if (unit === undefined)
      return { error: `time: unknown unit ${JSON.stringify(unitText)} in duration ${quoted}` };
    total += BigInt(whole || '0') * unit;
    if (fraction !== '') total += (BigInt(fraction) * unit) / 10n ** BigInt(fraction.length);
    if (total > 2n ** 63n) return invalid;
  }
  if (!negative && total > 2n ** 63n - 1n) return invalid;
  return { value: negative ? -total : total };
}

/** How processField splits a list: on every comma, without trimming and without dropping empty items. */
export function splitGoList(text: string): string[] {
  return text.split(',');
}

/**
 * How processField reads a map (`k1:v1,k2:v2`): pairs split on commas outside quotes and trimmed of
 * spaces and tabs, then each pair split on every `:` — exactly two parts or the operator panics.
 */
export function parseGoMap(text: string): GoParsed<Record<string, string>> {
  const pairs: string[] = [];
  let quote: string | undefined;
  let quoteAt = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      if (quote === undefined) {
        quote = c;
        quoteAt = i;
      } else if (quote === c) quote = undefined;
    }
    if (c === ',' && quote === undefined) {
      pairs.push(text.slice(start, i).replace(/^[ \t]+|[ \t]+$/g, ''));
      start = i + 1;
    }
  }
  if (quote !== undefined) {
    return {
      error: `could not split value ${JSON.stringify(text)} into map items: unmatched quote starting at position ${quoteAt + 1}`,
    };
  }
  pairs.push(text.slice(start).replace(/^[ \t]+|[ \t]+$/g, ''));
  const entries: [string, string][] = [];
  for (const pair of pairs) {
    const parts = pair.split(':');
    if (parts.length !== 2) return { error: `invalid map item: ${JSON.stringify(pair)}` };
    entries.push(parts as [string, string]);
  }
  return { value: Object.fromEntries(entries) };
}

/** The grammar of resource.ParseQuantity (`250m`, `1.5`, `512Mi`, `1e3`), without its range checks. */
export function isKubernetesQuantity(text: string): boolean {
  return /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[KMGTPE]i|[mkMGTPE])?$/.test(text);
}

// ---------------------------------------------------------------------------------------------------
// Every key the operator v2.0.1 reads (operator-behaviour.md c.3), by OperatorConfiguration group.

export type ValueKind =
  | 'string'
  | 'bool'
  | 'int'
  | 'duration'
  | 'list'
  | 'map'
  | 'quantity'
  | 'namespaced-name'
  | 'objects'
  | 'opaque';

export interface OperatorKey {
  /** The ConfigMap key, also the last segment of the OperatorConfiguration path. */
  key: string;
  /** OperatorConfiguration group (`configuration.<group>.<key>`); '' = directly under `configuration`. */
  group: string;
  kind: ValueKind;
  /** int: size of the Go field. */
  bits?: 32 | 64;
  /** int: a Go uint (strconv.ParseUint: `-1` is a syntax error). */
  unsigned?: boolean;
  /** CRD `minimum` (the API server rejects smaller values in an OperatorConfiguration). */
  minimum?: number;
  /** CRD `enum`. */
  values?: readonly string[];
  /** quantity: which CRD pattern applies. */
  resource?: 'cpu' | 'memory';
  /** CRD `pattern` of a plain string. */
  pattern?: string;
  /** The kind on the ConfigMap path when it differs (infrastructure_roles_secrets is one string there). */
  configMapKind?: ValueKind;
  /** Read on one path only. */
  only?: 'configmap' | 'operatorconfiguration';
  /** importConfigurationFromCRD replaces an empty value with a hard-coded one (`util.Coalesce*`). */
  fallback?: boolean;
}

type KeySpec = Pick<
  OperatorKey,
  'kind' | 'bits' | 'unsigned' | 'minimum' | 'values' | 'resource' | 'pattern' | 'configMapKind' | 'only'
>;

const STRING: KeySpec = { kind: 'string' };
const BOOL: KeySpec = { kind: 'bool' };
const LIST: KeySpec = { kind: 'list' };
const MAP: KeySpec = { kind: 'map' };
const DURATION: KeySpec = { kind: 'duration' };
const CPU: KeySpec = { kind: 'quantity', resource: 'cpu' };
const MEMORY: KeySpec = { kind: 'quantity', resource: 'memory' };
const NAMESPACED_NAME: KeySpec = { kind: 'namespaced-name' };
const OPAQUE: KeySpec = { kind: 'opaque' };
const int = (bits: 32 | 64, minimum?: number): KeySpec =>
  minimum === undefined ? { kind: 'int', bits } : { kind: 'int', bits, minimum };
const uint32 = (minimum?: number): KeySpec => ({ ...int(32, minimum), unsigned: true });
const oneOf = (...values: string[]): KeySpec => ({ kind: 'string', values });

const GROUPS: Record<string, Record<string, KeySpec>> = {
  '': {
    crd_categories: LIST,
    docker_image: STRING,
    enable_crd_registration: BOOL,
    enable_lazy_spilo_upgrade: BOOL,
    // Deprecated, ConfigMap only: "is deprecated and takes no effect".
    enable_load_balancer: { kind: 'bool', only: 'configmap' },
    enable_maintenance_windows: BOOL,
    enable_pgversion_env_var: BOOL,
    enable_shm_volume: BOOL,
    enable_spilo_wal_path_compat: BOOL,
    enable_team_id_clustername_prefix: BOOL,
    etcd_host: STRING,
    ignore_instance_limits_annotation_key: STRING,
    ignore_resources_limits_annotation_key: STRING,
    kubernetes_use_configmaps: BOOL,
    maintenance_windows: LIST,
    max_instances: int(32, -1),
    min_instances: int(32, -1),
    repair_period: DURATION,
    resync_period: DURATION,
    set_memory_request_to_limit: BOOL,
    sidecar_docker_images: MAP,
    sidecars: OPAQUE,
    workers: uint32(1),
  },
  users: {
    additional_owner_roles: LIST,
    enable_password_rotation: BOOL,
    password_rotation_interval: uint32(),
    password_rotation_user_retention: uint32(),
    replication_username: STRING,
    super_username: STRING,
  },
  major_version_upgrade: {
    major_version_upgrade_mode: oneOf('off', 'manual', 'full'),
    major_version_upgrade_team_allow_list: LIST,
    minimal_major_version: STRING,
    target_major_version: STRING,
  },
  kubernetes: {
    additional_pod_capabilities: LIST,
    cluster_domain: STRING,
    cluster_labels: MAP,
    cluster_name_label: STRING,
    custom_pod_annotations: MAP,
    delete_annotation_date_key: STRING,
    delete_annotation_name_key: STRING,
    downscaler_annotations: LIST,
    enable_cross_namespace_secret: BOOL,
    enable_finalizers: BOOL,
    enable_init_containers: BOOL,
    enable_owner_references: BOOL,
    enable_persistent_volume_claim_deletion: BOOL,
    enable_pod_antiaffinity: BOOL,
    enable_pod_disruption_budget: BOOL,
    enable_readiness_probe: BOOL,
    enable_secrets_deletion: BOOL,
    enable_sidecars: BOOL,
    ignored_annotations: LIST,
    infrastructure_roles_secret_name: NAMESPACED_NAME,
    infrastructure_roles_secrets: { kind: 'objects', configMapKind: 'string' },
    inherited_annotations: LIST,
    inherited_labels: LIST,
    liveness_probe: { kind: 'opaque', only: 'operatorconfiguration' },
    master_pod_move_timeout: DURATION,
    node_readiness_label: MAP,
    node_readiness_label_merge: oneOf('AND', 'OR'),
    oauth_token_secret_name: NAMESPACED_NAME,
    pdb_master_label_selector: BOOL,
    pdb_name_format: STRING,
    persistent_volume_claim_retention_policy: MAP,
    pod_antiaffinity_preferred_during_scheduling: BOOL,
    pod_antiaffinity_topology_key: STRING,
    pod_environment_configmap: NAMESPACED_NAME,
    pod_environment_secret: STRING,
    pod_management_policy: oneOf('ordered_ready', 'parallel'),
    pod_priority_class_name: STRING,
    pod_role_label: STRING,
    pod_service_account_definition: STRING,
    pod_service_account_name: STRING,
    pod_service_account_role_binding_definition: STRING,
    pod_terminate_grace_period: DURATION,
    secret_name_template: STRING,
    share_pgsocket_with_sidecars: BOOL,
    spilo_allow_privilege_escalation: BOOL,
    spilo_fsgroup: int(64),
    spilo_privileged: BOOL,
    spilo_runasgroup: int(64),
    spilo_runasuser: int(64),
    storage_resize_mode: oneOf('ebs', 'mixed', 'pvc', 'off'),
    toleration: MAP,
    watched_namespace: STRING,
  },
  postgres_pod_resources: {
    default_cpu_limit: CPU,
    default_cpu_request: CPU,
    default_memory_limit: MEMORY,
    default_memory_request: MEMORY,
    max_cpu_request: CPU,
    max_memory_request: MEMORY,
    min_cpu_limit: CPU,
    min_memory_limit: MEMORY,
  },
  timeouts: {
    patroni_api_check_interval: DURATION,
    patroni_api_check_timeout: DURATION,
    pod_deletion_wait_timeout: DURATION,
    pod_label_wait_timeout: DURATION,
    ready_wait_interval: DURATION,
    ready_wait_timeout: DURATION,
    resource_check_interval: DURATION,
    resource_check_timeout: DURATION,
  },
  load_balancer: {
    custom_service_annotations: MAP,
    db_hosted_zone: STRING,
    enable_master_load_balancer: BOOL,
    enable_master_node_port: BOOL,
    enable_master_pooler_load_balancer: BOOL,
    enable_master_pooler_node_port: BOOL,
    enable_replica_load_balancer: BOOL,
    enable_replica_node_port: BOOL,
    enable_replica_pooler_load_balancer: BOOL,
    enable_replica_pooler_node_port: BOOL,
    external_traffic_policy: oneOf('Cluster', 'Local'),
    master_dns_name_format: STRING,
    master_legacy_dns_name_format: STRING,
    replica_dns_name_format: STRING,
    replica_legacy_dns_name_format: STRING,
  },
  aws_or_gcp: {
    additional_secret_mount: STRING,
    additional_secret_mount_path: STRING,
    aws_region: STRING,
    gcp_credentials: STRING,
    irsa_role_arn: STRING,
    kube_iam_role: STRING,
    log_s3_bucket: STRING,
    wal_az_storage_account: STRING,
    wal_gs_bucket: STRING,
    wal_s3_bucket: STRING,
  },
  logical_backup: {
    logical_backup_azure_storage_account_key: STRING,
    logical_backup_azure_storage_account_name: STRING,
    logical_backup_azure_storage_container: STRING,
    logical_backup_cpu_limit: CPU,
    logical_backup_cpu_request: CPU,
    logical_backup_cronjob_environment_secret: STRING,
    logical_backup_docker_image: STRING,
    logical_backup_failed_jobs_history_limit: int(32, 0),
    logical_backup_google_application_credentials: STRING,
    logical_backup_job_prefix: STRING,
    logical_backup_memory_limit: MEMORY,
    logical_backup_memory_request: MEMORY,
    logical_backup_provider: oneOf('az', 'gcs', 's3'),
    logical_backup_s3_access_key_id: STRING,
    logical_backup_s3_bucket: STRING,
    logical_backup_s3_bucket_prefix: STRING,
    logical_backup_s3_endpoint: STRING,
    logical_backup_s3_region: STRING,
    logical_backup_s3_retention_time: STRING,
    logical_backup_s3_secret_access_key: STRING,
    logical_backup_s3_sse: STRING,
    logical_backup_schedule: { kind: 'string', pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$' },
    logical_backup_successful_jobs_history_limit: int(32, 0),
    logical_backup_ttl_seconds_after_finished: int(32, 0),
  },
  debug: {
    debug_logging: BOOL,
    enable_database_access: BOOL,
  },
  teams_api: {
    enable_admin_role_for_users: BOOL,
    enable_postgres_team_crd: BOOL,
    enable_postgres_team_crd_superusers: BOOL,
    enable_team_member_deprecation: BOOL,
    enable_team_superuser: BOOL,
    enable_teams_api: BOOL,
    pam_configuration: STRING,
    pam_role_name: STRING,
    postgres_superuser_teams: LIST,
    protected_role_names: LIST,
    role_deletion_suffix: STRING,
    team_admin_role: STRING,
    team_api_role_configuration: MAP,
    teams_api_url: STRING,
  },
  logging_rest_api: {
    api_port: int(64),
    cluster_history_entries: int(64),
    ring_log_lines: int(64),
  },
  scalyr: {
    scalyr_api_key: STRING,
    scalyr_cpu_limit: CPU,
    scalyr_cpu_request: CPU,
    scalyr_image: STRING,
    scalyr_memory_limit: MEMORY,
    scalyr_memory_request: MEMORY,
    scalyr_server_url: STRING,
  },
  connection_pooler: {
    connection_pooler_default_cpu_limit: CPU,
    connection_pooler_default_cpu_request: CPU,
    connection_pooler_default_memory_limit: MEMORY,
    connection_pooler_default_memory_request: MEMORY,
    connection_pooler_image: STRING,
    connection_pooler_max_db_connections: int(32),
    connection_pooler_mode: oneOf('session', 'transaction'),
    connection_pooler_number_of_instances: int(32, 1),
    connection_pooler_schema: STRING,
    connection_pooler_user: STRING,
  },
  patroni: {
    enable_patroni_failsafe_mode: BOOL,
  },
};

/** Keys that importConfigurationFromCRD coalesces to a hard-coded value when empty (c.3). */
const FALLBACK_KEYS = new Set(
  `enable_crd_registration crd_categories kubernetes_use_configmaps docker_image workers resync_period
  repair_period enable_shm_volume enable_maintenance_windows super_username replication_username
  password_rotation_interval password_rotation_user_retention major_version_upgrade_mode
  minimal_major_version target_major_version enable_owner_references pod_service_account_name
  pod_terminate_grace_period spilo_allow_privilege_escalation cluster_domain pdb_master_label_selector
  enable_pod_disruption_budget storage_resize_mode enable_init_containers enable_sidecars
  share_pgsocket_with_sidecars enable_finalizers pod_role_label cluster_labels cluster_name_label
  pod_management_policy enable_secrets_deletion enable_persistent_volume_claim_deletion
  master_pod_move_timeout pod_antiaffinity_topology_key patroni_api_check_interval
  patroni_api_check_timeout pod_deletion_wait_timeout pod_label_wait_timeout ready_wait_interval
  ready_wait_timeout resource_check_interval resource_check_timeout db_hosted_zone
  external_traffic_policy logical_backup_schedule logical_backup_docker_image logical_backup_provider
  logical_backup_s3_bucket_prefix logical_backup_job_prefix logical_backup_failed_jobs_history_limit
  logical_backup_successful_jobs_history_limit debug_logging enable_database_access teams_api_url
  team_api_role_configuration pam_role_name pam_configuration protected_role_names role_deletion_suffix
  api_port ring_log_lines cluster_history_entries enable_patroni_failsafe_mode
  connection_pooler_number_of_instances connection_pooler_schema connection_pooler_user
  connection_pooler_image connection_pooler_mode connection_pooler_max_db_connections`.split(/\s+/),
);

/** Every key the operator reads, by its (ConfigMap) name. */
export const OPERATOR_KEYS: ReadonlyMap<string, OperatorKey> = new Map(
  Object.entries(GROUPS).flatMap(([group, keys]) =>
    Object.entries(keys).map(([key, spec]): [string, OperatorKey] => {
      const entry: OperatorKey = { key, group, ...spec };
      if (FALLBACK_KEYS.has(key)) entry.fallback = true;
      return [key, entry];
    }),
  ),
);

/** The OperatorConfiguration groups (objects under `configuration`). */
export const OPERATOR_CONFIGURATION_GROUPS: readonly string[] = Object.keys(GROUPS).filter((g) => g !== '');

/** Keys of operator v1.x that v2.0.1 no longer reads (in v1.15.1's shipped ConfigMap, absent from v2.0.1's). */
export const REMOVED_KEYS: ReadonlyMap<string, string> = new Map([
  ['enable_crd_validation', ''],
  ['enable_ebs_gp3_migration', 'aws_or_gcp'],
  ['enable_ebs_gp3_migration_max_size', 'aws_or_gcp'],
]);

/** The operator's own start-up warnings for deprecated keys (controller.go: warnOnDeprecatedOperatorParameters). */
export const DEPRECATED_KEYS: ReadonlyMap<string, string> = new Map([
  [
    'enable_load_balancer',
    "Operator configuration parameter 'enable_load_balancer' is deprecated and takes no effect. Consider using the 'enable_master_load_balancer' or 'enable_replica_load_balancer' instead.",
  ],
  [
    'sidecar_docker_images',
    "Operator configuration parameter 'sidecar_docker_images' is deprecated. Consider using 'sidecars' instead.",
  ],
]);

/** The policy fields with their names, in table order. */
export const POLICY_ENTRIES = Object.entries(POLICY_FIELDS) as [PolicyKey, PolicyField][];

// ---------------------------------------------------------------------------------------------------
// Shared wording.

/** A value as the user wrote it: strings quoted, everything else as YAML would show it. */
export function shown(value: unknown): string {
  if (value === undefined) return 'unset';
  return JSON.stringify(value) ?? String(value);
}

/** `a number`, `a list`, ... for a value of the wrong type. */
export function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return `a ${typeof value}`;
}

export function quantityHint(resource: 'cpu' | 'memory' | undefined): string {
  if (resource === 'cpu') return 'write CPU as millicores or cores, e.g. "250m" or "1"';
  if (resource === 'memory') return 'write memory with a unit, e.g. "256Mi" or "1Gi"';
  return 'write a Kubernetes quantity, e.g. "250m" for CPU or "256Mi" for memory';
}

export function enumText(values: readonly string[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

/** A map key as a field path segment: `.key`, or `[key]` when it holds a dot. */
export function childPath(base: string, name: string): string {
  if (name === '') return base;
  if (/[.[\]]/.test(name)) return `${base}[${name}]`;
  return base === '' ? name : `${base}.${name}`;
}

/** What a namespaced name (`namespace/name` or `name`) lacks, if anything (spec.NamespacedName.Decode). */
export function namespacedNameProblem(text: string): string | undefined {
  const slash = text.indexOf('/');
  const name = slash < 0 ? text : text.slice(slash + 1).replace(/^\/+/, '');
  return name === '' ? 'has no name after the "/"' : undefined;
}

// ---------------------------------------------------------------------------------------------------
// The ConfigMap path (pkg/util/config: NewFromMap, processField, validate).

const PANICS = 'the operator panics at start';

/**
 * What an explicitly empty value leaves behind. NewFromMap skips `""` (it applies the default only to
 * missing keys), so the field keeps Go's zero value — except where the field is a pointer whose nil the
 * operator reads differently.
 */
const EMPTY_VALUE_EFFECT: Partial<Record<PolicyKey, unknown>> = {
  // *bool: nil is "not disabled" (the operator only rejects sidecars/initContainers when set to false).
  enableSidecars: true,
  enableInitContainers: true,
  // *int32: nil falls back to the operator's constant when it builds a pooler.
  connectionPoolerMaxDbConnections: 60,
};

function zeroOf(name: PolicyKey, field: PolicyField): unknown {
  if (name in EMPTY_VALUE_EFFECT) return EMPTY_VALUE_EFFECT[name];
  switch (field.kind) {
    case 'bool':
      return false;
    case 'int':
      return field.key === 'spilo_fsgroup' ? undefined : 0;
    case 'list':
      return [];
    case 'map':
      return {};
    default:
      return '';
  }
}

interface ConfigMapContext {
  source: string;
  /** Path of the data map in its document: `data`, or '' for a bare map. */
  prefix: string;
  notes: PolicyNote[];
  /** What a missing key is: the ConfigMap-path defaults of the operator release judged for. */
  defaults: Readonly<OperatorPolicy>;
}

/** The ConfigMap's values as the API server stores them: strings, or the reason the ConfigMap is refused. */
function stringData(data: Record<string, unknown>, context: ConfigMapContext): Map<string, string> {
  const strings = new Map<string, string>();
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === 'string') strings.set(key, value);
    // A null value arrives as "" (JSON null into a Go string leaves it empty).
    else if (value === null || value === undefined) strings.set(key, '');
    else {
      const written = typeof value === 'object' ? '' : String(value);
      throw new PolicyError(
        context.source,
        `${key}: ${shown(value)} is ${typeOf(value)}, but ConfigMap data values must be strings: the API server rejects the ConfigMap`,
        {
          path: childPath(context.prefix, key),
          hint: written === '' ? 'write the value as one string' : `quote it: ${key}: "${written}"`,
        },
      );
    }
  }
  return strings;
}

function noteUnknownConfigMapKey(key: string, context: ConfigMapContext): void {
  const path = childPath(context.prefix, key);
  const spec = OPERATOR_KEYS.get(key);
  let message: string;
  if (spec?.only === 'operatorconfiguration') {
    message = `${key}: can only be set in an OperatorConfiguration; the operator ignores it in a ConfigMap`;
  } else if (REMOVED_KEYS.has(key)) {
    message = `${key}: not read by operator v2.0.1 (a v1.x setting); the operator ignores it, remove it`;
  } else {
    const candidates = [...OPERATOR_KEYS.values()]
      .filter((k) => k.only !== 'operatorconfiguration')
      .map((k) => k.key);
    const suggestion = closest(key, candidates);
    message = `${key}: not an operator v2.0.1 setting; the operator ignores it${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`;
  }
  context.notes.push({ path, message, on: 'key' });
}

/** Parses one non-empty ConfigMap value the way processField does; throws what the operator would panic on. */
function readConfigMapValue(spec: OperatorKey, text: string, context: ConfigMapContext): unknown {
  const path = childPath(context.prefix, spec.key);
  const fail = (problem: string, hint: string): never => {
    throw new PolicyError(context.source, `${spec.key}: ${shown(text)} ${problem}`, { path, hint });
  };
  switch (spec.configMapKind ?? spec.kind) {
    case 'bool': {
      const parsed = parseGoBool(text);
      if ('error' in parsed)
        return fail(`is not a boolean: ${PANICS} (${parsed.error})`, 'write "true" or "false"');
      return parsed.value;
    }
    case 'int': {
      const parsed = parseGoInteger(text, spec.bits ?? 64, spec.unsigned);
      if ('error' in parsed) {
        const what = spec.unsigned ? 'a non-negative integer' : `an integer`;
        const range = parsed.error.endsWith('out of range') ? ` in ${spec.bits}-bit range` : '';
        return fail(
          `is not ${what}${range}: ${PANICS} (${parsed.error})`,
          `write a whole number, e.g. "${spec.unsigned ? 8 : -1}"`,
        );
      }
      if (/^[+-]?0[0-7_]+$/.test(text) && Number(text.replaceAll('_', '')) !== parsed.value) {
        context.notes.push({
          path,
          message: `${spec.key}: ${shown(text)} starts with 0, so Go reads it as octal: ${parsed.value}`,
        });
      }
      return parsed.value;
    }
    case 'duration': {
      const parsed = parseGoDuration(text);
      if ('error' in parsed) {
        return fail(
          `is not a duration: ${PANICS} (${parsed.error})`,
          'write a Go duration such as "30m", "1h30m" or "10s"',
        );
      }
      return text;
    }
    case 'list': {
      const items = splitGoList(text);
      noteListSpacing(spec.key, path, text, items, context);
      return items;
    }
    case 'map': {
      const parsed = parseGoMap(text);
      if ('error' in parsed)
        return fail(`is not a map: ${PANICS} (${parsed.error})`, 'write "key1:value1,key2:value2"');
      return parsed.value;
    }
    case 'quantity':
      if (!isKubernetesQuantity(text))
        return fail('is not a Kubernetes quantity', quantityHint(spec.resource));
      return text;
    case 'namespaced-name': {
      const problem = namespacedNameProblem(text);
      if (problem) return fail(`${problem}: ${PANICS}`, 'write "name" or "namespace/name"');
      return text;
    }
    case 'string':
      if (spec.values && !spec.values.includes(text))
        return fail(`is not one of ${enumText(spec.values)}`, `write one of ${enumText(spec.values)}`);
      return text;
    default:
      return text;
  }
}

/** The operator does not trim list items: ` cron_admin` is not `cron_admin`. */
function noteListSpacing(
  key: string,
  path: string,
  text: string,
  items: string[],
  context: ConfigMapContext,
): void {
  const tidy = items.map((item) => item.trim()).filter((item) => item !== '');
  const spaced = items.find((item) => item !== '' && item !== item.trim());
  if (spaced !== undefined) {
    context.notes.push({
      path,
      message: `${key}: item ${shown(spaced)} keeps its spaces (the operator splits on "," without trimming); write ${shown(tidy.join(','))}`,
    });
  }
  if (items.some((item) => item === '')) {
    context.notes.push({
      path,
      message: `${key}: ${shown(text)} has an empty item (the operator keeps it); write ${shown(tidy.join(','))}`,
    });
  }
}

/** The operator's own start-up validation (config.validate): the last failing check is what it panics with. */
function startupFailure(
  policy: OperatorPolicy,
  workers: number,
  prefix: string,
): { message: string; path: string; hint: string } | undefined {
  let failure: { message: string; path: string; hint: string } | undefined;
  const { minInstances: min, maxInstances: max } = policy;
  if (min > 0 && max > 0 && min > max) {
    failure = {
      message: `minimum number of instances ${min} is set higher than the maximum number ${max}`,
      path: childPath(prefix, 'min_instances'),
      hint: 'make min_instances at most max_instances (-1 turns a limit off)',
    };
  }
  if (workers === 0) {
    failure = {
      message: 'number of workers should be higher than 0',
      path: childPath(prefix, 'workers'),
      hint: 'set workers to a positive number, e.g. "8", or remove the key',
    };
  }
  if (policy.connectionPoolerNumberOfInstances < 1) {
    failure = {
      message: 'number of connection pooler instances should be higher than 1',
      path: childPath(prefix, 'connection_pooler_number_of_instances'),
      hint: 'set connection_pooler_number_of_instances to at least "1" (the default is "2")',
    };
  }
  if (policy.connectionPoolerUser === policy.superUsername) {
    failure = {
      message: `connection pool user is not allowed to be the same as super user, username: ${policy.superUsername}`,
      path: childPath(prefix, 'connection_pooler_user'),
      hint: 'give connection_pooler_user its own name, e.g. "pooler"',
    };
  }
  return failure;
}

const POLICY_BY_KEY = new Map(POLICY_ENTRIES.map(([name, field]) => [field.key, { name, field }]));

/**
 * What an explicitly empty value becomes (NewFromMap skips it, so the field keeps Go's zero value),
 * with a warning when that is not the default; undefined for keys that are not policy knobs.
 */
function readEmptyValue(spec: OperatorKey, context: ConfigMapContext): { value: unknown } | undefined {
  const path = childPath(context.prefix, spec.key);
  const knob = POLICY_BY_KEY.get(spec.key);
  if (knob === undefined) return undefined;
  // The operator would run with "" here, which none of its modes means.
  if (spec.values) {
    throw new PolicyError(context.source, `${spec.key}: "" is not one of ${enumText(spec.values)}`, {
      path,
      hint: `write one of ${enumText(spec.values)}, or remove the key to get the default`,
    });
  }
  if (knob.name === 'connectionPoolerNumberOfInstances') {
    throw new PolicyError(
      context.source,
      `${spec.key}: an empty value leaves the setting unset (nil) and ${PANICS} (nil pointer dereference in its configuration check)`,
      { path, hint: 'remove the key (default "2") or write a number' },
    );
  }
  const zero = zeroOf(knob.name, knob.field);
  const standard = (context.defaults as unknown as Record<string, unknown>)[knob.name];
  if (JSON.stringify(zero) !== JSON.stringify(standard)) {
    context.notes.push({
      path,
      message: `${spec.key}: the operator skips an empty value, so this is ${shown(zero)}, not the default ${shown(standard)}; remove the key to get the default`,
    });
  }
  return { value: zero };
}

/**
 * Reads ConfigMap data into a policy; warnings come back as notes with their field paths. Keys the
 * data leaves out take `defaults`: the ConfigMap-path defaults of the operator release judged for
 * (`operatorDefaults(release, 'configmap')`), v2.0.1's unless told.
 */
export function readConfigMapData(
  data: Record<string, unknown>,
  source: string,
  prefix = '',
  defaults: Readonly<OperatorPolicy> = CONFIGMAP_DEFAULTS,
): { policy: OperatorPolicy; notes: PolicyNote[] } {
  const context: ConfigMapContext = { source, prefix, notes: [], defaults };
  const strings = stringData(data, context);
  const parsed = new Map<string, unknown>();
  for (const [key, text] of strings) {
    const spec = OPERATOR_KEYS.get(key);
    if (spec === undefined || spec.only === 'operatorconfiguration') {
      noteUnknownConfigMapKey(key, context);
      continue;
    }
    const deprecation = DEPRECATED_KEYS.get(key);
    if (deprecation !== undefined && text !== '') {
      context.notes.push({ path: childPath(prefix, key), message: `${key}: ${deprecation}` });
    }
    if (text !== '') parsed.set(key, readConfigMapValue(spec, text, context));
    else {
      const empty = readEmptyValue(spec, context);
      if (empty !== undefined) parsed.set(key, empty.value);
    }
  }

  const policy = structuredClone(defaults as OperatorPolicy);
  const values = policy as unknown as Record<string, unknown>;
  for (const [name, field] of POLICY_ENTRIES) {
    if (parsed.has(field.key)) values[name] = parsed.get(field.key);
  }
  policy.source = source;
  policy.path = 'configmap';

  const workersText = strings.get('workers');
  const workers = workersText === undefined ? 8 : workersText === '' ? 0 : (parsed.get('workers') as number);
  const failure = startupFailure(policy, workers, prefix);
  if (failure) {
    throw new PolicyError(source, `${failure.message}: ${PANICS} with this message`, {
      path: failure.path,
      hint: failure.hint,
    });
  }
  return { policy, notes: context.notes };
}

/** `source: message` lines from notes. */
export function formatNotes(source: string, notes: readonly PolicyNote[]): string[] {
  return notes.map((note) => `${source}: ${note.message}`);
}

/**
 * The operator's policy from the `data` of its ConfigMap (CONFIG_MAP_NAME): flat string values parsed
 * the way the operator parses them, missing keys at their ConfigMap-path defaults. Unknown keys are
 * ignored like the operator ignores them, and reported as warnings. Throws a PolicyError for what the
 * operator would panic on at start, and for values that are not strings (the API server refuses those).
 */
export function policyFromConfigMap(
  data: Record<string, unknown>,
  source: string,
  defaults: Readonly<OperatorPolicy> = CONFIGMAP_DEFAULTS,
): LoadedPolicy {
  const { policy, notes } = readConfigMapData(data, source, '', defaults);
  return { policy, warnings: formatNotes(source, notes) };
}
