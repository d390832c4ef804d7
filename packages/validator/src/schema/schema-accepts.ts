import type { CompiledSchema } from './compiled-schema.js';

const compiled = new Map<string, RegExp>();
/** Per schema: the pattern at a path shape (list indexes folded), found once. */
const patternsAt = new WeakMap<CompiledSchema, Map<string, string | undefined>>();

function patternAt(schema: CompiledSchema, segments: readonly string[], data: unknown): string | undefined {
  let cache = patternsAt.get(schema);
  if (cache === undefined) {
    cache = new Map();
    patternsAt.set(schema, cache);
  }
  // A list index or a map key leads to the same schema whatever its value; fold indexes for the key.
  const shape = segments.map((s) => (/^\d+$/.test(s) ? '#' : s)).join('\u0000');
  if (cache.has(shape)) return cache.get(shape);
  const pattern = schema.navigator.nodeAt(segments, data)?.pattern;
  cache.set(shape, pattern);
  return pattern;
}

/**
 * Whether the CRD's own pattern for the field at `segments` admits a text (no pattern: yes). Rules use
 * it to leave what the schema already reports to the schema, so that one problem is one finding.
 */
export function schemaPatternAccepts(
  schema: CompiledSchema,
  segments: readonly string[],
  data: unknown,
  text: string,
): boolean {
  const pattern = patternAt(schema, segments, data);
  if (pattern === undefined) return true;
  let regex = compiled.get(pattern);
  if (regex === undefined) {
    regex = new RegExp(pattern, 'u');
    compiled.set(pattern, regex);
  }
  return regex.test(text);
}
