import {
  fillManaged,
  LOCAL_PARAMETERS,
  MANAGED_PARAMETERS,
  type ManagedWhen,
  SPILO_DEFAULTS,
} from '../postgres/managed-parameters.js';
import {
  aliasOf,
  explainAbsence,
  hasParameterTable,
  lookupParameter,
  type ParameterContext,
  type ParameterDefinition,
  parameterTableTag,
  parameterTableVersions,
  versionsWithParameter,
} from '../postgres/parameter-table.js';
import {
  formatApproximate,
  formatNumber,
  formatQuantity,
  isMemoryUnit,
} from '../postgres/parameter-values.js';
import { closest } from '../suggest.js';
import { ToolError } from './tool-error.js';

/** What a change of a parameter of each context takes. */
const CONTEXT_MEANING: Readonly<Record<ParameterContext, string>> = {
  postmaster: 'a change takes effect only when PostgreSQL restarts',
  sighup: 'a change takes effect on reload, without a restart',
  superuser: 'a change takes effect on reload; superusers can also set it per session',
  user: 'a change takes effect on reload; any user can also set it per session',
  backend: 'a change takes effect on reload, for sessions started after it',
  'superuser-backend': 'a change takes effect on reload, for sessions started after it',
  internal: 'read-only: it reports how PostgreSQL was built or the cluster initialised',
};

const UNIT_WORDS: Readonly<Record<string, string>> = {
  B: 'bytes',
  kB: 'kB',
  MB: 'MB',
  '8kB': '8kB blocks',
  ms: 'milliseconds',
  s: 'seconds',
  min: 'minutes',
};

function typeLine(definition: ParameterDefinition): string {
  const { type, unit } = definition;
  if (type === 'bool')
    return 'Boolean: on or off (also true/false, yes/no, 1/0 and unique prefixes, any case)';
  if (type === 'enum') {
    const hidden = definition.enumHidden?.length
      ? `; also accepted: ${definition.enumHidden.join(', ')}`
      : '';
    return `enum: ${(definition.enumValues ?? []).map((v) => (v === '' ? '""' : v)).join(', ')} (any case${hidden})`;
  }
  if (type === 'string') return definition.listInput ? 'string: a comma-separated list' : 'string';
  const number = type === 'integer' ? 'integer' : 'real number';
  if (unit === undefined) return `${number}, without a unit`;
  const units = isMemoryUnit(unit) ? 'B, kB, MB, GB, TB' : 'us, ms, s, min, h, d';
  return `${number} in ${UNIT_WORDS[unit] ?? unit}; may be written with a unit: ${units} (case-sensitive)`;
}

function rangeLine(definition: ParameterDefinition): string | undefined {
  const { min, max, unit } = definition;
  if (min === undefined || max === undefined) return undefined;
  const plain = `${formatNumber(min)} .. ${formatNumber(max)}${unit === undefined ? '' : ` ${unit}`}`;
  if (unit === undefined) return plain;
  const readable = `${formatApproximate(min, unit)} .. ${formatApproximate(max, unit)}`;
  return readable === `${formatNumber(min)} .. ${formatNumber(max)}${unit}`
    ? plain
    : `${plain} (${readable})`;
}

function defaultLine(definition: ParameterDefinition): string {
  const value = definition.defaultValue;
  if (value === null) return 'computed when PostgreSQL starts';
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (typeof value === 'number') {
    const shown = formatQuantity(value, definition.unit);
    return shown === formatNumber(value) ? shown : `${formatNumber(value)} (${shown})`;
  }
  if (value === '') return '"" (empty)';
  return definition.type === 'enum' ? value : JSON.stringify(value);
}

/** How the manifest value is called in `explain`, by the condition under which it is affected. */
const VALUE_WORDS: Readonly<Record<ManagedWhen['when'], string>> = {
  always: 'a manifest value',
  'not-on': 'off',
  off: 'off',
  differs: 'another value',
  below: 'a lower value',
  'not-one-of': 'other values',
  'synchronous-mode': 'a manifest value',
  streams: 'any other value',
  'drops-spilo-libraries': 'a manifest value',
};

function managedLines(name: string): string[] {
  const lines: string[] = [];
  const spilo = SPILO_DEFAULTS[name];
  if (spilo !== undefined) lines.push(`Spilo's value: ${spilo}`);
  for (const { effect, condition } of MANAGED_PARAMETERS[name] ?? []) {
    lines.push(fillManaged(effect, condition, VALUE_WORDS[condition.when], 'the libraries it leaves out'));
  }
  lines.push(
    LOCAL_PARAMETERS.has(name)
      ? "The operator keeps it in the pods' SPILO_CONFIGURATION (Patroni's local configuration): a change re-creates every pod."
      : "The operator sends it to Patroni's DCS configuration through Patroni's API.",
  );
  return lines;
}

/** The versions that have it, with the minor release that added it where that is not x.0. */
function versionsLine(name: string): string {
  return versionsWithParameter(name)
    .map((version) => {
      const since = lookupParameter(version, name)?.sinceMinor;
      return since === undefined ? version : `${version} (from ${since})`;
    })
    .join(', ');
}

function unknownVersion(version: string): ToolError {
  const versions = parameterTableVersions();
  const near = closest(version, versions);
  return new ToolError(
    'USAGE',
    `no parameter table for PostgreSQL "${version}"${near === undefined ? '' : ` — did you mean ${near}?`} (tables: ${versions.join(', ')})`,
  );
}

function unknownName(name: string, version: string): ToolError {
  const absence = explainAbsence(version, name);
  const elsewhere = versionsWithParameter(name);
  switch (absence.kind) {
    case 'removed':
      return new ToolError(
        'USAGE',
        `PostgreSQL ${version} has no parameter "${name}": it was removed in ${absence.removedIn}${absence.replacement?.use ? ` (use ${absence.replacement.use})` : ''}${elsewhere.length ? `; it exists in ${elsewhere.join(', ')}` : ''}`,
      );
    case 'new':
      return new ToolError(
        'USAGE',
        `PostgreSQL ${version} has no parameter "${name}": it is new in ${absence.newIn} (exists in ${elsewhere.join(', ')})${absence.replacement?.use ? `; on ${version} use ${absence.replacement.use}` : ''}`,
      );
    case 'debug-build':
      return new ToolError('USAGE', `"${name}" exists only in PostgreSQL builds with debugging options`);
    default:
      return new ToolError(
        'USAGE',
        `PostgreSQL ${version} has no parameter "${name}"${absence.suggestion === undefined ? '' : ` — did you mean "${absence.suggestion}"?`}`,
      );
  }
}

/**
 * `acid-guard explain parameter NAME --version N`: a parameter's type, unit, range, default and context
 * in that PostgreSQL version, who manages it in Spilo/Patroni/the operator, and the versions that have it.
 */
export function formatParameter(name: string, version: string): string {
  if (!hasParameterTable(version)) throw unknownVersion(version);
  if (name.includes('.')) {
    throw new ToolError(
      'USAGE',
      `"${name}" is an extension's parameter; the tables cover PostgreSQL's own (see the extension's documentation)`,
    );
  }
  const definition = lookupParameter(version, name);
  if (definition === undefined) throw unknownName(name, version);
  const lower = definition.name.toLowerCase();
  const alias = aliasOf(version, name);
  const out = [`${definition.name} (PostgreSQL ${version}, ${parameterTableTag(version) ?? 'tables'})`, ''];
  if (alias !== undefined)
    out.push(`"${name}" is an old name of ${alias}, which PostgreSQL ${version} still accepts.`, '');
  const row = (label: string, text: string) => out.push(`${`${label}:`.padEnd(10)}${text}`);
  row('type', typeLine(definition));
  const range = rangeLine(definition);
  if (range !== undefined) row('range', range);
  row('default', defaultLine(definition));
  row('context', `${definition.context} — ${CONTEXT_MEANING[definition.context]}`);
  if (definition.readOnly && definition.context !== 'internal')
    row('read-only', 'cannot be set in postgresql.conf');
  if (definition.packaging)
    row('origin', 'added by the Debian/PGDG packages (which Spilo uses), not upstream');
  if (definition.sinceMinor !== undefined)
    row('since', `${definition.sinceMinor} (older ${version}.x releases do not have it)`);
  row('versions', versionsLine(definition.name));
  out.push('', 'Managed:');
  for (const line of managedLines(lower)) out.push(`  - ${line}`);
  return `${out.join('\n')}\n`;
}
