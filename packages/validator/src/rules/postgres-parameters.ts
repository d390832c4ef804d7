import { child, key } from '../field-path.js';
import {
  fillManaged,
  LOCAL_PARAMETERS,
  libraryList,
  MANAGED_PARAMETERS,
  type ManagedParameter,
  type ManagedWhen,
  PRELOADED_EXTENSIONS,
  PRIMARY_FIRST_WHEN_DECREASED,
  spiloPreloadLibraries,
} from '../postgres/managed-parameters.js';
import {
  explainAbsence,
  hasParameterTable,
  lookupParameter,
  type ParameterDefinition,
} from '../postgres/parameter-table.js';
import {
  checkParameterValue,
  isMemoryUnit,
  parseEnumSetting,
  parseIntegerSetting,
  parsePostgresBool,
  type ValueCheck,
} from '../postgres/parameter-values.js';
import { closest } from '../suggest.js';
import type { Problem, Rule } from './rule.js';
import type { RuleContext } from './rule-context.js';

type Manifest = RuleContext['object'];

const PARAMETERS_PATH = child(child('spec', 'postgresql'), 'parameters');

/** `password_encryption` values are judged by parameters/password-encryption (rules/parameters.ts). */
const JUDGED_ELSEWHERE = new Set(['password_encryption']);

interface Setting {
  /** As written in the manifest. */
  name: string;
  value: string;
  path: string;
}

function settings(object: Manifest | undefined): Setting[] {
  const parameters = object?.spec?.postgresql?.parameters;
  if (parameters === undefined) return [];
  const out: Setting[] = [];
  for (const [name, value] of Object.entries(parameters)) {
    if (typeof value === 'string') out.push({ name, value, path: key(PARAMETERS_PATH, name) });
  }
  return out;
}

/** The manifest's PostgreSQL version when there is a parameter table for it (the schema reports others). */
function tableVersion(object: Manifest): string | undefined {
  const version = object.spec?.postgresql?.version;
  return hasParameterTable(version) ? version : undefined;
}

function setting(object: Manifest | undefined, name: string): Setting | undefined {
  return settings(object).find((s) => s.name.toLowerCase() === name);
}

interface KnownSetting {
  setting: Setting;
  definition: ParameterDefinition;
  version: string;
}

/** The settings of PostgreSQL's own parameters that the manifest's version knows, with their definitions. */
function knownSettings(object: Manifest): KnownSetting[] {
  const version = tableVersion(object);
  if (version === undefined) return [];
  const known: KnownSetting[] = [];
  for (const s of settings(object)) {
    if (s.name.includes('.')) continue;
    const definition = lookupParameter(version, s.name);
    if (definition !== undefined) known.push({ setting: s, definition, version });
  }
  return known;
}

const EXAMPLE = (lines: string) => `spec:\n  postgresql:\n    parameters:\n${lines}`;

// --- unknown -----------------------------------------------------------------------------------------

/** postgresql.conf's grammar for a qualified name (`guc-file.l`: QUALIFIED_ID = ID "." ID). */
const EXTENSION_NAME =
  /^[A-Za-z_\P{ASCII}][A-Za-z0-9_\P{ASCII}]*\.[A-Za-z_\P{ASCII}][A-Za-z0-9_\P{ASCII}]*$/u;

function unknownProblem(version: string, name: string, path: string): Problem {
  const unrecognized = `unrecognized configuration parameter "${name}"`;
  const absence = explainAbsence(version, name);
  switch (absence.kind) {
    case 'removed': {
      const { use, note } = absence.replacement ?? {};
      return {
        path,
        message: `${unrecognized}: PostgreSQL ${version} does not have it, it was removed in ${absence.removedIn}`,
        hint:
          use !== undefined ? `use ${use}${note ? ` (${note})` : ''}` : `remove it${note ? `: ${note}` : ''}`,
      };
    }
    case 'new': {
      const use = absence.replacement?.use;
      return {
        path,
        message: `${unrecognized}: it is new in PostgreSQL ${absence.newIn}, this cluster runs ${version}`,
        hint:
          use !== undefined
            ? `on ${version} write ${use}`
            : `remove it, or raise spec.postgresql.version to ${absence.newIn}`,
      };
    }
    case 'debug-build':
      return {
        path,
        message: `${unrecognized}: it exists only in PostgreSQL builds with debugging options, not in Spilo's`,
        hint: 'remove it',
      };
    default:
      return {
        path,
        message: `${unrecognized} in PostgreSQL ${version}`,
        hint:
          absence.suggestion !== undefined
            ? `did you mean "${absence.suggestion}"?`
            : `remove it; acid-guard explain parameter NAME --version ${version} shows what a name means`,
      };
  }
}

export const unknownParameter: Rule = {
  id: 'parameters/unknown',
  severity: 'error',
  target: 'key',
  summary:
    'A parameter the manifest’s PostgreSQL version does not have (a typo, removed or newer), or an extension parameter name that is not `prefix.name`.',
  why: 'The operator passes every key on. Patroni drops a parameter the server does not know from postgresql.conf with only a log line ("Removing unexpected parameter"), so the setting silently has no effect. An extension parameter name with more than one dot or other characters is a syntax error in postgresql.conf, and PostgreSQL does not start.',
  bad: EXAMPLE('      shared_buffer: 512MB\n'),
  good: EXAMPLE('      shared_buffers: 512MB\n'),
  *check({ object }) {
    const version = tableVersion(object);
    if (version === undefined) return;
    for (const { name, path } of settings(object)) {
      if (name.includes('.')) {
        if (!EXTENSION_NAME.test(name)) {
          yield {
            path,
            message: `"${name}" is not a valid parameter name: an extension's parameter is two identifiers joined by one dot, and postgresql.conf does not accept anything else`,
            hint: 'write it as prefix.name (letters, digits and _), e.g. pg_stat_statements.max',
          };
        }
        continue;
      }
      if (lookupParameter(version, name) === undefined) yield unknownProblem(version, name, path);
    }
  },
};

// --- invalid-value and out-of-range -------------------------------------------------------------------

function numberHint(definition: ParameterDefinition): string {
  const number = definition.type === 'integer' ? 'a whole number' : 'a number';
  if (definition.unit === undefined) return `write ${number}`;
  const units = isMemoryUnit(definition.unit) ? 'B, kB, MB, GB, TB' : 'us, ms, s, min, h, d';
  return `write ${number}, optionally with a unit (${units}; without one it counts ${definition.unit})`;
}

function invalidHint(
  definition: ParameterDefinition,
  value: string,
  result: ValueCheck & { kind: 'invalid' },
): string {
  if (result.suggestion !== undefined) return `write ${result.suggestion} (${result.hint})`;
  switch (definition.type) {
    case 'bool':
      return 'write on or off';
    case 'enum': {
      const near = closest(value.trim(), definition.enumValues ?? []);
      return `${result.hint}${near === undefined ? '' : ` Did you mean "${near}"?`}`;
    }
    default:
      return result.hint ?? numberHint(definition);
  }
}

function* valueChecks(object: Manifest) {
  for (const { setting: s, definition } of knownSettings(object)) {
    if (definition.readOnly || JUDGED_ELSEWHERE.has(definition.name)) continue;
    yield { setting: s, definition, result: checkParameterValue(definition, s.value) };
  }
}

export const invalidParameterValue: Rule = {
  id: 'parameters/invalid-value',
  severity: 'error',
  summary:
    'A value PostgreSQL cannot read for the parameter: not a Boolean, not a number, a unit it does not take (units are case-sensitive), or not one of the enum’s values.',
  why: 'PostgreSQL reads every value with the parameter’s own syntax: Booleans as on/off, true/false, yes/no, 1/0; numbers with its own units (kB, MB, GB, TB, B; us, ms, s, min, h, d — no GiB, no Mi); enums from a fixed list. Patroni drops a value it finds invalid with only a log line, and a value that gets past it stops PostgreSQL from starting.',
  bad: EXAMPLE('      shared_buffers: 2GiB\n'),
  good: EXAMPLE('      shared_buffers: 2GB\n'),
  *check({ object }) {
    for (const { setting: s, definition, result } of valueChecks(object)) {
      if (result.kind !== 'invalid') continue;
      yield { path: s.path, message: result.message, hint: invalidHint(definition, s.value, result) };
    }
  },
};

export const parameterOutOfRange: Rule = {
  id: 'parameters/out-of-range',
  severity: 'error',
  summary:
    'A number outside the parameter’s range in the manifest’s PostgreSQL version, after unit conversion.',
  why: 'PostgreSQL converts the value to the parameter’s unit (8kB blocks for shared_buffers, kB for work_mem, ms or s for times), rounds it and refuses it outside the range of its table. Patroni drops such a value with only a log line, or PostgreSQL does not start.',
  bad: EXAMPLE('      work_mem: "32"\n'),
  good: EXAMPLE('      work_mem: 32MB\n'),
  *check({ object }) {
    for (const { setting: s, result } of valueChecks(object)) {
      if (result.kind === 'out-of-range') yield { path: s.path, message: result.message, hint: result.hint };
    }
  },
};

// --- read-only ------------------------------------------------------------------------------------------

const READ_ONLY_HINTS: Readonly<Record<string, string>> = {
  transaction_isolation: 'write default_transaction_isolation',
  transaction_read_only: 'write default_transaction_read_only',
  transaction_deferrable: 'write default_transaction_deferrable',
  role: 'remove it; give a role defaults with ALTER ROLE … SET',
  session_authorization: 'remove it; give a role defaults with ALTER ROLE … SET',
  data_checksums:
    'remove it; data checksums are chosen when the cluster is created (spec.patroni.initdb: data-checksums: "true")',
  wal_segment_size:
    'remove it; the WAL segment size is fixed when the cluster is created (initdb --wal-segsize)',
  server_encoding:
    'remove it; the encoding is chosen when the cluster is created (spec.patroni.initdb: encoding: UTF8)',
  lc_collate: 'remove it; the locale is chosen when the cluster is created (spec.patroni.initdb: locale: …)',
  lc_ctype: 'remove it; the locale is chosen when the cluster is created (spec.patroni.initdb: locale: …)',
};

export const readOnlyParameter: Rule = {
  id: 'parameters/read-only',
  severity: 'error',
  summary:
    'A read-only parameter (internal, or settable per session only), which postgresql.conf cannot set.',
  why: 'Internal parameters such as block_size, server_version or data_checksums report how PostgreSQL was built or the cluster initialised, and PostgreSQL refuses to change them ("parameter cannot be changed"); transaction_isolation, role and the like exist only per session. The line has no effect at best, and a configuration file with errors stops PostgreSQL from starting.',
  bad: EXAMPLE('      block_size: "16384"\n'),
  good: EXAMPLE('      effective_cache_size: 4GB\n'),
  *check({ object }) {
    for (const { setting: s, definition } of knownSettings(object)) {
      if (!definition.readOnly) continue;
      const internal = definition.context === 'internal';
      yield {
        path: s.path,
        message: internal
          ? `parameter "${definition.name}" cannot be changed: it is read-only and reports a property of the build or the data directory`
          : `parameter "${definition.name}" cannot be set in postgresql.conf: it exists per session only`,
        hint: READ_ONLY_HINTS[definition.name.toLowerCase()] ?? 'remove it',
      };
    }
  },
};

// --- managed --------------------------------------------------------------------------------------------

interface Situation {
  version: string;
  synchronousMode: boolean;
  streams: boolean;
}

/** The value in the definition's terms, for comparisons: a Boolean, a number in its unit, or the enum's spelling. */
function canonical(
  definition: ParameterDefinition | undefined,
  value: string,
): string | number | boolean | undefined {
  if (definition === undefined) return value.trim().toLowerCase();
  const result = checkParameterValue(definition, value);
  if (result.kind === 'ok')
    return typeof result.value === 'string' ? result.value.toLowerCase() : result.value;
  return undefined;
}

const OFF_WORDS = new Set(['off', 'false', 'no', '0']);

/** Whether a condition holds, and the words to fill into the message (`missing`). */
function applies(
  condition: ManagedWhen,
  value: string,
  definition: ParameterDefinition | undefined,
  situation: Situation,
): { missing?: string[] } | undefined {
  switch (condition.when) {
    case 'always':
      return {};
    case 'not-on':
      return parsePostgresBool(value) === false ? {} : undefined;
    case 'off':
      if (definition?.type === 'enum') return OFF_WORDS.has(value.toLowerCase()) ? {} : undefined;
      return parsePostgresBool(value) === false ? {} : undefined;
    case 'differs': {
      const mine = canonical(definition, value);
      const spilo = canonical(definition, condition.spiloValue);
      return mine === undefined || mine === spilo ? undefined : {};
    }
    case 'below': {
      const parsed = parseIntegerSetting(value, condition.unit);
      return parsed.ok && parsed.value < condition.minimum ? {} : undefined;
    }
    case 'not-one-of': {
      const spelled = definition === undefined ? undefined : parseEnumSetting(value, definition);
      return spelled === undefined || condition.accepted.includes(spelled.toLowerCase()) ? undefined : {};
    }
    case 'synchronous-mode':
      return situation.synchronousMode ? {} : undefined;
    case 'streams':
      return situation.streams && value.trim().toLowerCase() !== condition.forced ? {} : undefined;
    case 'drops-spilo-libraries': {
      const listed = libraryList(value);
      const missing = spiloPreloadLibraries(situation.version).filter((library) => !listed.includes(library));
      return missing.length > 0 ? { missing } : undefined;
    }
  }
}

function whoWins(entry: ManagedParameter): string {
  return entry.winner === 'the manifest'
    ? `the manifest's value replaces ${entry.manager}'s`
    : `${entry.winner === 'the operator' ? 'the operator' : entry.winner} wins`;
}

export const managedParameter: Rule = {
  id: 'parameters/managed',
  severity: 'warning',
  summary:
    'A parameter that Patroni, Spilo or the operator set themselves: the manifest’s value is ignored, overridden, or replaces something they rely on.',
  why: 'Patroni passes listen_addresses, port, cluster_name and hot_standby on the command line, refuses values below its minimums for max_connections and the other shared-memory settings, and manages recovery and synchronous_standby_names itself; the operator forces wal_level to logical for streams; Spilo’s archive_command, logging and preloaded libraries are replaced by the manifest’s. Each message says who wins.',
  bad: EXAMPLE('      port: "5433"\n'),
  good: EXAMPLE('      tcp_keepalives_idle: "300"\n'),
  *check({ object }) {
    const version = tableVersion(object);
    if (version === undefined) return;
    const situation: Situation = {
      version,
      synchronousMode: object.spec?.patroni?.synchronous_mode === true,
      streams: (object.spec?.streams?.length ?? 0) > 0,
    };
    for (const s of settings(object)) {
      const dotted = s.name.includes('.');
      const definition = dotted ? undefined : lookupParameter(version, s.name);
      // A name the version does not know is parameters/unknown's finding alone.
      if (!dotted && definition === undefined) continue;
      for (const entry of MANAGED_PARAMETERS[s.name.toLowerCase()] ?? []) {
        const match = applies(entry.condition, s.value, definition, situation);
        if (match === undefined) continue;
        const missing = (match.missing ?? []).join(',');
        yield {
          path: s.path,
          message: `${s.name}: ${fillManaged(entry.effect, entry.condition, `"${s.value}"`, missing)}; ${whoWins(entry)}`,
          hint: fillManaged(entry.hint, entry.condition, s.value, missing),
        };
        break;
      }
    }
  },
};

// --- preload-required -----------------------------------------------------------------------------------

export const preloadRequired: Rule = {
  id: 'parameters/preload-required',
  severity: 'warning',
  target: 'key',
  summary:
    'An extension’s parameter whose library is not in shared_preload_libraries (pg_stat_statements, auto_explain, pg_cron, timescaledb, pgaudit, …).',
  why: 'These extensions define their parameters and start their workers only when their library is preloaded; otherwise PostgreSQL keeps the value as an unused placeholder and the setting has no effect. When the manifest does not set shared_preload_libraries, Spilo preloads bg_mon, pg_stat_statements, pgextwlist, pg_auth_mon, set_user (and up to 17 timescaledb, pg_cron, pg_stat_kcache); auto_explain may also come from session_preload_libraries.',
  bad: EXAMPLE('      auto_explain.log_min_duration: 1s\n'),
  good: EXAMPLE('      session_preload_libraries: auto_explain\n      auto_explain.log_min_duration: 1s\n'),
  *check({ object }) {
    const version = tableVersion(object);
    if (version === undefined) return;
    const shared = setting(object, 'shared_preload_libraries');
    const preloaded = shared === undefined ? spiloPreloadLibraries(version) : libraryList(shared.value);
    const session = libraryList(setting(object, 'session_preload_libraries')?.value ?? '');
    const reported = new Set<string>();
    for (const s of settings(object)) {
      const dot = s.name.indexOf('.');
      if (dot === -1) continue;
      const prefix = s.name.slice(0, dot).toLowerCase();
      const extension = PRELOADED_EXTENSIONS.find((e) => e.prefix === prefix);
      if (extension === undefined || reported.has(extension.library)) continue;
      const { library } = extension;
      if (preloaded.includes(library) || (extension.sessionPreloadEnough && session.includes(library)))
        continue;
      reported.add(library);
      const orSession = extension.sessionPreloadEnough ? ` (or session_preload_libraries: ${library})` : '';
      yield {
        path: s.path,
        message:
          shared === undefined
            ? `${s.name} has no effect: ${library} is not among the libraries Spilo preloads for PostgreSQL ${version} (${preloaded.join(', ')})`
            : `${s.name} has no effect: ${library} is not in shared_preload_libraries ("${shared.value}")`,
        hint: `set shared_preload_libraries: "${[...preloaded, library].join(',')}"${orSession}`,
      };
    }
  },
};

// --- restart-required -----------------------------------------------------------------------------------

/** Go's strconv.Atoi, which the operator uses to spot decreases. */
function atoi(value: string | undefined): number | undefined {
  return value !== undefined && /^[+-]?[0-9]+$/.test(value) ? Number(value) : undefined;
}

function byLowerName(object: Manifest | undefined): Map<string, Setting> {
  return new Map(settings(object).map((s) => [s.name.toLowerCase(), s]));
}

/** A JSON text with sorted keys, to compare two values regardless of key order. */
function stable(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/**
 * `sync.go:checkAndSetGlobalPostgreSQLConfiguration`: the primary is restarted first only when every
 * changed parameter sent to Patroni is a decrease of one of five settings and nothing else in the Patroni
 * section changed.
 */
function restartsPrimaryFirst(
  changed: readonly string[],
  before: Map<string, Setting>,
  after: Map<string, Setting>,
  patroniChanged: boolean,
): boolean {
  const flags: boolean[] = [];
  for (const name of changed) {
    const now = after.get(name);
    if (LOCAL_PARAMETERS.has(name) || now === undefined) continue;
    if (!PRIMARY_FIRST_WHEN_DECREASED.has(name)) {
      flags.push(false);
      continue;
    }
    const was = atoi(before.get(name)?.value);
    const is = atoi(now.value);
    if (was !== undefined && is !== undefined) flags.push(was > is);
  }
  return flags.length > 0 && flags.every(Boolean) && !patroniChanged;
}

export const restartRequired: Rule = {
  id: 'parameters/restart-required',
  severity: 'warning',
  summary:
    'An UPDATE that changes a parameter which takes effect only at a restart (postmaster context) or that the operator puts into the pods’ configuration.',
  why: 'The operator sends ordinary parameters to Patroni; a postmaster-context one (shared_buffers, max_connections, wal_level, shared_preload_libraries, …) then needs PostgreSQL restarted, which the operator does on every pod, replicas first — or the primary first when the only changes are decreases of max_connections, max_prepared_transactions, max_locks_per_transaction, max_worker_processes or max_wal_senders. Keys it keeps in the pods’ SPILO_CONFIGURATION (shared_buffers, archive_command, the log_* and ssl* settings, shared_preload_libraries, …) change the StatefulSet: every pod is re-created.',
  bad: EXAMPLE('      max_connections: "200"\n'),
  good: EXAMPLE('      max_connections: "100"\n      work_mem: 8MB\n'),
  exampleOld: EXAMPLE('      max_connections: "100"\n      work_mem: 4MB\n'),
  *check({ object, old, operation }) {
    if (operation !== 'UPDATE' || old === undefined) return;
    const version = tableVersion(object);
    if (version === undefined || old.spec?.postgresql?.version !== version) return;
    const before = byLowerName(old);
    const after = byLowerName(object);
    const streams = (object.spec?.streams?.length ?? 0) > 0;
    const changed = [...new Set([...after.keys(), ...before.keys()])].filter(
      (name) => before.get(name)?.value !== after.get(name)?.value && !(streams && name === 'wal_level'),
    );
    const patroniChanged = stable(old.spec?.patroni ?? {}) !== stable(object.spec?.patroni ?? {});
    const primaryFirst = restartsPrimaryFirst(changed, before, after, patroniChanged);
    for (const name of changed) {
      const now = after.get(name);
      const path = now?.path ?? PARAMETERS_PATH;
      const shown = now?.name ?? before.get(name)?.name ?? name;
      if (LOCAL_PARAMETERS.has(name)) {
        yield {
          path,
          message: `${now === undefined ? 'removing' : 'changing'} ${shown} re-creates every pod: the operator keeps it in the pods' SPILO_CONFIGURATION, so the StatefulSet changes and the pods are replaced one by one (replicas first, then a switchover and the old primary)`,
          hint: 'apply it in a maintenance window, together with other changes that need new pods',
        };
        continue;
      }
      if (now === undefined || lookupParameter(version, name)?.context !== 'postmaster') continue;
      const order = primaryFirst
        ? 'primary first, because the only pending changes are decreases of max_connections, max_prepared_transactions, max_locks_per_transaction, max_worker_processes or max_wal_senders (replicas must never have less than the primary)'
        : 'replicas first, then the primary';
      yield {
        path,
        message: `changing ${shown} restarts PostgreSQL on every pod: it takes effect only at a restart, which the operator triggers through Patroni, ${order}`,
        hint: 'apply it when a short outage of the primary is acceptable',
      };
    }
  },
};

// --- minor-release --------------------------------------------------------------------------------------

export const minorReleaseParameter: Rule = {
  id: 'parameters/minor-release',
  severity: 'warning',
  target: 'key',
  summary:
    'A parameter added in a later minor release of the major version (e.g. output_plugin_libraries in 17.11).',
  why: 'An image with an older minor release of the same major version does not know the parameter: Patroni drops it from postgresql.conf with only a log line, so it silently has no effect until the image is updated.',
  bad: EXAMPLE('      output_plugin_libraries: pgoutput, wal2json\n'),
  good: EXAMPLE('      logical_decoding_work_mem: 128MB\n'),
  *check({ object }) {
    for (const { setting: s, definition, version } of knownSettings(object)) {
      if (definition.sinceMinor === undefined) continue;
      yield {
        path: s.path,
        message: `${definition.name} exists only from PostgreSQL ${definition.sinceMinor} on: an image with an older ${version}.x ignores it`,
        hint: `make sure the Spilo image runs PostgreSQL ${definition.sinceMinor} or later (spec.dockerImage or the operator's docker_image)`,
      };
    }
  },
};

// --- ssl-off --------------------------------------------------------------------------------------------

export const sslOff: Rule = {
  id: 'parameters/ssl-off',
  severity: 'error',
  summary: '`ssl: off` while Spilo’s default pg_hba.conf is in use.',
  why: 'Spilo’s default pg_hba.conf rejects remote connections without SSL and allows replication only over hostssl; with ssl off every remote client is locked out and replicas cannot stream from the primary. Only a custom spec.patroni.pg_hba with host (not hostssl) lines makes ssl off workable.',
  bad: EXAMPLE('      ssl: "off"\n'),
  good: `${EXAMPLE('      ssl: "off"\n')}  patroni:\n    pg_hba:\n      - local all all trust\n      - host replication standby all scram-sha-256\n      - host all all all scram-sha-256\n`,
  *check({ object }) {
    const ssl = setting(object, 'ssl');
    if (ssl === undefined || parsePostgresBool(ssl.value) !== false) return;
    if ((object.spec?.patroni?.pg_hba?.length ?? 0) > 0) return;
    yield {
      path: ssl.path,
      message: `ssl "${ssl.value}" locks every remote client out: Spilo's default pg_hba.conf rejects connections without SSL and allows replication only over hostssl, so replicas cannot stream from the primary`,
      hint: 'remove it (Spilo turns ssl on), or write rules with host lines in spec.patroni.pg_hba',
    };
  },
};

/** The rules of PostgreSQL parameters checked against the parameter tables of the manifest's version. */
export const POSTGRES_PARAMETERS_RULES: readonly Rule[] = [
  unknownParameter,
  invalidParameterValue,
  parameterOutOfRange,
  readOnlyParameter,
  managedParameter,
  preloadRequired,
  restartRequired,
  minorReleaseParameter,
  sslOff,
];
