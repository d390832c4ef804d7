/**
 * PostgreSQL's parameter tables (14–18) as a lookup: by version and name (case-insensitive, old alias
 * names resolved, as the server does), which versions have a name, and the closest known names.
 * The data is generated from PostgreSQL's own sources and parsed only when first asked for.
 */
import {
  type ParameterType,
  postgresParameterTables,
  type RawParameterDefinition,
} from '../generated/postgres-parameters.js';
import { closest } from '../suggest.js';

export type { ParameterType };

/** The unit of a numeric parameter: its numbers (value, min, max, default) count this unit. */
export type ParameterUnit = 'B' | 'kB' | 'MB' | '8kB' | 'ms' | 's' | 'min';

/** When a change takes effect: `postmaster` needs a restart, `sighup` a reload; `internal` is read-only. */
export type ParameterContext =
  | 'internal'
  | 'postmaster'
  | 'sighup'
  | 'superuser-backend'
  | 'backend'
  | 'superuser'
  | 'user';

export interface ParameterDefinition {
  /** Spelled as in PostgreSQL's tables (`DateStyle`, `shared_buffers`). */
  name: string;
  type: ParameterType;
  context: ParameterContext;
  unit?: ParameterUnit;
  min?: number;
  max?: number;
  /** Listed values of an enum; `enumHidden` are accepted too (aliases such as `on`, `hot_standby`). */
  enumValues?: readonly string[];
  enumHidden?: readonly string[];
  /** The built-in default, in `unit` for numbers; null when computed at start-up. */
  defaultValue: string | number | boolean | null;
  /** Cannot be set in postgresql.conf (internal, or per session only). */
  readOnly: boolean;
  /** A comma-separated list. */
  listInput: boolean;
  /** The first minor release of the major version that has it (added after x.0). */
  sinceMinor?: string;
  /** Added by the Debian/PGDG packages that Spilo's images use, not by upstream PostgreSQL. */
  packaging?: boolean;
}

const READ_ONLY = 1;
const LIST_INPUT = 2;

function toDefinition(name: string, raw: RawParameterDefinition): ParameterDefinition {
  const [type, context, flags, defaultValue, unit, min, max, enumValues, enumHidden, sinceMinor] = raw;
  const definition: ParameterDefinition = {
    name,
    type,
    context: context as ParameterContext,
    defaultValue,
    readOnly: (flags & READ_ONLY) !== 0,
    listInput: (flags & LIST_INPUT) !== 0,
  };
  if (unit != null) definition.unit = unit as ParameterUnit;
  if (min != null) definition.min = min;
  if (max != null) definition.max = max;
  if (enumValues != null) definition.enumValues = enumValues;
  if (enumHidden != null) definition.enumHidden = enumHidden;
  if (sinceMinor != null) definition.sinceMinor = sinceMinor;
  return definition;
}

/** The major versions that have a table, ascending. */
export function parameterTableVersions(): readonly string[] {
  return postgresParameterTables().versions;
}

export function hasParameterTable(version: string | undefined): version is string {
  return version !== undefined && parameterTableVersions().includes(version);
}

/** The release the version's table was checked against, e.g. `REL_17_12`. */
export function parameterTableTag(version: string): string | undefined {
  return postgresParameterTables().tags[version];
}

/** Lower-cased name → name as spelled in the tables, over every version; built on first use. */
let spellings: Map<string, string> | undefined;

function spelling(lower: string): string | undefined {
  if (spellings === undefined) {
    const { parameters, packaging } = postgresParameterTables();
    spellings = new Map(
      [...Object.keys(packaging), ...Object.keys(parameters)].map((name) => [name.toLowerCase(), name]),
    );
  }
  return spellings.get(lower);
}

/** Per version, definitions made when first asked for: a manifest names a handful of the ~400 parameters. */
const definitions = new Map<string, Map<string, ParameterDefinition | null>>();

function definitionIn(version: string, name: string): ParameterDefinition | undefined {
  let made = definitions.get(version);
  if (made === undefined) {
    made = new Map();
    definitions.set(version, made);
  }
  const cached = made.get(name);
  if (cached !== undefined) return cached ?? undefined;
  const tables = postgresParameterTables();
  const packaged = tables.parameters[name] === undefined ? tables.packaging[name] : undefined;
  const entry = tables.parameters[name] ?? packaged;
  const raw = entry?.d[entry.v[tables.versions.indexOf(version)] ?? -1];
  const definition = raw === undefined ? undefined : toDefinition(name, raw);
  if (definition !== undefined && packaged !== undefined) definition.packaging = true;
  made.set(name, definition ?? null);
  return definition;
}

/** The current name when `name` is an old alias the version still accepts (`sort_mem` → `work_mem`). */
export function aliasOf(version: string, name: string): string | undefined {
  const lower = name.toLowerCase();
  const aliases = postgresParameterTables().aliases[version] ?? {};
  return Object.entries(aliases).find(([old]) => old.toLowerCase() === lower)?.[1];
}

/** The parameter a name stands for in a version (any case; an old alias gives the current parameter). */
export function lookupParameter(version: string, name: string): ParameterDefinition | undefined {
  const spelled = spelling(name.toLowerCase());
  const direct = spelled === undefined ? undefined : definitionIn(version, spelled);
  if (direct !== undefined) return direct;
  const current = aliasOf(version, name);
  return current === undefined ? undefined : definitionIn(version, current);
}

/** Every name a version knows, as spelled in its table. */
export function parameterNames(version: string): string[] {
  const tables = postgresParameterTables();
  const position = tables.versions.indexOf(version);
  return Object.entries(tables.parameters)
    .filter(([, { v }]) => (v[position] ?? -1) !== -1)
    .map(([name]) => name);
}

/** The versions (of those with a table) that know the name, directly or as an alias. */
export function versionsWithParameter(name: string): string[] {
  return parameterTableVersions().filter((version) => lookupParameter(version, name) !== undefined);
}

/** The closest name a version knows, for "did you mean". */
export function closestParameter(version: string, name: string): string | undefined {
  const aliases = Object.keys(postgresParameterTables().aliases[version] ?? {});
  return closest(name, [...parameterNames(version), ...aliases]);
}

/** What to write instead of a parameter that is gone (or not there yet). */
export interface Replacement {
  /** The parameter(s) to use instead, when there is one. */
  use?: string;
  /** What else to know. */
  note?: string;
}

/**
 * Replacements for names that some version does not have, from PostgreSQL's release notes. The
 * tables cover 14–18; the notable names removed earlier are listed with the release that removed
 * them, so that an old manifest gets the same explanation.
 */
const REPLACEMENTS: Readonly<Record<string, Replacement>> = {
  wal_keep_segments: {
    use: 'wal_keep_size',
    note: 'in MB, i.e. segments × 16MB; Patroni converts wal_keep_segments itself only while wal_keep_size is not set',
  },
  checkpoint_segments: { use: 'max_wal_size and min_wal_size' },
  standby_mode: {
    note: 'Patroni creates standby.signal on replicas itself; a standby cluster is spec.standby',
  },
  trigger_file: { note: 'Patroni promotes replicas itself' },
  promote_trigger_file: { note: 'Patroni promotes replicas itself (pg_promote())' },
  force_parallel_mode: { use: 'debug_parallel_query' },
  debug_parallel_query: { use: 'force_parallel_mode' },
  vacuum_defer_cleanup_age: { use: 'hot_standby_feedback or a replication slot' },
  stats_temp_directory: { note: 'statistics live in shared memory since PostgreSQL 15' },
  lc_collate: { note: 'the collation is a property of each database, fixed when it is created' },
  lc_ctype: { note: 'the character classification is a property of each database, fixed when it is created' },
  ssl_groups: { use: 'ssl_ecdh_curve' },
  unix_socket_directory: { use: 'unix_socket_directories' },
  min_parallel_relation_size: { use: 'min_parallel_table_scan_size' },
  extension_destdir: {
    note: 'it was a Debian/PGDG packaging option; PostgreSQL 18 has extension_control_path and dynamic_library_path',
  },
  max_fsm_pages: { note: 'the free space map sizes itself since PostgreSQL 8.4' },
  max_fsm_relations: { note: 'the free space map sizes itself since PostgreSQL 8.4' },
};

/** Removed before the oldest table (14), with the release that removed them. */
const REMOVED_BEFORE_TABLES: Readonly<Record<string, string>> = {
  wal_keep_segments: '13',
  standby_mode: '12',
  trigger_file: '12',
  operator_precedence_warning: '14',
  vacuum_cleanup_index_scale_factor: '14',
  replacement_sort_tuples: '11',
  min_parallel_relation_size: '10',
  sql_inheritance: '10',
  checkpoint_segments: '9.5',
  unix_socket_directory: '9.3',
  max_fsm_pages: '8.4',
  max_fsm_relations: '8.4',
};

/** Why a version does not know a name. */
export type Absence =
  | { kind: 'removed'; removedIn: string; replacement?: Replacement }
  | { kind: 'new'; newIn: string; replacement?: Replacement }
  | { kind: 'debug-build' }
  | { kind: 'unknown'; suggestion?: string };

/** Explains a name the version does not know: removed, not there yet, a debug-build option, or a typo. */
export function explainAbsence(version: string, name: string): Absence {
  const lower = name.toLowerCase();
  const replacement = REPLACEMENTS[lower];
  const extra = replacement === undefined ? {} : { replacement };
  const versions = versionsWithParameter(name).map(Number);
  const target = Number(version);
  const older = versions.filter((v) => v < target);
  const newer = versions.filter((v) => v > target);
  if (older.length > 0 && newer.length === 0) {
    const all = parameterTableVersions().map(Number);
    const removedIn = all.find((v) => v > Math.max(...older)) ?? target;
    return { kind: 'removed', removedIn: String(removedIn), ...extra };
  }
  if (newer.length > 0 && older.length === 0)
    return { kind: 'new', newIn: String(Math.min(...newer)), ...extra };
  const historical = REMOVED_BEFORE_TABLES[lower];
  if (historical !== undefined && versions.length === 0)
    return { kind: 'removed', removedIn: historical, ...extra };
  if ((postgresParameterTables().debugBuildOnly[version] ?? []).includes(lower))
    return { kind: 'debug-build' };
  const suggestion = closestParameter(version, name);
  return suggestion === undefined ? { kind: 'unknown' } : { kind: 'unknown', suggestion };
}
