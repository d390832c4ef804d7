import { isDeepStrictEqual } from 'node:util';

/**
 * One RFC 6902 operation. A mutation only ever adds and replaces: it never removes a field, least of
 * all one it does not know (a newer CRD's field, a typo the validator will report).
 */
export type JsonPatchOperation =
  | { op: 'add'; path: string; value: unknown }
  | { op: 'replace'; path: string; value: unknown };

/** RFC 6901 pointer of a list of segments: `~` as `~0`, `/` as `~1`; `''` is the whole document. */
export function jsonPointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${String(s).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

type JsonMap = Record<string, unknown>;

function isMap(value: unknown): value is JsonMap {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The patch that turns `before` into `after`, for an `after` that only adds members and changes
 * values: `add` for each member `before` lacks (with its whole value, so parents come before their
 * children), `replace` for each changed value, member by member. What `after` lacks is left alone.
 */
export function diffPatch(before: unknown, after: unknown): JsonPatchOperation[] {
  const patch: JsonPatchOperation[] = [];
  const walk = (from: unknown, to: unknown, segments: string[]): void => {
    if (isDeepStrictEqual(from, to)) return;
    if (isMap(from) && isMap(to)) {
      for (const [name, value] of Object.entries(to)) {
        if (Object.hasOwn(from, name)) walk(from[name], value, [...segments, name]);
        else patch.push({ op: 'add', path: jsonPointer([...segments, name]), value: structuredClone(value) });
      }
      return;
    }
    if (Array.isArray(from) && Array.isArray(to) && from.length === to.length) {
      to.forEach((value, i) => {
        walk(from[i], value, [...segments, String(i)]);
      });
      return;
    }
    patch.push({ op: 'replace', path: jsonPointer(segments), value: structuredClone(to) });
  };
  walk(before, after, []);
  return patch;
}
