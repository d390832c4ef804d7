/**
 * Kubernetes field paths, as `kubectl` prints them: `.field` for a struct field, `[key]` for a map key,
 * `[0]` for a list index — `spec.users[foo_user]`, `spec.maintenanceWindows[0]`. The same string is in
 * the linter's output, in the webhook's status causes and in the API server's own errors.
 */
export function child(base: string, field: string): string {
  return base === '' ? field : `${base}.${field}`;
}

export function key(base: string, mapKey: string | number): string {
  return `${base}[${mapKey}]`;
}

export const index = key;

/**
 * Splits a field path into its segments. Map keys and indexes both come back as strings: whether `[0]`
 * is an index or a key is decided by the node it is applied to.
 */
export function parseFieldPath(path: string): string[] {
  const segments: string[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] === '[') {
      // A key may itself contain `]`: the bracket closes where a `.`, `[` or the end follows.
      let end = path.indexOf(']', i + 1);
      while (end !== -1 && end + 1 < path.length && path[end + 1] !== '.' && path[end + 1] !== '[') {
        end = path.indexOf(']', end + 1);
      }
      if (end === -1) end = path.length;
      segments.push(path.slice(i + 1, end));
      i = end + 1;
    } else {
      if (path[i] === '.') i += 1;
      let end = i;
      while (end < path.length && path[end] !== '.' && path[end] !== '[') end += 1;
      segments.push(path.slice(i, end));
      i = end;
    }
  }
  return segments;
}
