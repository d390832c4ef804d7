import type { CompiledSchema } from './compiled-schema.js';

const compiled = new Map<string, RegExp>();

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
  const pattern = schema.navigator.nodeAt(segments, data)?.pattern;
  if (pattern === undefined) return true;
  let regex = compiled.get(pattern);
  if (regex === undefined) {
    regex = new RegExp(pattern, 'u');
    compiled.set(pattern, regex);
  }
  return regex.test(text);
}
