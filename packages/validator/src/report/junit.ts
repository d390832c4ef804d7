import type { FileResult } from './file-result.js';

/**
 * JUnit XML for CI systems that show test reports: one test suite per file, one test case per
 * finding (an error is a failure, a warning passes with its text in system-out), and one passing
 * case for a file without findings.
 */
export function formatJunit(results: readonly FileResult[]): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  for (const result of results) {
    const cases: string[] = [];
    for (const f of result.findings) {
      const name = `${f.ruleId} ${f.path || '(document)'} at ${f.location.line}:${f.location.column}`;
      const text = `${result.file}:${f.location.line}:${f.location.column} ${f.message}${f.hint ? `\nhint: ${f.hint}` : ''}`;
      const body =
        f.severity === 'error'
          ? `<failure type="${xml(f.ruleId)}" message="${xml(f.message)}">${xml(text)}</failure>`
          : `<system-out>${xml(`warning: ${text}`)}</system-out>`;
      cases.push(`    <testcase classname="${xml(result.file)}" name="${xml(name)}">${body}</testcase>`);
    }
    if (cases.length === 0) cases.push(`    <testcase classname="${xml(result.file)}" name="no problems"/>`);
    tests += cases.length;
    failures += result.errors;
    suites.push(
      `  <testsuite name="${xml(result.file)}" tests="${cases.length}" failures="${result.errors}" errors="0">\n${cases.join('\n')}\n  </testsuite>`,
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="acid-guard" tests="${tests}" failures="${failures}" errors="0">\n${suites.join('\n')}\n</testsuites>\n`;
}

function xml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uffff]/g, '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}
