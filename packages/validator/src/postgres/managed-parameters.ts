/**
 * Which PostgreSQL parameters Spilo, Patroni or the operator set or control themselves, and whose value
 * wins over `spec.postgresql.parameters`. From ../shared/reference/patroni-managed-parameters.md (Spilo's
 * configure_spilo.py template, Patroni's ConfigHandler and DCS validation) and the operator's routing
 * (operator-behaviour.md §b.16, §b.18).
 */
import type { ParameterUnit } from './parameter-table.js';

export type Manager = 'Patroni' | 'Spilo' | 'the operator';

/**
 * When a manifest value is affected: always; when it is not `on`; when it is `off`; when it differs
 * from Spilo's; when it is below the minimum Patroni accepts; when it is not one of the values Patroni
 * accepts; when `spec.patroni.synchronous_mode` is on; when `spec.streams` is defined; when it drops
 * libraries Spilo preloads.
 */
export type ManagedWhen =
  | { when: 'always' }
  | { when: 'not-on' }
  | { when: 'off' }
  | { when: 'differs'; spiloValue: string }
  | { when: 'below'; minimum: number; unit?: ParameterUnit; fallback: string }
  | { when: 'not-one-of'; accepted: readonly string[]; fallback: string }
  | { when: 'synchronous-mode' }
  | { when: 'streams'; forced: string }
  | { when: 'drops-spilo-libraries' };

export interface ManagedParameter {
  manager: Manager;
  /** Whose value takes effect when the manifest sets one (and the condition holds). */
  winner: Manager | 'the manifest';
  /** What the manager does and what becomes of the manifest value. `{value}`, `{minimum}`, `{fallback}`, `{forced}` and `{missing}` are filled in. */
  effect: string;
  /** What to write instead. */
  hint: string;
  condition: ManagedWhen;
}

const ALWAYS: ManagedWhen = { when: 'always' };

function patroniMinimum(minimum: number, fallback: string, unit?: ParameterUnit): ManagedParameter {
  return {
    manager: 'Patroni',
    winner: 'Patroni',
    effect:
      'Patroni refuses {value} (its minimum is {minimum}) and starts PostgreSQL with {fallback} instead (log: "postgresql parameter … failed validation, defaulting to {fallback}")',
    hint: 'write at least {minimum}',
    condition:
      unit === undefined ? { when: 'below', minimum, fallback } : { when: 'below', minimum, unit, fallback },
  };
}

const RECOVERY_TARGET: ManagedParameter = {
  manager: 'Patroni',
  winner: 'Patroni',
  effect:
    'Patroni takes recovery parameters out of the ordinary ones and clears every recovery target on replicas, so the value has no effect',
  hint: 'remove it; for point-in-time recovery create a clone with spec.clone.timestamp',
  condition: ALWAYS,
};

const RECOVERY_COMMAND: ManagedParameter = {
  manager: 'Patroni',
  winner: 'Patroni',
  effect:
    "Patroni takes recovery parameters out of the ordinary ones and uses them only while a pod is a replica, in place of Spilo's recovery settings (its restore_command fetches WAL from the backup); in a standby cluster spec.standby's settings win",
  hint: 'remove it unless you mean to replace Spilo’s recovery settings; a standby cluster is configured with spec.standby',
  condition: ALWAYS,
};

const PRIMARY_CONNECTION: ManagedParameter = {
  manager: 'Patroni',
  winner: 'Patroni',
  effect:
    'Patroni writes it itself on every replica, pointing at the current primary (or spec.standby’s source), so the value has no effect',
  hint: 'remove it; a standby cluster’s source is spec.standby',
  condition: ALWAYS,
};

function spiloLogging(spiloValue: string): ManagedParameter {
  return {
    manager: 'Spilo',
    winner: 'the manifest',
    effect: `Spilo sets it to ${spiloValue} (CSV logs in ../pg_log, one file per weekday, truncated when reused a week later), which its log rotation and optional log upload expect; {value} replaces that`,
    hint: `remove it, or keep ${spiloValue} unless logs are collected another way`,
    condition: { when: 'differs', spiloValue },
  };
}

const SSL_FILE: ManagedParameter = {
  manager: 'Spilo',
  winner: 'the manifest',
  effect:
    'Spilo points it at the certificate it generates or the one spec.tls provides; a path set here must exist in every pod, or PostgreSQL does not start with ssl on',
  hint: 'configure certificates with spec.tls instead',
  condition: ALWAYS,
};

/** By parameter name (lower case), what manages it; a parameter may have several entries. */
export const MANAGED_PARAMETERS: Readonly<Record<string, readonly ManagedParameter[]>> = {
  listen_addresses: [
    {
      manager: 'Patroni',
      winner: 'Patroni',
      effect:
        'Patroni passes listen_addresses on the command line from its own postgresql.listen (Spilo: every address), which beats any configuration file, so the value is ignored',
      hint: 'remove it; limit access with spec.patroni.pg_hba or allowedSourceRanges',
      condition: ALWAYS,
    },
  ],
  port: [
    {
      manager: 'Patroni',
      winner: 'Patroni',
      effect:
        "Patroni passes port on the command line from its own postgresql.listen (Spilo: 5432, which the operator's services expect), so the value is ignored",
      hint: 'remove it',
      condition: ALWAYS,
    },
  ],
  cluster_name: [
    {
      manager: 'Patroni',
      winner: 'Patroni',
      effect:
        "Patroni sets cluster_name to its scope, the cluster's name, on the command line, so the value is ignored",
      hint: 'remove it',
      condition: ALWAYS,
    },
  ],
  hot_standby: [
    {
      manager: 'Patroni',
      winner: 'Patroni',
      effect: 'Patroni always runs PostgreSQL with hot_standby on and ignores {value}',
      hint: 'remove it',
      condition: { when: 'not-on' },
    },
  ],
  wal_level: [
    {
      manager: 'the operator',
      winner: 'the operator',
      effect:
        'with spec.streams defined, the operator sets wal_level to {forced} for the event streams and {value} is overridden',
      hint: 'remove it or write logical',
      condition: { when: 'streams', forced: 'logical' },
    },
    {
      manager: 'Patroni',
      winner: 'Patroni',
      effect:
        'Patroni accepts only replica (hot_standby) or logical, which replicas need; it ignores {value} and uses {fallback}',
      hint: 'write replica (the default) or logical',
      condition: { when: 'not-one-of', accepted: ['replica', 'hot_standby', 'logical'], fallback: 'replica' },
    },
  ],
  wal_log_hints: [
    {
      manager: 'Spilo',
      winner: 'the manifest',
      effect:
        'Spilo turns wal_log_hints on so that Patroni can bring a failed primary back with pg_rewind; with off (and no data checksums) pg_rewind cannot run and the old primary has to be rebuilt from a base backup (older Patroni releases ignore off)',
      hint: 'remove it',
      condition: { when: 'off' },
    },
  ],
  max_connections: [patroniMinimum(25, '100')],
  max_wal_senders: [patroniMinimum(3, '10')],
  max_replication_slots: [patroniMinimum(4, '10')],
  max_locks_per_transaction: [patroniMinimum(32, '64')],
  max_worker_processes: [patroniMinimum(2, '8')],
  wal_keep_size: [patroniMinimum(16, '128MB', 'MB')],
  primary_conninfo: [PRIMARY_CONNECTION],
  primary_slot_name: [PRIMARY_CONNECTION],
  recovery_target: [RECOVERY_TARGET],
  recovery_target_action: [RECOVERY_TARGET],
  recovery_target_inclusive: [RECOVERY_TARGET],
  recovery_target_lsn: [RECOVERY_TARGET],
  recovery_target_name: [RECOVERY_TARGET],
  recovery_target_time: [RECOVERY_TARGET],
  recovery_target_timeline: [RECOVERY_TARGET],
  recovery_target_xid: [RECOVERY_TARGET],
  restore_command: [RECOVERY_COMMAND],
  archive_cleanup_command: [RECOVERY_COMMAND],
  recovery_end_command: [RECOVERY_COMMAND],
  recovery_min_apply_delay: [RECOVERY_COMMAND],
  promote_trigger_file: [RECOVERY_COMMAND],
  synchronous_standby_names: [
    {
      manager: 'Patroni',
      winner: 'Patroni',
      effect:
        'with spec.patroni.synchronous_mode on, Patroni picks the synchronous standbys itself and rewrites synchronous_standby_names in every loop, so {value} is overwritten',
      hint: 'remove it; set the number of synchronous standbys with spec.patroni.synchronous_node_count',
      condition: { when: 'synchronous-mode' },
    },
  ],
  hba_file: [
    {
      manager: 'Patroni',
      winner: 'the manifest',
      effect:
        "Patroni writes pg_hba.conf (spec.patroni.pg_hba or Spilo's rules) into the data directory and points hba_file at it; another file turns that off, and the file must exist in every pod",
      hint: 'remove it; write the rules in spec.patroni.pg_hba',
      condition: ALWAYS,
    },
  ],
  ident_file: [
    {
      manager: 'Patroni',
      winner: 'the manifest',
      effect:
        'Patroni writes pg_ident.conf into the data directory and points ident_file at it; another file turns that off, and the file must exist in every pod',
      hint: 'remove it',
      condition: ALWAYS,
    },
  ],
  archive_command: [
    {
      manager: 'Spilo',
      winner: 'the manifest',
      effect:
        "Spilo's archive_command pushes WAL to the backup bucket with WAL-G/WAL-E (/bin/true without backups); this value replaces it, so point-in-time recovery and clones from this cluster's backups stop working unless it archives to the same place",
      hint: 'remove it and configure WAL backups through the operator (wal_s3_bucket, wal_gs_bucket, pod environment)',
      condition: ALWAYS,
    },
  ],
  archive_mode: [
    {
      manager: 'Spilo',
      winner: 'the manifest',
      effect:
        'Spilo turns archive_mode on; {value} stops WAL archiving, so there is no point-in-time recovery and no clone from this cluster’s backups',
      hint: 'remove it',
      condition: { when: 'off' },
    },
  ],
  shared_preload_libraries: [
    {
      manager: 'Spilo',
      winner: 'the manifest',
      effect:
        'Spilo preloads its libraries only when the manifest does not set shared_preload_libraries; this list drops {missing} (bg_mon serves monitoring, pgextwlist lets non-superusers create allowed extensions, pg_auth_mon and set_user are Spilo’s audit helpers)',
      hint: 'append the missing ones: {value},{missing}',
      condition: { when: 'drops-spilo-libraries' },
    },
  ],
  logging_collector: [spiloLogging('on')],
  log_destination: [spiloLogging('csvlog')],
  log_directory: [spiloLogging('../pg_log')],
  log_filename: [spiloLogging('postgresql-%u.log')],
  log_file_mode: [spiloLogging('0644')],
  log_rotation_age: [spiloLogging('1d')],
  log_truncate_on_rotation: [spiloLogging('on')],
  ssl_cert_file: [SSL_FILE],
  ssl_key_file: [SSL_FILE],
  ssl_ca_file: [SSL_FILE],
  ssl_crl_file: [SSL_FILE],
};

/** Fills `{value}`, `{missing}`, `{minimum}`, `{fallback}` and `{forced}` into an entry's effect or hint. */
export function fillManaged(text: string, condition: ManagedWhen, value: string, missing: string): string {
  return text.replace(/\{(value|missing|minimum|fallback|forced)\}/g, (_match, word: string) => {
    switch (word) {
      case 'value':
        return value;
      case 'missing':
        return missing;
      case 'minimum':
        return 'minimum' in condition ? `${condition.minimum}${condition.unit ?? ''}` : '';
      case 'fallback':
        return 'fallback' in condition ? condition.fallback : '';
      default:
        return 'forced' in condition ? condition.forced : '';
    }
  });
}

/**
 * `isBootstrapOnlyParameter` (operator §b.18): these keys go into the pods' SPILO_CONFIGURATION (Patroni's
 * local configuration); every other key goes into Patroni's DCS configuration and is later changed
 * through Patroni's REST API.
 */
export const LOCAL_PARAMETERS: ReadonlySet<string> = new Set([
  'archive_command',
  'shared_buffers',
  'logging_collector',
  'log_destination',
  'log_directory',
  'log_filename',
  'log_file_mode',
  'log_rotation_age',
  'log_truncate_on_rotation',
  'ssl',
  'ssl_ca_file',
  'ssl_crl_file',
  'ssl_cert_file',
  'ssl_key_file',
  'shared_preload_libraries',
  'bg_mon.listen_address',
  'bg_mon.history_buckets',
  'pg_stat_statements.track_utility',
  'extwlist.extensions',
  'extwlist.custom_path',
]);

/**
 * `requirePrimaryRestartWhenDecreased` (operator §b.18): when the only pending changes are decreases of
 * these, the operator restarts the primary before the replicas (replicas must never have less).
 */
export const PRIMARY_FIRST_WHEN_DECREASED: ReadonlySet<string> = new Set([
  'max_connections',
  'max_prepared_transactions',
  'max_locks_per_transaction',
  'max_worker_processes',
  'max_wal_senders',
]);

/** Spilo's own values (configure_spilo.py), for `explain`: what a cluster runs with when the manifest is silent. */
export const SPILO_DEFAULTS: Readonly<Record<string, string>> = {
  archive_mode: 'on',
  archive_timeout: '1800s',
  archive_command: 'WAL-G/WAL-E wal-push to the backup bucket (/bin/true without backups)',
  wal_level: 'hot_standby (PostgreSQL: replica)',
  wal_log_hints: 'on',
  wal_compression: 'on',
  max_wal_senders: '10',
  max_replication_slots: '10',
  max_connections: 'one per 30MB of the memory limit, from 100 to 1000',
  hot_standby: 'on',
  shared_buffers: '1/5 of the container memory limit',
  shared_preload_libraries:
    'bg_mon, pg_stat_statements, pgextwlist, pg_auth_mon, set_user, and up to 17 timescaledb, pg_cron, pg_stat_kcache',
  tcp_keepalives_idle: '900',
  tcp_keepalives_interval: '100',
  log_checkpoints: 'on',
  log_lock_waits: 'on',
  log_min_duration_statement: '500',
  log_autovacuum_min_duration: '0',
  log_connections: 'on',
  log_disconnections: 'on',
  log_statement: 'ddl',
  log_temp_files: '0',
  track_functions: 'all',
  checkpoint_completion_target: '0.9',
  autovacuum_max_workers: '5',
  autovacuum_vacuum_scale_factor: '0.05',
  autovacuum_analyze_scale_factor: '0.02',
  logging_collector: 'on',
  log_destination: 'csvlog',
  log_directory: '../pg_log',
  log_filename: 'postgresql-%u.log',
  log_file_mode: '0644',
  log_rotation_age: '1d',
  log_truncate_on_rotation: 'on',
  ssl: 'on',
  ssl_cert_file: 'its generated certificate, or spec.tls’s',
  ssl_key_file: 'its generated key, or spec.tls’s',
};

/** What Spilo preloads when the manifest does not set shared_preload_libraries (spilo_commons.py). */
export function spiloPreloadLibraries(version: string): string[] {
  const always = ['bg_mon', 'pg_stat_statements', 'pgextwlist', 'pg_auth_mon', 'set_user'];
  return Number(version) <= 17 ? [...always, 'timescaledb', 'pg_cron', 'pg_stat_kcache'] : always;
}

/** An extension whose parameters mean something only once its library is preloaded. */
export interface PreloadedExtension {
  /** The parameters' prefix (`cron` for `cron.database_name`). */
  prefix: string;
  library: string;
  /** Loading it per session (session_preload_libraries) is enough. */
  sessionPreloadEnough?: boolean;
}

/**
 * Extensions whose parameters need the library in shared_preload_libraries (their own documentation:
 * without it the parameters are not even defined, or the background worker never starts).
 */
export const PRELOADED_EXTENSIONS: readonly PreloadedExtension[] = [
  { prefix: 'pg_stat_statements', library: 'pg_stat_statements' },
  { prefix: 'auto_explain', library: 'auto_explain', sessionPreloadEnough: true },
  { prefix: 'cron', library: 'pg_cron' },
  { prefix: 'timescaledb', library: 'timescaledb' },
  { prefix: 'pg_stat_kcache', library: 'pg_stat_kcache' },
  { prefix: 'pgaudit', library: 'pgaudit' },
  { prefix: 'pg_wait_sampling', library: 'pg_wait_sampling' },
  { prefix: 'bg_mon', library: 'bg_mon' },
  { prefix: 'pg_partman_bgw', library: 'pg_partman_bgw' },
];

/** The libraries of a `*_preload_libraries` value: comma-separated, quotes, `$libdir/` and `.so` removed. */
export function libraryList(value: string): string[] {
  return value
    .split(',')
    .map((item) =>
      item
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .replace(/^\$libdir\//, '')
        .replace(/\.so$/, ''),
    )
    .filter((item) => item !== '');
}
