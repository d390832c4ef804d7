import type { FileResult } from './file-result.js';
import { totalsOf } from './file-result.js';

/**
 * The JSON report (documented in docs/cli.md; its shape is a stable promise):
 * `{"findings":[{file, document, name, ruleId, severity, path, message, hint, line, column, endLine,
 * endColumn}], "summary":{files, documents, skipped, errors, warnings, suppressed}}`.
 */
export function formatJson(results: readonly FileResult[]): string {
  const findings = results.flatMap((result) =>
    result.findings.map((f) => ({
      file: result.file,
      document: f.document,
      name: f.name,
      ruleId: f.ruleId,
      severity: f.severity,
      path: f.path,
      message: f.message,
      hint: f.hint,
      line: f.location.line,
      column: f.location.column,
      endLine: f.location.endLine,
      endColumn: f.location.endColumn,
    })),
  );
  return `${JSON.stringify({ findings, summary: totalsOf(results) }, null, 2)}\n`;
}
