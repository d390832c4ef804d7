/**
 * How deep an object may nest. JSON.parse reads any depth, but the schema check, the defaults engine
 * and Node's deep comparison recurse and run out of stack a few thousand levels down: an object nested
 * deeper than this is refused before anything walks it (by `validate`, `mutate` and the webhook). No
 * `postgresql` field nests more than a dozen levels; the limit is the one the YAML reader applies. Pure.
 */

/** Collections (maps and lists) on one path, the object itself counting as the first. */
export const MAX_OBJECT_DEPTH = 200;

/** Segments shown of the path to a value nested too deep: the field it starts from. */
const SHOWN_SEGMENTS = 3;

interface Frame {
  value: unknown;
  depth: number;
  parent: Frame | undefined;
  segment: string;
  index: boolean;
}

/** `spec.postgresql.parameters`: the first segments of a frame's path, as field paths are written. */
function fieldOf(frame: Frame): string {
  const segments: Frame[] = [];
  for (let at: Frame | undefined = frame; at?.parent !== undefined; at = at.parent) segments.push(at);
  let path = '';
  for (const { segment, index } of segments.reverse().slice(0, SHOWN_SEGMENTS)) {
    path = index ? `${path}[${segment}]` : path === '' ? segment : `${path}.${segment}`;
  }
  return path;
}

/**
 * Where `value` nests deeper than `limit` collections: the field path of the outermost field on
 * that path (at most three segments), or undefined when it does not. Iterative, so that any depth
 * is measured without recursion; it stops at the first path that goes too deep.
 */
export function nestedTooDeep(value: unknown, limit = MAX_OBJECT_DEPTH): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const stack: Frame[] = [{ value, depth: 1, parent: undefined, segment: '', index: false }];
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    const parent = frame;
    const current = parent.value as object;
    if (parent.depth > limit) return fieldOf(parent);
    const index = Array.isArray(current);
    for (const [segment, item] of Object.entries(current)) {
      if (item !== null && typeof item === 'object') {
        stack.push({ value: item, depth: parent.depth + 1, parent, segment, index });
      }
    }
  }
  return undefined;
}
