import type { LintResult } from '../lint-text.js';

/** What a formatter gets for one input: its name, its text (for code frames) and the lint result. */
export interface FileResult extends LintResult {
  file: string;
  text: string;
}

export interface Totals {
  files: number;
  documents: number;
  skipped: number;
  errors: number;
  warnings: number;
  suppressed: number;
}

export function totalsOf(results: readonly FileResult[]): Totals {
  const totals: Totals = {
    files: results.length,
    documents: 0,
    skipped: 0,
    errors: 0,
    warnings: 0,
    suppressed: 0,
  };
  for (const r of results) {
    totals.documents += r.documents;
    totals.skipped += r.skipped;
    totals.errors += r.errors;
    totals.warnings += r.warnings;
    totals.suppressed += r.suppressed;
  }
  return totals;
}
