import { child, index, key } from '../field-path.js';
import type { JsonSchema } from './json-schema.js';

/** How a segment hangs below its parent, in the schema's terms. */
export type SegmentKind = 'field' | 'key' | 'index' | 'unknown' | 'free';

export interface ChildSchema {
  kind: SegmentKind;
  /** Schema of the child; undefined for unknown fields and inside preserve-unknown-fields. */
  schema?: JsonSchema;
}

/** Walks a JSON schema (with `#/definitions/...` references) alongside an object. */
export class SchemaNavigator {
  /**
   * @param manifest whether the schema is that of a `postgresql` manifest (compiled schemas), not of
   *   another document that shares the findings code (e.g. a defaults policy)
   */
  constructor(
    readonly root: JsonSchema,
    readonly manifest = false,
  ) {}

  resolve(node: JsonSchema): JsonSchema {
    let current = node;
    for (let hops = 0; current.$ref !== undefined && hops < 32; hops++) {
      const name = current.$ref.replace(/^#\/definitions\//, '');
      const target = this.root.definitions?.[name];
      if (target === undefined) throw new Error(`schema reference ${current.$ref} does not resolve`);
      current = target;
    }
    return current;
  }

  childOf(parent: JsonSchema | undefined, segment: string, parentIsArray: boolean): ChildSchema {
    if (parent === undefined) return { kind: parentIsArray ? 'index' : 'free' };
    const node = this.resolve(parent);
    if (parentIsArray) return node.items ? { kind: 'index', schema: node.items } : { kind: 'index' };
    const property = node.properties?.[segment];
    if (property !== undefined && Object.hasOwn(node.properties ?? {}, segment)) {
      return { kind: 'field', schema: property };
    }
    if (typeof node.additionalProperties === 'object')
      return { kind: 'key', schema: node.additionalProperties };
    if (node.additionalProperties === false) return { kind: 'unknown' };
    return { kind: 'free' };
  }

  /** The schema node at a path of segments, or undefined where the schema says nothing. */
  nodeAt(segments: readonly string[], data: unknown): JsonSchema | undefined {
    let schema: JsonSchema | undefined = this.root;
    let value = data;
    for (const segment of segments) {
      const next = this.childOf(schema, segment, Array.isArray(value));
      schema = next.schema;
      value = stepInto(value, segment);
      if (schema === undefined) return undefined;
    }
    return schema === undefined ? undefined : this.resolve(schema);
  }

  /** The Kubernetes field path of a JSON-pointer-like list of segments into `data`. */
  fieldPath(segments: readonly string[], data: unknown): string {
    let path = '';
    let schema: JsonSchema | undefined = this.root;
    let value = data;
    for (const segment of segments) {
      const isArray = Array.isArray(value);
      const next = this.childOf(schema, segment, isArray);
      path =
        next.kind === 'index'
          ? index(path, segment)
          : next.kind === 'key'
            ? key(path, segment)
            : child(path, segment);
      schema = next.schema;
      value = stepInto(value, segment);
    }
    return path;
  }

  /** The fields a node declares. */
  fieldsOf(node: JsonSchema | undefined): string[] {
    return node === undefined ? [] : Object.keys(this.resolve(node).properties ?? {});
  }
}

export function stepInto(value: unknown, segment: string): unknown {
  if (Array.isArray(value)) return value[Number(segment)];
  if (value !== null && typeof value === 'object' && Object.hasOwn(value, segment)) {
    return (value as Record<string, unknown>)[segment];
  }
  return undefined;
}

/** Splits an ajv instancePath (JSON pointer) into segments. */
export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}
