import type { ErrorObject } from 'ajv';
import { child } from '../field-path.js';
import type { Finding } from '../finding.js';
import { RESOURCES } from '../generated/resources.js';
import type { RuleMeta } from '../rules/rule.js';
import {
  enumValue,
  invalid,
  notAString,
  pattern,
  range,
  removedField,
  required,
  unknownField,
  wrongType,
} from '../rules/schema.js';
import { closest } from '../suggest.js';
import { builtinSchema } from './compiled-schema.js';
import type { JsonSchema, JsonType } from './json-schema.js';
import { describePattern } from './pattern-descriptions.js';
import { keptNullEntries } from './prune-nulls.js';
import { REMOVED_FIELDS } from './removed-fields.js';
import { pointerSegments, type SchemaNavigator, stepInto } from './schema-navigator.js';

/** Where PostgreSQL parameters belong, for keys written one level too high. */
const PARAMETERS_PARENT = 'spec.postgresql';

/**
 * Turns ajv's errors into findings a person understands: Kubernetes field paths, one finding per
 * problem, and what to write instead. Also warns about null map entries the schema keeps (nullable),
 * which other operator releases drop.
 */
export function schemaFindings(
  errors: readonly ErrorObject[],
  data: unknown,
  nav: SchemaNavigator,
): Finding[] {
  if (!nav.manifest) return errorFindings(errors, data, nav, false);
  return [...errorFindings(errors, data, nav, true), ...keptNullEntries(data, nav)];
}

/**
 * `kind` and `apiVersion` are judged by the document rules before the schema runs (a CRD such as
 * v1.15.1's also requires them and lists their one value): one problem, one finding.
 */
function judgedByDocumentRules(error: ErrorObject): boolean {
  if (error.instancePath === '' && error.keyword === 'required') {
    const missing = (error.params as { missingProperty?: unknown }).missingProperty;
    return missing === 'kind' || missing === 'apiVersion';
  }
  return error.keyword === 'enum' && (error.instancePath === '/kind' || error.instancePath === '/apiVersion');
}

/** `manifest`: the schema is that of a `postgresql` (not, e.g., of a defaults policy). */
function errorFindings(
  errors: readonly ErrorObject[],
  data: unknown,
  nav: SchemaNavigator,
  manifest: boolean,
): Finding[] {
  const typeErrorAt = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  const combinators = new Set(
    errors.filter((e) => ['anyOf', 'oneOf', 'not'].includes(e.keyword)).map((e) => e.schemaPath),
  );
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (manifest && judgedByDocumentRules(error)) continue;
    // Errors inside a failed anyOf/oneOf branch are explained by the combinator's own error.
    if ([...combinators].some((c) => error.schemaPath.startsWith(`${c}/`))) continue;
    // A value of the wrong type is one problem, not also an enum or pattern mismatch.
    if (error.keyword !== 'type' && typeErrorAt.has(error.instancePath)) continue;
    const finding = explain(error, data, nav, manifest);
    const id = `${finding.ruleId} ${finding.path}`;
    if (seen.has(id)) continue;
    seen.add(id);
    findings.push(finding);
  }
  return findings;
}

function make(rule: RuleMeta, path: string, message: string, hint?: string): Finding {
  const finding: Finding = { ruleId: rule.id, severity: rule.severity, path, message };
  if (hint !== undefined) finding.hint = hint;
  return finding;
}

function explain(error: ErrorObject, data: unknown, nav: SchemaNavigator, manifest: boolean): Finding {
  const segments = pointerSegments(error.instancePath);
  const path = nav.fieldPath(segments, data);
  const value = segments.reduce<unknown>(stepInto, data);
  const schema = nav.nodeAt(segments, data);
  const params = error.params as Record<string, unknown>;

  switch (error.keyword) {
    case 'additionalProperties':
      return unknown(
        path,
        String(params.additionalProperty),
        schema,
        nav,
        manifest ? segments : undefined,
        data,
      );
    case 'required': {
      const missing = String(params.missingProperty);
      return make(
        required,
        child(path, missing),
        `required field "${missing}" is missing${path ? ` in ${path}` : ''}`,
      );
    }
    case 'type':
      return typeMismatch(path, value, params.type as string | string[], schema);
    case 'enum':
      return enumMismatch(path, value, (params.allowedValues as unknown[]) ?? []);
    case 'pattern': {
      const described = describePattern(schema?.['x-kubernetes-pattern'] ?? String(params.pattern), value);
      return make(pattern, path, `${JSON.stringify(value)} is not ${described.what}`, described.hint);
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return rangeMismatch(path, value, error.keyword, Number(params.limit), schema);
    case 'anyOf':
    case 'oneOf':
      return make(invalid, path, combinatorMessage(error, schema));
    case 'not':
      return make(invalid, path, notMessage(schema));
    case 'uniqueItems':
      return make(
        invalid,
        `${path}[${params.i}]`,
        `duplicate of item ${params.j}: the list must not repeat items`,
      );
    default:
      return make(invalid, path, `does not satisfy the CRD's "${error.keyword}" constraint`);
  }
}

function unknown(
  parentPath: string,
  name: string,
  parent: JsonSchema | undefined,
  nav: SchemaNavigator,
  /** Where the parent is in a manifest; undefined for schemas that are not a `postgresql`'s. */
  parentSegments: readonly string[] | undefined,
  data: unknown,
): Finding {
  const path = child(parentPath, name);
  const removed = REMOVED_FIELDS[path];
  if (removed !== undefined) {
    return make(removedField, path, `"${name}" was removed in operator v2 and is ignored`, removed);
  }
  const builtin = builtinSchema();
  if (
    parentSegments !== undefined &&
    nav !== builtin.navigator &&
    builtin.navigator.nodeAt([...parentSegments, name], data) !== undefined
  ) {
    // Judged with an earlier release's CRD (--crd, --operator-version): a field that came later.
    return make(
      unknownField,
      path,
      `unknown field "${name}"${parentPath ? ` in ${parentPath}` : ''}: it came with a later operator release than this CRD, whose API server drops it (kubectl refuses it)`,
      `operator v${RESOURCES.postgresql.operatorVersion} has it: upgrade the operator first, or remove ${name}`,
    );
  }
  const fields = nav.fieldsOf(parent);
  const near = closest(name, fields);
  let hint: string | undefined;
  if (near !== undefined) hint = `did you mean "${near}"?`;
  else if (
    parentPath === PARAMETERS_PARENT ||
    (parentPath === 'spec' &&
      /^[a-z]+(_[a-z0-9]+)+$/.test(name) &&
      !findFieldBelow(name, parent, parentPath, nav))
  ) {
    hint = `PostgreSQL parameters belong under postgresql.parameters, as strings: parameters: {${name}: "…"}`;
  } else {
    const elsewhere = findFieldBelow(name, parent, parentPath, nav);
    if (elsewhere !== undefined) hint = `did you mean ${elsewhere}?`;
    else if (fields.length > 0 && fields.length <= 12) hint = `known fields here: ${fields.join(', ')}`;
  }
  return make(unknownField, path, `unknown field "${name}"${parentPath ? ` in ${parentPath}` : ''}`, hint);
}

/** A field of that name one or two levels further down (`spec.size` → `spec.volume.size`). */
function findFieldBelow(
  name: string,
  parent: JsonSchema | undefined,
  parentPath: string,
  nav: SchemaNavigator,
): string | undefined {
  if (parent === undefined) return undefined;
  let frontier: [string, JsonSchema][] = [[parentPath, parent]];
  for (let depth = 0; depth < 2; depth++) {
    const next: [string, JsonSchema][] = [];
    for (const [path, node] of frontier) {
      for (const [field, schema] of Object.entries(nav.resolve(node).properties ?? {})) {
        const resolved = nav.resolve(schema);
        if (resolved.properties && Object.hasOwn(resolved.properties, name))
          return child(child(path, field), name);
        next.push([child(path, field), resolved]);
      }
    }
    frontier = next;
  }
  return undefined;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return 'a string';
}

const TYPE_WORDS: Record<JsonType, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean (true or false)',
  array: 'a list',
  object: 'a map',
  null: 'null',
};

function typeMismatch(
  path: string,
  value: unknown,
  expected: string | string[],
  schema?: JsonSchema,
): Finding {
  const types = (Array.isArray(expected) ? expected : expected.split(',')) as JsonType[];
  const wanted = types
    .filter((t) => t !== 'null')
    .map((t) => TYPE_WORDS[t] ?? t)
    .join(' or ');
  const shown = typeof value === 'object' ? '' : ` (${JSON.stringify(value)})`;
  if (types.includes('string') && (typeof value === 'number' || typeof value === 'boolean')) {
    const text = String(value);
    const booleanWord =
      typeof value === 'boolean' ? ' (unquoted on, off, yes, no, y and n are booleans in YAML)' : '';
    const allowed = schema?.enum?.map(String);
    const unsupported =
      allowed && !allowed.includes(text)
        ? `; "${text}" is not allowed either (allowed: ${compactEnum(allowed)})`
        : '';
    return make(
      notAString,
      path,
      `must be a string, not ${kindOf(value)}${shown}${booleanWord}${unsupported}`,
      `write the value in quotes, e.g. "${text}"`,
    );
  }
  return make(wrongType, path, `must be ${wanted}, not ${kindOf(value)}${shown}`);
}

function enumMismatch(path: string, value: unknown, allowed: unknown[]): Finding {
  const words = allowed.map((v) => String(v));
  if (path === 'spec.postgresql.version') {
    return make(
      enumValue,
      path,
      `PostgreSQL version ${JSON.stringify(value)} is not supported; supported: ${words.join(', ')}`,
      `set a supported version in quotes, e.g. version: "${words.at(-1)}"`,
    );
  }
  const near = typeof value === 'string' ? closest(value, words) : undefined;
  return make(
    enumValue,
    path,
    `${JSON.stringify(value)} is not one of the allowed values: ${compactEnum(words)}`,
    near === undefined ? undefined : `did you mean "${near}"?`,
  );
}

/** `login, LOGIN, nologin, NOLOGIN` → `login, nologin (all lower or all upper case)`. */
export function compactEnum(words: readonly string[]): string {
  const lower = words.filter((w) => w === w.toLowerCase());
  const paired = lower.length * 2 === words.length && lower.every((w) => words.includes(w.toUpperCase()));
  return paired ? `${lower.join(', ')} (all lower or all upper case)` : words.join(', ');
}

function rangeMismatch(
  path: string,
  value: unknown,
  keyword: string,
  limit: number,
  schema: JsonSchema | undefined,
): Finding {
  const int32 = schema?.['x-kubernetes-format'] === 'int32';
  if (int32 && (limit === 2147483647 || limit === -2147483648)) {
    return make(
      range,
      path,
      `${String(value)} does not fit a 32-bit integer: the operator cannot decode the manifest`,
      'use a value between -2147483648 and 2147483647',
    );
  }
  const words: Record<string, string> = {
    minimum: 'at least',
    maximum: 'at most',
    exclusiveMinimum: 'greater than',
    exclusiveMaximum: 'less than',
  };
  return make(range, path, `${String(value)} is out of range: must be ${words[keyword]} ${limit}`);
}

function combinatorMessage(error: ErrorObject, schema: JsonSchema | undefined): string {
  const branches = (error.keyword === 'anyOf' ? schema?.anyOf : schema?.oneOf) ?? [];
  const needs = branches.map((b) =>
    b.required?.length === 1 && Object.keys(b).length === 1 ? b.required[0] : undefined,
  );
  if (needs.length > 0 && needs.every((n) => n !== undefined)) {
    return `needs ${error.keyword === 'oneOf' ? 'exactly' : 'at least'} one of: ${needs.join(', ')}`;
  }
  return error.keyword === 'oneOf'
    ? 'must match exactly one of the forms the CRD allows'
    : 'does not match any of the forms the CRD allows';
}

function notMessage(schema: JsonSchema | undefined): string {
  const forbidden = schema?.not?.required;
  if (forbidden && forbidden.length > 1) return `must not set ${forbidden.join(' and ')} together`;
  return 'has a combination of fields the CRD forbids';
}
