/**
 * The API server turns admission warnings into `Warning: 299` headers: one warning longer than 256
 * characters may be truncated, and once 4,096 characters of warnings have accumulated further ones
 * are dropped. We fit ours within those limits ourselves, so that what is cut is cut visibly.
 * Lengths are counted in UTF-8 bytes (what Go's `len` counts), which is never less than characters.
 */

/** Longest single warning we send (bytes), under the API server's 256. */
export const MAX_WARNING_BYTES = 255;
/** Most bytes of warnings we send in total, under the API server's 4,096. */
export const MAX_WARNINGS_BYTES = 4095;

const ELLIPSIS = '…';

const byteLength = (text: string): number => Buffer.byteLength(text, 'utf8');

/** One line, no control characters (they cannot travel in an HTTP header). */
function singleLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** Cuts a text to at most `limit` UTF-8 bytes, ending in `…` when cut (never inside a character). */
export function truncateBytes(text: string, limit: number): string {
  if (byteLength(text) <= limit) return text;
  const room = limit - byteLength(ELLIPSIS);
  let used = 0;
  let end = 0;
  for (const character of text) {
    const size = byteLength(character);
    if (used + size > room) break;
    used += size;
    end += character.length;
  }
  return `${text.slice(0, end)}${ELLIPSIS}`;
}

/**
 * The warnings to send, in order: each one line within MAX_WARNING_BYTES, all of them within
 * MAX_WARNINGS_BYTES; what does not fit is replaced by a last warning that says how many were left out.
 */
export function fitWarnings(warnings: readonly string[]): string[] {
  const lines = warnings.map((w) => truncateBytes(singleLine(w), MAX_WARNING_BYTES)).filter((w) => w !== '');
  const kept: string[] = [];
  let total = 0;
  for (const [i, line] of lines.entries()) {
    // Accepting a line keeps room for the note about the lines after it, so that the note always fits.
    const after = lines.length - i - 1;
    const reserve = after > 0 ? byteLength(leftOut(after)) : 0;
    if (total + byteLength(line) + reserve > MAX_WARNINGS_BYTES) {
      kept.push(leftOut(lines.length - i));
      break;
    }
    kept.push(line);
    total += byteLength(line);
  }
  return kept;
}

function leftOut(count: number): string {
  return `… and ${count} more warning${count === 1 ? '' : 's'} left out (the API server keeps at most 4,096 characters); run acid-guard lint on the manifest to see all`;
}
