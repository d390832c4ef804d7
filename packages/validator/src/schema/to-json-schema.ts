import type { JsonSchema, JsonType } from './json-schema.js';
import { re2ToEcmaScript } from './re2-pattern.js';
import { refName, type StructuralSchema } from './structural-schema.js';

/**
 * Converts a CRD schema (or one of ours, with definitions) into a strict JSON Schema for ajv.
 * This is the one conversion: `npm run generate` uses it for the built-in schema and `--crd` uses it
 * at run time for the CRD a cluster really runs.
 *
 * - Objects that list `properties` get `additionalProperties: false` (an unknown field is pruned by
 *   the API server or refused by `kubectl --validate=strict`), except under
 *   `x-kubernetes-preserve-unknown-fields`. A bare `type: object` keeps nothing either, apart from the
 *   root `metadata`, which the API server validates itself. The root always admits `apiVersion`, `kind`
 *   and `metadata`, declared or not.
 * - `nullable: true` becomes a `null` member of `type`; `x-kubernetes-int-or-string` becomes
 *   `type: [integer, string]`.
 * - RE2 patterns are translated to ECMAScript (see re2-pattern.ts).
 * - `format: int32` becomes bounds (the operator decodes into int32); `uuid` formats become patterns.
 *   Other formats are not checked (neither does the API server for non-strings).
 * - OpenAPI v3.0 boolean `exclusiveMinimum`/`exclusiveMaximum` become draft-07 numbers.
 * - `x-kubernetes-validations` (CEL) cannot be evaluated here; they are reported by `celRulesOf`.
 */
export function toJsonSchema(
  root: StructuralSchema,
  definitions: Record<string, StructuralSchema> = {},
  meta: { id?: string; title?: string } = {},
): JsonSchema {
  const out: JsonSchema = { $schema: 'http://json-schema.org/draft-07/schema#' };
  if (meta.id) out.$id = meta.id;
  if (meta.title) out.title = meta.title;
  Object.assign(out, convertNode(root, true));
  const names = Object.keys(definitions);
  if (names.length > 0) {
    out.definitions = {};
    for (const name of names.sort()) {
      const definition = definitions[name] as StructuralSchema;
      out.definitions[name] = { title: name, ...convertNode(definition, false) };
    }
  }
  return out;
}

const UUID_PATTERN = '^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$';
const INT32 = { min: -2147483648, max: 2147483647 };

function convertNode(node: StructuralSchema, isRoot: boolean): JsonSchema {
  if (node.$ref !== undefined) {
    const out: JsonSchema = { $ref: `#/definitions/${refName(node.$ref)}` };
    if (node.description) out.description = node.description;
    return out;
  }
  const out: JsonSchema = {};
  if (node.description) out.description = node.description;

  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  let types: JsonType[] = [];
  if (node['x-kubernetes-int-or-string']) types = ['integer', 'string'];
  else if (node.type) types = [node.type];
  if (node.nullable && types.length > 0) types.push('null');
  if (types.length === 1) out.type = types[0];
  else if (types.length > 1) out.type = types;

  if (node.properties) {
    out.properties = {};
    for (const [key, child] of Object.entries(node.properties)) {
      const isMetadata = isRoot && key === 'metadata' && child.type === 'object' && !child.properties;
      out.properties[key] = isMetadata ? { type: 'object' } : convertNode(child, false);
    }
    if (isRoot) {
      // The API server keeps these three whatever the CRD declares; a hand-written CRD may leave them
      // out (operator v1.15.1 declares no metadata), which must not make every manifest's metadata unknown.
      out.properties.apiVersion ??= { type: 'string' };
      out.properties.kind ??= { type: 'string' };
      out.properties.metadata ??= { type: 'object' };
    }
  }
  if (typeof node.additionalProperties === 'object') {
    out.additionalProperties = convertNode(node.additionalProperties, false);
  } else if (node.additionalProperties !== undefined) {
    out.additionalProperties = node.additionalProperties;
  } else if (node.type === 'object' && !preserve) {
    out.additionalProperties = false;
  }
  if (preserve) out['x-kubernetes-preserve-unknown-fields'] = true;
  if (node.items) out.items = convertNode(node.items, false);
  if (node.required?.length) out.required = [...node.required];
  if (node.enum) out.enum = [...node.enum];

  if (node.pattern !== undefined) {
    out.pattern = re2ToEcmaScript(node.pattern);
    if (out.pattern !== node.pattern) out['x-kubernetes-pattern'] = node.pattern;
  }
  switch (node.format) {
    case 'int32':
      out['x-kubernetes-format'] = 'int32';
      out.minimum = Math.max(node.minimum ?? INT32.min, INT32.min);
      out.maximum = Math.min(node.maximum ?? INT32.max, INT32.max);
      break;
    case 'int64':
      out['x-kubernetes-format'] = 'int64';
      break;
    case 'uuid':
    case 'uuid3':
    case 'uuid4':
    case 'uuid5':
      if (out.pattern === undefined) out.pattern = UUID_PATTERN;
      break;
  }
  if (node.minimum !== undefined && out.minimum === undefined) out.minimum = node.minimum;
  if (node.maximum !== undefined && out.maximum === undefined) out.maximum = node.maximum;
  if (node.exclusiveMinimum && out.minimum !== undefined) {
    out.exclusiveMinimum = out.minimum;
    delete out.minimum;
  }
  if (node.exclusiveMaximum && out.maximum !== undefined) {
    out.exclusiveMaximum = out.maximum;
    delete out.maximum;
  }
  for (const key of [
    'multipleOf',
    'minLength',
    'maxLength',
    'minItems',
    'maxItems',
    'minProperties',
    'maxProperties',
  ] as const) {
    if (node[key] !== undefined) out[key] = node[key];
  }
  if (node.uniqueItems || node['x-kubernetes-list-type'] === 'set') out.uniqueItems = true;
  if (node.default !== undefined) out.default = node.default;

  const isIntOrStringAnyOf = node['x-kubernetes-int-or-string'] === true;
  if (node.anyOf && !isIntOrStringAnyOf) out.anyOf = node.anyOf.map((s) => convertNode(s, false));
  if (node.allOf) out.allOf = node.allOf.map((s) => convertNode(s, false));
  if (node.oneOf) out.oneOf = node.oneOf.map((s) => convertNode(s, false));
  if (node.not) out.not = convertNode(node.not, false);
  return out;
}

/** The CEL rules (`x-kubernetes-validations`) of a schema, which we cannot evaluate, by field path. */
export function celRulesOf(root: StructuralSchema, path = ''): string[] {
  const found: string[] = [];
  if (root['x-kubernetes-validations']?.length) found.push(path || '<root>');
  for (const [key, child] of Object.entries(root.properties ?? {}))
    found.push(...celRulesOf(child, `${path}.${key}`));
  if (root.items) found.push(...celRulesOf(root.items, `${path}[]`));
  if (typeof root.additionalProperties === 'object')
    found.push(...celRulesOf(root.additionalProperties, `${path}{}`));
  return found;
}
