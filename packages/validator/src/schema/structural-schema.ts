/**
 * The schema dialect of a CustomResourceDefinition (`openAPIV3Schema`): OpenAPI v3.0 with the
 * `x-kubernetes-*` extensions. Our own schemas in `schema/` are written in the same dialect, plus
 * `$ref: '#/definitions/Name'` so that the embedded Kubernetes types are written once.
 */
export interface StructuralSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  properties?: Record<string, StructuralSchema>;
  additionalProperties?: StructuralSchema | boolean;
  items?: StructuralSchema;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  nullable?: boolean;
  default?: unknown;
  anyOf?: StructuralSchema[];
  allOf?: StructuralSchema[];
  oneOf?: StructuralSchema[];
  not?: StructuralSchema;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-validations'?: unknown[];
  /** Only in our authored schemas: a reference to `#/definitions/<Name>`. */
  $ref?: string;
}

/** A schema file of ours: the root schema plus the named definitions it refers to. */
export interface SchemaDocument {
  schema: StructuralSchema;
  definitions: Record<string, StructuralSchema>;
}

const REF_PREFIX = '#/definitions/';

export function refName(ref: string): string {
  if (!ref.startsWith(REF_PREFIX)) {
    throw new Error(`unsupported $ref "${ref}": only ${REF_PREFIX}<Name> is allowed`);
  }
  return ref.slice(REF_PREFIX.length);
}

/**
 * Inlines every `$ref`, giving the schema exactly as a CRD would carry it (structural, no references).
 * Recursive definitions cannot be expressed in a CRD and are refused.
 */
export function inlineRefs(doc: SchemaDocument): StructuralSchema {
  const expanding: string[] = [];
  const visit = (node: StructuralSchema): StructuralSchema => {
    if (node.$ref !== undefined) {
      const name = refName(node.$ref);
      const target = doc.definitions[name];
      if (target === undefined) throw new Error(`$ref to unknown definition "${name}"`);
      if (expanding.includes(name))
        throw new Error(`recursive definition: ${[...expanding, name].join(' -> ')}`);
      expanding.push(name);
      const { $ref: _ref, ...siblings } = node;
      const inlined = { ...visit(target), ...siblings };
      expanding.pop();
      return inlined;
    }
    return mapChildren(node, visit);
  };
  return visit(doc.schema);
}

/** Rebuilds a node with `fn` applied to each direct sub-schema. */
export function mapChildren(
  node: StructuralSchema,
  fn: (child: StructuralSchema) => StructuralSchema,
): StructuralSchema {
  const out: StructuralSchema = { ...node };
  if (node.properties) {
    out.properties = Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, fn(v)]));
  }
  if (node.items) out.items = fn(node.items);
  if (typeof node.additionalProperties === 'object') out.additionalProperties = fn(node.additionalProperties);
  if (node.anyOf) out.anyOf = node.anyOf.map(fn);
  if (node.allOf) out.allOf = node.allOf.map(fn);
  if (node.oneOf) out.oneOf = node.oneOf.map(fn);
  if (node.not) out.not = fn(node.not);
  return out;
}

/** The definitions a document really uses, following references transitively. */
export function usedDefinitions(doc: SchemaDocument): Record<string, StructuralSchema> {
  const used: Record<string, StructuralSchema> = {};
  const visit = (node: StructuralSchema): StructuralSchema => {
    if (node.$ref !== undefined) {
      const name = refName(node.$ref);
      const target = doc.definitions[name];
      if (target !== undefined && !(name in used)) {
        used[name] = target;
        visit(target);
      }
    }
    return mapChildren(node, visit);
  };
  visit(doc.schema);
  return used;
}
