import { LineIndex } from '../source/line-index.js';
import { codeFrame } from './code-frame.js';
import type { Palette } from './colors.js';
import { type FileResult, totalsOf } from './file-result.js';

/** `file:line:col severity message [ruleId]`, a code frame and the hint under each finding, then a summary. */
export function formatText(results: readonly FileResult[], palette: Palette): string {
  const blocks: string[] = [];
  for (const result of results) {
    if (result.findings.length === 0) continue;
    const lines = new LineIndex(result.text);
    for (const f of result.findings) {
      const severity = f.severity === 'error' ? palette.red('error') : palette.yellow('warning');
      const where = `${result.file}:${f.location.line}:${f.location.column}`;
      const subject = f.path === '' ? '' : `${palette.bold(f.path)}: `;
      const lines_ = [`${where} ${severity} ${subject}${f.message} ${palette.dim(`[${f.ruleId}]`)}`];
      if (result.text !== '') lines_.push(codeFrame(lines, f.location, palette));
      if (f.hint !== undefined) lines_.push(`    ${palette.cyan('hint:')} ${f.hint}`);
      blocks.push(lines_.join('\n'));
    }
  }
  blocks.push(summaryLine(results, palette));
  return `${blocks.join('\n\n')}\n`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function summaryLine(results: readonly FileResult[], palette: Palette): string {
  const t = totalsOf(results);
  const checked = t.documents - t.skipped;
  const scope = `${plural(t.files, 'file')}, ${plural(checked, 'postgresql manifest')} checked${
    t.skipped > 0 ? `, ${plural(t.skipped, 'other document')} skipped` : ''
  }${t.suppressed > 0 ? `, ${t.suppressed} suppressed` : ''}`;
  if (t.errors === 0 && t.warnings === 0) return `${palette.green('✔')} no problems (${scope})`;
  const counts = [
    t.errors > 0 ? palette.red(plural(t.errors, 'error')) : '',
    t.warnings > 0 ? palette.yellow(plural(t.warnings, 'warning')) : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `${t.errors > 0 ? palette.red('✖') : palette.yellow('!')} ${counts} (${scope})`;
}
