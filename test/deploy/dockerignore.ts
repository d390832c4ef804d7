/**
 * `.dockerignore` semantics, as BuildKit applies them to the build context: one pattern a line,
 * `#` comments, Go `filepath.Match` globs plus `**` for any number of directories, a leading `!` to
 * take paths back in, the last matching pattern wins, and a pattern that matches a directory matches
 * everything under it. Paths are relative to the context root, with forward slashes.
 */

interface Rule {
  exclude: boolean;
  pattern: RegExp;
}

function toRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i] ?? '';
    if (char === '*' && glob[i + 1] === '*') {
      // `**/` matches zero or more directories; a trailing `**` everything below.
      if (glob[i + 2] === '/') {
        source += '(?:.*/)?';
        i += 2;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '[') {
      const end = glob.indexOf(']', i);
      if (end < 0) throw new Error(`unclosed [ in ${glob}`);
      source += `[${glob.slice(i + 1, end).replace(/^!/, '^')}]`;
      i = end;
    } else if (char === '\\') {
      source += `\\${glob[i + 1] ?? ''}`;
      i += 1;
    } else source += char.replace(/[.+^${}()|]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** Normalises as Docker does (filepath.Clean): no leading or trailing slash, no `./`. */
function clean(pattern: string): string {
  return pattern
    .replace(/^\/+/, '')
    .replace(/\/+$/, '')
    .replace(/(^|\/)\.\//g, '$1');
}

export function parseDockerignore(text: string): Rule[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const exclude = !line.startsWith('!');
      return { exclude, pattern: toRegExp(clean(exclude ? line : line.slice(1).trim())) };
    });
}

/** Whether the file at `path` (relative to the context root) is left out of the build context. */
export function isIgnored(rules: readonly Rule[], path: string): boolean {
  const parts = path.split('/');
  const candidates = parts.map((_, index) => parts.slice(0, index + 1).join('/'));
  let ignored = false;
  for (const rule of rules) {
    if (candidates.some((candidate) => rule.pattern.test(candidate))) ignored = rule.exclude;
  }
  return ignored;
}
