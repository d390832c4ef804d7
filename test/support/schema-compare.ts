import { isDeepStrictEqual } from 'node:util';
import type { StructuralSchema } from '../../packages/validator/src/schema/structural-schema.js';

/**
 * Compares two structural schemas field path by field path (`.name` for properties, `[]` for items,
 * `{}` for map values): which paths only one side has, and on common paths every keyword that differs.
 * Descriptions are ours and are not compared; `required` compares as a set, everything else deeply.
 */
export interface Difference {
  path: string;
  kind: 'only-ours' | 'only-upstream' | 'keyword';
  detail: string;
}

const NOT_COMPARED = new Set(['description', 'properties', 'items']);

export function fieldPaths(root: StructuralSchema): Map<string, StructuralSchema> {
  const paths = new Map<string, StructuralSchema>();
  const visit = (node: StructuralSchema, path: string): void => {
    paths.set(path, node);
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      visit(child, path === '' ? key : `${path}.${key}`);
    }
    if (node.items) visit(node.items, `${path}[]`);
    if (typeof node.additionalProperties === 'object') visit(node.additionalProperties, `${path}{}`);
  };
  visit(root, '');
  return paths;
}

function withoutDescriptions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDescriptions);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== 'description')
        .map(([key, child]) => [key, withoutDescriptions(child)]),
    );
  }
  return value;
}

function keywordEqual(keyword: string, ours: unknown, upstream: unknown): boolean {
  if (keyword === 'required' && Array.isArray(ours) && Array.isArray(upstream)) {
    return isDeepStrictEqual([...ours].sort(), [...upstream].sort());
  }
  if (keyword === 'additionalProperties' && typeof ours === 'object' && typeof upstream === 'object') {
    return true; // both are schemas: compared path by path under `{}`
  }
  return isDeepStrictEqual(withoutDescriptions(ours), withoutDescriptions(upstream));
}

const show = (value: unknown): string => (value === undefined ? '(absent)' : JSON.stringify(value));

export function compareSchemas(ours: StructuralSchema, upstream: StructuralSchema): Difference[] {
  const differences: Difference[] = [];
  const ourPaths = fieldPaths(ours);
  const upstreamPaths = fieldPaths(upstream);
  for (const path of ourPaths.keys()) {
    if (!upstreamPaths.has(path)) differences.push({ path, kind: 'only-ours', detail: 'field only in ours' });
  }
  for (const [path, theirs] of upstreamPaths) {
    const mine = ourPaths.get(path);
    if (mine === undefined) {
      differences.push({ path, kind: 'only-upstream', detail: 'field missing in ours' });
      continue;
    }
    const keywords = new Set([...Object.keys(mine), ...Object.keys(theirs)]);
    for (const keyword of [...keywords].sort()) {
      if (NOT_COMPARED.has(keyword)) continue;
      const a: unknown = mine[keyword as keyof StructuralSchema];
      const b: unknown = theirs[keyword as keyof StructuralSchema];
      if (!keywordEqual(keyword, a, b)) {
        differences.push({
          path,
          kind: 'keyword',
          detail: `${keyword}: ours ${show(a)}, upstream ${show(b)}`,
        });
      }
    }
  }
  return differences.map((d) => ({ ...d, path: d.path === '' ? '<root>' : d.path }));
}
