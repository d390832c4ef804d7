import type { Location } from '../finding.js';
import type { LineIndex } from '../source/line-index.js';
import type { Palette } from './colors.js';

/**
 * The lines around a finding, with the span underlined:
 *
 *      12 |   postgresql:
 *    > 13 |     version: 13
 *         |              ^^
 */
export function codeFrame(lines: LineIndex, location: Location, palette: Palette): string {
  const first = Math.max(1, location.line - 1);
  const width = String(location.line).length;
  const out: string[] = [];
  for (let n = first; n <= location.line; n++) {
    const text = lines.line(n).replaceAll('\t', ' ');
    const marker = n === location.line ? palette.red('>') : ' ';
    out.push(
      `  ${marker} ${palette.dim(`${String(n).padStart(width)} |`)} ${n === location.line ? text : palette.dim(text)}`,
    );
  }
  const lineText = lines.line(location.line);
  const end = location.endLine === location.line ? location.endColumn : lineText.length + 1;
  const length = Math.max(1, end - location.column);
  out.push(
    `    ${' '.repeat(width)} ${palette.dim('|')} ${' '.repeat(location.column - 1)}${palette.red('^'.repeat(length))}`,
  );
  return out.join('\n');
}
