/** The JSON Schema (draft-07) subset that our conversion produces and that ajv compiles. */
export interface JsonSchema {
  $schema?: string;
  $id?: string;
  $ref?: string;
  title?: string;
  description?: string;
  type?: JsonType | JsonType[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  default?: unknown;
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  not?: JsonSchema;
  definitions?: Record<string, JsonSchema>;
  /** Kept as an annotation: below this node the API server keeps unknown fields (and their nulls). */
  'x-kubernetes-preserve-unknown-fields'?: true;
  /** Annotation: the RE2 pattern as the CRD spells it, when the translated `pattern` differs. */
  'x-kubernetes-pattern'?: string;
  /** Annotation: the integer format of the CRD (`int32`, `int64`), which the operator decodes into. */
  'x-kubernetes-format'?: string;
}

export type JsonType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';

/** Annotation keywords that ajv must accept in strict mode. */
export const ANNOTATION_KEYWORDS = [
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-pattern',
  'x-kubernetes-format',
] as const;

export function typesOf(schema: JsonSchema): JsonType[] {
  if (schema.type === undefined) return [];
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}
