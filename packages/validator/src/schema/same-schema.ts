import { isDeepStrictEqual } from 'node:util';
import type { JsonSchema } from './json-schema.js';
import { SchemaNavigator } from './schema-navigator.js';

/** Keywords that change no verdict: words for people, identifiers, the definitions behind `$ref`. */
const IGNORED = new Set(['description', 'title', '$schema', '$id', 'definitions']);

/**
 * A schema as a plain tree that only says what it accepts: references inlined, descriptions and titles
 * dropped, `required` sorted (its order means nothing), and the root `metadata` reduced to an object
 * (upstream CRDs leave it bare; ours spell out ObjectMeta, which the API server checks anyway).
 */
function canonical(schema: JsonSchema): unknown {
  const nav = new SchemaNavigator(schema);
  const visit = (node: JsonSchema, depth: number): unknown => {
    if (depth > 100) throw new Error('schema nested deeper than 100 levels');
    const resolved = nav.resolve(node);
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(resolved)) {
      if (IGNORED.has(key) || key === '$ref') continue;
      if (key === 'required' && Array.isArray(value)) out[key] = [...value].sort();
      else if (key === 'properties' && value !== null && typeof value === 'object') {
        out[key] = Object.fromEntries(
          Object.entries(value as Record<string, JsonSchema>).map(([name, child]) => [
            name,
            depth === 0 && name === 'metadata' ? { type: 'object' } : visit(child, depth + 1),
          ]),
        );
      } else if (
        (key === 'items' || key === 'additionalProperties' || key === 'not') &&
        typeof value === 'object'
      )
        out[key] = visit(value as JsonSchema, depth + 1);
      else if ((key === 'anyOf' || key === 'allOf' || key === 'oneOf') && Array.isArray(value))
        out[key] = value.map((branch: JsonSchema) => visit(branch, depth + 1));
      else out[key] = value;
    }
    return out;
  };
  return visit(schema, 0);
}

/**
 * Do two converted schemas accept and reject the same objects, with the same words (enum order and
 * patterns included)? Then a CRD given at run time can use a shipped, precompiled validator.
 */
export function sameVerdicts(a: JsonSchema, b: JsonSchema): boolean {
  return isDeepStrictEqual(canonical(a), canonical(b));
}
