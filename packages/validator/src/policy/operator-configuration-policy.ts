import { closest } from '../suggest.js';
import {
  childPath,
  enumText,
  formatNotes,
  type LoadedPolicy,
  namespacedNameProblem,
  OPERATOR_CONFIGURATION_GROUPS,
  OPERATOR_KEYS,
  type OperatorKey,
  POLICY_ENTRIES,
  type PolicyNote,
  parseGoDuration,
  quantityHint,
  REMOVED_KEYS,
  shown,
  typeOf,
} from './configmap-policy.js';
import { OPERATOR_CONFIGURATION_DEFAULTS, type OperatorPolicy } from './operator-policy.js';
import { PolicyError } from './policy-error.js';
import type { PolicyField, PolicyKey } from './policy-fields.js';

/** The CRD's patterns for resource quantities (operatorconfiguration.crd.yaml). */
const CPU_PATTERN = '^(\\d+m|\\d+(\\.\\d{1,3})?)$';
const MEMORY_PATTERN = '^(\\d+(e\\d+)?|\\d+(\\.\\d+)?(e\\d+)?[EPTGMK]i?)$';

const REJECTED = 'the API server rejects the OperatorConfiguration';
const UNREADABLE = 'the operator cannot read its configuration';

type Json = Record<string, unknown>;

function isMap(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

interface Context {
  source: string;
  notes: PolicyNote[];
  /** The OperatorConfiguration-path defaults of the operator release judged for. */
  defaults: Readonly<OperatorPolicy>;
}

function failure(context: Context, path: string, value: unknown, problem: string, hint: string): PolicyError {
  return new PolicyError(context.source, `${path}: ${shown(value)} ${problem}`, { path, hint });
}

function quoteHint(value: unknown): string {
  return isMap(value) || Array.isArray(value) ? 'write one string' : `quote it: "${String(value)}"`;
}

type Fail = (problem: string, hint: string) => never;

/** Checks a value against the CRD schema (what the API server enforces) and the operator's Go types. */
function checkValue(spec: OperatorKey, path: string, value: unknown, context: Context): void {
  const fail: Fail = (problem, hint) => {
    throw failure(context, path, value, problem, hint);
  };
  switch (spec.kind) {
    case 'bool':
      if (typeof value !== 'boolean')
        fail(`is not a boolean (${REJECTED})`, 'write true or false, without quotes');
      break;
    case 'int':
      checkInteger(spec, value, fail);
      break;
    case 'list':
      if (!Array.isArray(value)) fail(`is not a list (${REJECTED})`, 'write a YAML list of strings');
      (value as unknown[]).forEach((item, i) => {
        if (typeof item !== 'string') {
          throw failure(context, `${path}[${i}]`, item, `is not a string (${REJECTED})`, quoteHint(item));
        }
      });
      break;
    case 'map':
      if (!isMap(value)) fail(`is not a map (${REJECTED})`, 'write a YAML map of strings');
      for (const [name, item] of Object.entries(value as Json)) {
        if (typeof item !== 'string') {
          throw failure(
            context,
            childPath(path, name),
            item,
            `is not a string (${REJECTED})`,
            quoteHint(item),
          );
        }
      }
      break;
    case 'objects':
      if (!Array.isArray(value) || !value.every(isMap)) {
        fail(`is not a list of maps (${REJECTED})`, 'write a YAML list of maps');
      }
      break;
    case 'opaque':
      break;
    default:
      if (typeof value !== 'string') fail(`is not a string (${REJECTED})`, quoteHint(value));
      checkString(spec, value as string, fail);
  }
}

function checkInteger(spec: OperatorKey, value: unknown, fail: Fail): void {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    fail(`is not an integer (${REJECTED})`, 'write a whole number, without quotes');
    return;
  }
  if (spec.minimum !== undefined && value < spec.minimum) {
    fail(`is less than the minimum ${spec.minimum} (${REJECTED})`, `write ${spec.minimum} or more`);
  }
  if (spec.unsigned && value < 0) fail(`is negative: ${UNREADABLE} (it is a Go uint)`, 'write 0 or more');
  const bits = spec.bits ?? 64;
  const limit = 2 ** (bits - 1);
  if (value >= limit || value < -limit)
    fail(`is out of ${bits}-bit range: ${UNREADABLE}`, 'write a smaller number');
}

function checkString(spec: OperatorKey, value: string, fail: Fail): void {
  if (spec.values && !spec.values.includes(value)) {
    fail(`is not one of ${enumText(spec.values)} (${REJECTED})`, `write one of ${enumText(spec.values)}`);
  }
  if (spec.kind === 'duration') {
    const parsed = parseGoDuration(value);
    if ('error' in parsed)
      fail(
        `is not a duration: ${UNREADABLE} (${parsed.error})`,
        'write a Go duration such as "30m", "1h30m" or "10s"',
      );
  }
  if (spec.kind === 'quantity') {
    const pattern = spec.resource === 'cpu' ? CPU_PATTERN : MEMORY_PATTERN;
    if (!new RegExp(pattern).test(value))
      fail(`does not match the CRD pattern ${pattern} (${REJECTED})`, quantityHint(spec.resource));
  }
  if (spec.pattern !== undefined && !new RegExp(spec.pattern).test(value)) {
    fail(
      `does not match the CRD pattern ${spec.pattern} (${REJECTED})`,
      'write a five-field cron schedule, e.g. "30 00 * * *"',
    );
  }
  if (spec.kind === 'namespaced-name' && value !== '') {
    const problem = namespacedNameProblem(value);
    if (problem) fail(`${problem}: ${UNREADABLE}`, 'write "name" or "namespace/name"');
  }
}

/** Where a misplaced or mistyped key should go: a "did you mean", or undefined. */
function suggestionFor(group: string, key: string): string | undefined {
  const here = [...OPERATOR_KEYS.values()]
    .filter((k) => k.group === group && k.only !== 'configmap')
    .map((k) => k.key);
  const candidates = group === '' ? [...here, ...OPERATOR_CONFIGURATION_GROUPS] : here;
  const near = closest(key, candidates);
  if (near !== undefined) return childPath(childPath('configuration', group), near);
  const anywhere = closest(
    key,
    [...OPERATOR_KEYS.values()].filter((k) => k.only !== 'configmap').map((k) => k.key),
  );
  const spec = anywhere === undefined ? undefined : OPERATOR_KEYS.get(anywhere);
  return spec && childPath(childPath('configuration', spec.group), spec.key);
}

function noteUnknownKey(group: string, key: string, path: string, context: Context): void {
  const spec = OPERATOR_KEYS.get(key);
  const dropped = 'the API server drops it, so the operator never sees it';
  let message: string;
  if (spec !== undefined && spec.only !== 'configmap') {
    const home = spec.group === '' ? 'directly under configuration' : `under configuration.${spec.group}`;
    message = `${path}: belongs ${home}; here ${dropped}`;
  } else if (spec !== undefined) {
    message = `${path}: exists only in the ConfigMap; ${dropped}`;
  } else if (REMOVED_KEYS.has(key)) {
    message = `${path}: not read by operator v2.0.1 (a v1.x setting); ${dropped}`;
  } else {
    const suggestion = suggestionFor(group, key);
    message = `${path}: not an operator v2.0.1 setting; ${dropped}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`;
  }
  context.notes.push({ path, message, on: 'key' });
}

interface Entries {
  /** The keys written, by key (nulls pruned, as the API server prunes them before defaulting). */
  values: Map<string, unknown>;
  /** The groups that exist as maps. */
  groups: Set<string>;
  /** The groups written as null: the API server drops them, and with them their defaults. */
  nullGroups: Set<string>;
}

function readEntries(configuration: Json, context: Context): Entries {
  const entries: Entries = { values: new Map(), groups: new Set(), nullGroups: new Set() };
  const readKey = (group: string, key: string, value: unknown): void => {
    const path = childPath(childPath('configuration', group), key);
    const spec = OPERATOR_KEYS.get(key);
    if (spec === undefined || spec.group !== group || spec.only === 'configmap') {
      noteUnknownKey(group, key, path, context);
      return;
    }
    if (value === null) return;
    checkValue(spec, path, value, context);
    entries.values.set(key, value);
  };
  for (const [name, value] of Object.entries(configuration)) {
    if (!OPERATOR_CONFIGURATION_GROUPS.includes(name)) {
      readKey('', name, value);
      continue;
    }
    const path = childPath('configuration', name);
    if (value === null) {
      entries.nullGroups.add(name);
      continue;
    }
    if (!isMap(value)) {
      throw failure(
        context,
        path,
        value,
        `is ${typeOf(value)}, not a map (${REJECTED})`,
        `write ${name}: as a map of settings`,
      );
    }
    entries.groups.add(name);
    for (const [key, item] of Object.entries(value)) readKey(name, key, item);
  }
  return entries;
}

function emptyOf(field: PolicyField): unknown {
  switch (field.kind) {
    case 'bool':
      return false;
    case 'int':
      return field.key === 'spilo_fsgroup' ? undefined : 0;
    case 'list':
      return [];
    default:
      return '';
  }
}

function isEmptyValue(value: unknown): boolean {
  return value === '' || (Array.isArray(value) && value.length === 0);
}

/**
 * The value of one knob: what is written; else the CRD default when its group exists (the table's
 * OperatorConfiguration default); else the hard-coded fall-back of importConfigurationFromCRD where
 * there is one; else empty. A written empty string or list is also replaced by the fall-back
 * (`util.Coalesce`, `util.CoalesceStrArr`); booleans are pointers there, so a written `false` stays.
 */
function effectiveValue(
  name: PolicyKey,
  field: PolicyField,
  written: unknown,
  groupExists: boolean,
  defaults: Readonly<OperatorPolicy>,
): unknown {
  const spec = OPERATOR_KEYS.get(field.key) as OperatorKey;
  const standard = structuredClone((defaults as unknown as Json)[name]);
  if (written !== undefined) {
    if (spec.fallback && isEmptyValue(written)) return standard;
    // importConfigurationFromCRD: util.MaxInt32(number_of_instances, 2).
    if (name === 'connectionPoolerNumberOfInstances') return Math.max(written as number, 2);
    return structuredClone(written);
  }
  if (groupExists || spec.fallback) return standard;
  return emptyOf(field);
}

/** Groups that are missing or null lose their CRD defaults: say which knobs that changes. */
function noteAbsentGroups(policy: OperatorPolicy, entries: Entries, context: Context): void {
  const values = policy as unknown as Json;
  for (const group of OPERATOR_CONFIGURATION_GROUPS) {
    if (entries.groups.has(group)) continue;
    const changes: string[] = [];
    for (const [name, field] of POLICY_ENTRIES) {
      if (field.group !== group) continue;
      const standard = (context.defaults as unknown as Json)[name];
      if (JSON.stringify(values[name]) !== JSON.stringify(standard)) {
        changes.push(`${field.key} is ${shown(values[name])} (not ${shown(standard)})`);
      }
    }
    const isNull = entries.nullGroups.has(group);
    if (!isNull && changes.length === 0) continue;
    const path = childPath('configuration', group);
    const consequence =
      changes.length === 0
        ? ''
        : `, and the CRD defaults of a group apply only when the group exists, so ${changes.join(', ')}; write "${group}: {}" to get the defaults`;
    context.notes.push({
      path: isNull ? path : 'configuration',
      message: `${path}: ${isNull ? 'empty (null), which the API server drops' : 'missing'}${consequence}`,
      on: 'key',
    });
  }
}

/**
 * Reads the `configuration` of an OperatorConfiguration into a policy; warnings come back as notes
 * with their field paths. `defaults` are the OperatorConfiguration-path defaults of the operator
 * release judged for (`operatorDefaults(release, 'operatorconfiguration')`), v2.0.1's unless told.
 */
export function readOperatorConfiguration(
  configuration: unknown,
  source: string,
  defaults: Readonly<OperatorPolicy> = OPERATOR_CONFIGURATION_DEFAULTS,
): { policy: OperatorPolicy; notes: PolicyNote[] } {
  const context: Context = { source, notes: [], defaults };
  if (!isMap(configuration)) {
    throw failure(
      context,
      'configuration',
      configuration,
      `is ${typeOf(configuration)}, not a map (${REJECTED})`,
      'write configuration: as a map of settings',
    );
  }
  const entries = readEntries(configuration, context);
  const { values, groups } = entries;

  const policy = structuredClone(defaults as OperatorPolicy);
  const policyValues = policy as unknown as Json;
  for (const [name, field] of POLICY_ENTRIES) {
    policyValues[name] = effectiveValue(
      name,
      field,
      values.get(field.key),
      field.group === '' || groups.has(field.group),
      defaults,
    );
  }
  policy.source = source;
  policy.path = 'operatorconfiguration';

  const poolerInstances = values.get('connection_pooler_number_of_instances');
  if (typeof poolerInstances === 'number' && poolerInstances < 2) {
    context.notes.push({
      path: 'configuration.connection_pooler.connection_pooler_number_of_instances',
      message: `configuration.connection_pooler.connection_pooler_number_of_instances: ${poolerInstances} is raised to 2 (the OperatorConfiguration path forces at least 2)`,
    });
  }
  if (policy.connectionPoolerUser === policy.superUsername) {
    const path = 'configuration.connection_pooler.connection_pooler_user';
    throw new PolicyError(
      source,
      `${path}: connection pool user is not allowed to be the same as super user, username: ${policy.superUsername}: the operator panics at start with this message`,
      { path, hint: 'give connection_pooler_user its own name, e.g. "pooler"' },
    );
  }
  const { minInstances: min, maxInstances: max } = policy;
  if (min > 0 && max > 0 && min > max) {
    context.notes.push({
      path: 'configuration.min_instances',
      message: `configuration.min_instances: ${min} is higher than max_instances ${max}; the operator checks this only on the ConfigMap path, so here it starts and clamps every cluster to contradictory limits`,
    });
  }
  noteAbsentGroups(policy, entries, context);
  return { policy, notes: context.notes };
}

/**
 * The operator's policy from the `configuration` of its OperatorConfiguration object
 * (POSTGRES_OPERATOR_CONFIGURATION_OBJECT): nested groups with typed values. A missing key takes its
 * CRD default only when its group exists (the API server defaults inside existing objects only), then
 * the operator's hard-coded fall-back, else stays empty. Unknown keys are dropped by the API server
 * and reported as warnings. Throws a PolicyError for what the API server would reject or the operator
 * could not start with.
 */
export function policyFromOperatorConfiguration(
  configuration: unknown,
  source: string,
  defaults: Readonly<OperatorPolicy> = OPERATOR_CONFIGURATION_DEFAULTS,
): LoadedPolicy {
  const { policy, notes } = readOperatorConfiguration(configuration, source, defaults);
  return { policy, warnings: formatNotes(source, notes) };
}
