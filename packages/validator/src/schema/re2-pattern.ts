/**
 * Translates an RE2 regular expression (the dialect of CRD `pattern`s, matched by Go's regexp) into an
 * ECMAScript pattern with the same meaning that compiles with the `u` flag, as ajv uses it.
 *
 * What differs between the two, and what we do:
 * - RE2 lets any punctuation be escaped (`\ `, `\-`, `\:`); `u` mode allows only syntax characters.
 * - RE2 `\s` is ASCII whitespace `[\t\n\f\r ]`; ECMAScript's also matches `\v` and Unicode spaces.
 * - RE2 `.` excludes only `\n`; ECMAScript's also excludes `\r`, U+2028 and U+2029.
 * - RE2 takes a lone `{`, `}` or `]` literally; `u` mode rejects them.
 * - RE2 has POSIX classes (`[[:alpha:]]`), `\Q…\E`, `\pL`, `\x{…}`, `(?P<name>…)`, `\A`, `\z`,
 *   octal escapes and a leading `(?i)`.
 */
export class Re2TranslationError extends Error {
  constructor(
    readonly pattern: string,
    reason: string,
  ) {
    super(`cannot translate RE2 pattern ${JSON.stringify(pattern)}: ${reason}`);
  }
}

const SYNTAX_CHARS = new Set([...'^$\\.*+?()[]{}|/']);
const ASCII_SPACE = '\\t\\n\\f\\r ';
const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

function literal(ch: string, inClass: boolean): string {
  if (inClass) return ch === ']' || ch === '\\' || ch === '[' || ch === '^' || ch === '-' ? `\\${ch}` : ch;
  return SYNTAX_CHARS.has(ch) ? `\\${ch}` : ch;
}

function caseFold(ch: string, inClass: boolean): string {
  const lower = ch.toLowerCase();
  const upper = ch.toUpperCase();
  if (lower === upper) return literal(ch, inClass);
  return inClass ? `${lower}${upper}` : `[${lower}${upper}]`;
}

export function re2ToEcmaScript(pattern: string): string {
  let src = pattern;
  let ignoreCase = false;
  const flags = /^\(\?([imsU]+)\)/.exec(src);
  if (flags) {
    const set = flags[1] ?? '';
    if (/[msU]/.test(set)) throw new Re2TranslationError(pattern, `flags (?${set}) are not supported`);
    ignoreCase = true;
    src = src.slice(flags[0].length);
  }

  let out = '';
  let inClass = false;
  let classStart = -1;
  let i = 0;
  const emitChar = (ch: string) => {
    out += ignoreCase ? caseFold(ch, inClass) : literal(ch, inClass);
  };

  while (i < src.length) {
    const ch = src[i] as string;

    if (ch === '\\') {
      const next = src[i + 1];
      if (next === undefined) throw new Re2TranslationError(pattern, 'trailing backslash');
      i += 2;
      switch (next) {
        case 'd':
        case 'D':
        case 'w':
        case 'W':
        case 'b':
        case 'B':
          out += `\\${next}`;
          break;
        case 's':
          out += inClass ? ASCII_SPACE : `[${ASCII_SPACE}]`;
          break;
        case 'S':
          if (inClass) throw new Re2TranslationError(pattern, '\\S inside a character class');
          out += `[^${ASCII_SPACE}]`;
          break;
        case 'A':
          out += '^';
          break;
        case 'z':
          out += '$';
          break;
        case 't':
        case 'n':
        case 'r':
        case 'f':
        case 'v':
          out += `\\${next}`;
          break;
        case 'a':
          out += '\\x07';
          break;
        case 'x': {
          if (src[i] === '{') {
            const end = src.indexOf('}', i);
            if (end < 0) throw new Re2TranslationError(pattern, 'unterminated \\x{…}');
            out += `\\u{${src.slice(i + 1, end)}}`;
            i = end + 1;
          } else {
            out += `\\x${src.slice(i, i + 2)}`;
            i += 2;
          }
          break;
        }
        case 'p':
        case 'P': {
          if (src[i] === '{') {
            const end = src.indexOf('}', i);
            if (end < 0) throw new Re2TranslationError(pattern, `unterminated \\${next}{…}`);
            out += `\\${next}{${src.slice(i + 1, end)}}`;
            i = end + 1;
          } else {
            out += `\\${next}{${src[i] ?? ''}}`;
            i += 1;
          }
          break;
        }
        case 'Q': {
          const end = src.indexOf('\\E', i);
          const quoted = end < 0 ? src.slice(i) : src.slice(i, end);
          for (const q of quoted) emitChar(q);
          i = end < 0 ? src.length : end + 2;
          break;
        }
        default: {
          if (/[0-7]/.test(next)) {
            const digits = /^[0-7]{0,2}/.exec(src.slice(i))?.[0] ?? '';
            const code = Number.parseInt(next + digits, 8);
            out += `\\u{${code.toString(16)}}`;
            i += digits.length;
          } else if (/[A-Za-z]/.test(next)) {
            throw new Re2TranslationError(pattern, `escape \\${next} is not supported`);
          } else {
            emitChar(next);
          }
        }
      }
      continue;
    }

    if (inClass) {
      if (ch === '[' && src[i + 1] === ':') {
        const end = src.indexOf(':]', i + 2);
        const name = end < 0 ? '' : src.slice(i + 2, end);
        const negated = name.startsWith('^');
        const set = POSIX_CLASSES[negated ? name.slice(1) : name];
        if (set === undefined) throw new Re2TranslationError(pattern, `unknown POSIX class [:${name}:]`);
        if (negated) throw new Re2TranslationError(pattern, `negated POSIX class [:${name}:]`);
        out += set;
        i = end + 2;
        continue;
      }
      if (ch === ']' && i > classStart) {
        out += ']';
        inClass = false;
        i += 1;
        continue;
      }
      const rangeEnd = src[i + 2];
      if (ignoreCase && src[i + 1] === '-' && rangeEnd !== undefined && /[A-Za-z]/.test(ch + rangeEnd)) {
        out += `${ch.toLowerCase()}-${rangeEnd.toLowerCase()}${ch.toUpperCase()}-${rangeEnd.toUpperCase()}`;
        i += 3;
        continue;
      }
      if (ch === '-') {
        out += '-';
        i += 1;
        continue;
      }
      emitChar(ch);
      i += 1;
      continue;
    }

    switch (ch) {
      case '[': {
        inClass = true;
        out += '[';
        i += 1;
        if (src[i] === '^') {
          out += '^';
          i += 1;
        }
        // A `]` right after `[` or `[^` is a literal in RE2.
        if (src[i] === ']') {
          out += '\\]';
          i += 1;
        }
        classStart = i;
        break;
      }
      case '.':
        out += '[^\\n]';
        i += 1;
        break;
      case '(': {
        if (src.startsWith('(?P<', i)) {
          out += '(?<';
          i += 4;
        } else if (src.startsWith('(?:', i)) {
          out += '(?:';
          i += 3;
        } else if (src[i + 1] === '?') {
          throw new Re2TranslationError(pattern, `group syntax ${src.slice(i, i + 4)}… is not supported`);
        } else {
          out += '(';
          i += 1;
        }
        break;
      }
      case '{': {
        const quantifier = /^\{\d+(,\d*)?\}/.exec(src.slice(i));
        if (quantifier) {
          out += quantifier[0];
          i += quantifier[0].length;
        } else {
          out += '\\{';
          i += 1;
        }
        break;
      }
      case '}':
      case ']':
        out += `\\${ch}`;
        i += 1;
        break;
      case '^':
      case '$':
      case '|':
      case ')':
      case '*':
      case '+':
      case '?':
        out += ch;
        i += 1;
        break;
      default:
        emitChar(ch);
        i += 1;
    }
  }
  if (inClass) throw new Re2TranslationError(pattern, 'unterminated character class');
  try {
    new RegExp(out, 'u');
  } catch (error) {
    throw new Re2TranslationError(pattern, (error as Error).message);
  }
  return out;
}
