import { child, key } from '../field-path.js';
import type { Finding } from '../finding.js';
import { nullEntry, nullField } from '../rules/schema.js';
import { type JsonSchema, typesOf } from './json-schema.js';
import type { SchemaNavigator } from './schema-navigator.js';

/** What a vanished map entry means, for the maps where users most often write a bare `name:`. */
const VANISHES: Record<string, string> = {
  'spec.users': 'the role is never created and no secret is written',
  'spec.databases': 'the database is never created',
  'spec.preparedDatabases': 'the database and its roles are never created',
  'spec.patroni.slots': 'the replication slot is never created',
  'spec.patroni.initdb': 'the initdb option is not passed',
  'spec.postgresql.parameters': 'the parameter is not set',
};

/**
 * Removes YAML nulls the way the API server does before admission (non-nullable fields and map
 * values; not list items, not inside preserve-unknown-fields), returning a pruned copy and one finding
 * per removed null. The input is never modified.
 */
export function pruneNulls(value: unknown, nav: SchemaNavigator): { value: unknown; findings: Finding[] } {
  const findings: Finding[] = [];

  const visit = (node: unknown, schema: JsonSchema | undefined, path: string): unknown => {
    if (Array.isArray(node)) {
      const items = schema === undefined ? undefined : nav.resolve(schema).items;
      return node.map((item, i) => visit(item, items, key(path, i)));
    }
    if (node === null || typeof node !== 'object') return node;
    const resolved = schema === undefined ? undefined : nav.resolve(schema);
    const out: Record<string, unknown> = {};
    for (const [name, childValue] of Object.entries(node)) {
      const next = nav.childOf(resolved, name, false);
      const childPath = next.kind === 'key' ? key(path, name) : child(path, name);
      if (
        childValue === null &&
        next.kind !== 'free' &&
        next.kind !== 'unknown' &&
        !allowsNull(next.schema, nav)
      ) {
        findings.push(nullFinding(next.kind, path, childPath, name, next.schema, nav));
        continue;
      }
      out[name] = visit(childValue, next.schema, childPath);
    }
    return out;
  };

  return { value: visit(value, nav.root, ''), findings };
}

function allowsNull(schema: JsonSchema | undefined, nav: SchemaNavigator): boolean {
  return schema === undefined || typesOf(nav.resolve(schema)).includes('null');
}

function nullFinding(
  kind: string,
  parentPath: string,
  path: string,
  name: string,
  schema: JsonSchema | undefined,
  nav: SchemaNavigator,
): Finding {
  const expected = schema === undefined ? [] : typesOf(nav.resolve(schema));
  const empty = expected.includes('array') ? '[]' : expected.includes('object') ? '{}' : undefined;
  if (kind === 'key') {
    const consequence = VANISHES[parentPath] ?? `the entry is gone from ${parentPath}`;
    return {
      ruleId: nullEntry.id,
      severity: nullEntry.severity,
      path,
      message: `"${name}" has no value (YAML null): the API server drops null map entries, so ${consequence}`,
      hint: empty ? `write ${name}: ${empty}` : `give ${name} a value`,
    };
  }
  return {
    ruleId: nullField.id,
    severity: nullField.severity,
    path,
    message: `${name} has no value (YAML null): the API server drops it as if it were not written`,
    hint: empty ? `remove the line, or write ${name}: ${empty}` : `remove the line, or give ${name} a value`,
  };
}

/** Per schema: does any map there keep null values (`additionalProperties` with `nullable`)? */
const hasNullableMaps = new WeakMap<SchemaNavigator, boolean>();

function anyNullableMap(nav: SchemaNavigator): boolean {
  let known = hasNullableMaps.get(nav);
  if (known === undefined) {
    const nodes: JsonSchema[] = [nav.root, ...Object.values(nav.root.definitions ?? {})];
    const seen = new Set<JsonSchema>();
    known = false;
    for (let i = 0; i < nodes.length && !known; i++) {
      const node = nodes[i] as JsonSchema;
      if (seen.has(node)) continue;
      seen.add(node);
      const values = node.additionalProperties;
      if (typeof values === 'object' && allowsNull(values, nav)) known = true;
      nodes.push(...Object.values(node.properties ?? {}));
      if (typeof values === 'object') nodes.push(values);
      if (node.items) nodes.push(node.items);
    }
    hasNullableMaps.set(nav, known);
  }
  return known;
}

/**
 * Null map entries that the schema keeps (`nullable` values), e.g. `users: {foo_user: }` under operator
 * v1.15.1's CRD: the API server keeps them, and the v1 operator reads a null flag list as no flags (a
 * LOGIN role, as for `[]`). A CRD without `nullable` there — operator v2's — drops the entry, so each is
 * a warning: `[]` or `{}` means the same under every release.
 */
export function keptNullEntries(value: unknown, nav: SchemaNavigator): Finding[] {
  if (!anyNullableMap(nav)) return [];
  const findings: Finding[] = [];
  const visit = (node: unknown, schema: JsonSchema | undefined, path: string, depth: number): void => {
    if (schema === undefined || depth > 64) return;
    const resolved = nav.resolve(schema);
    if (Array.isArray(node)) {
      for (const [i, item] of node.entries()) visit(item, resolved.items, key(path, i), depth + 1);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [name, childValue] of Object.entries(node)) {
      const next = nav.childOf(resolved, name, false);
      const childPath = next.kind === 'key' ? key(path, name) : child(path, name);
      if (childValue === null) {
        if (next.kind === 'key' && next.schema !== undefined && allowsNull(next.schema, nav))
          findings.push(keptNullFinding(path, childPath, name, next.schema, nav));
        continue;
      }
      visit(childValue, next.schema, childPath, depth + 1);
    }
  };
  visit(value, nav.root, '', 0);
  return findings;
}

function keptNullFinding(
  parentPath: string,
  path: string,
  name: string,
  schema: JsonSchema,
  nav: SchemaNavigator,
): Finding {
  const types = typesOf(nav.resolve(schema));
  const empty = types.includes('array') ? '[]' : types.includes('object') ? '{}' : undefined;
  const hint = empty
    ? `write ${name}: ${empty}, which means the same under every operator release`
    : `give ${name} a value`;
  if (parentPath === 'spec.users') {
    return {
      ruleId: nullField.id,
      severity: nullField.severity,
      path,
      message: `"${name}" has no flags (YAML null): this CRD marks user flags nullable (operator v1.x), so the role is created with no flags, as for []; under operator v2's CRD the API server drops the entry and the role is never created`,
      hint,
    };
  }
  return {
    ruleId: nullField.id,
    severity: nullField.severity,
    path,
    message: `"${name}" has no value (YAML null): this CRD keeps the null (nullable), but a CRD without nullable there drops the entry from ${parentPath}`,
    hint,
  };
}
