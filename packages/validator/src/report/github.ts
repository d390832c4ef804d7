import { PLAIN } from './colors.js';
import type { FileResult } from './file-result.js';
import { summaryLine } from './text.js';

/**
 * GitHub Actions workflow commands: one `::error` or `::warning` line per finding, which the
 * workflow run shows as an annotation on the file and line; a plain summary line ends the output.
 */
export function formatGithub(results: readonly FileResult[]): string {
  const lines: string[] = [];
  for (const result of results) {
    for (const f of result.findings) {
      const properties = [
        `file=${property(result.file)}`,
        `line=${f.location.line}`,
        `col=${f.location.column}`,
        `endLine=${f.location.endLine}`,
        `endColumn=${f.location.endColumn}`,
        `title=${property(f.ruleId)}`,
      ].join(',');
      const text = `${f.path ? `${f.path}: ` : ''}${f.message}${f.hint ? `\nhint: ${f.hint}` : ''}`;
      lines.push(`::${f.severity === 'error' ? 'error' : 'warning'} ${properties}::${data(text)}`);
    }
  }
  lines.push(summaryLine(results, PLAIN));
  return `${lines.join('\n')}\n`;
}

function data(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

function property(text: string): string {
  return data(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}
