import type { Finding, Location } from './finding.js';
import { ruleById } from './rules/catalogue.js';
import { notAString } from './rules/schema.js';
import { builtinSchema } from './schema/compiled-schema.js';
import { objectsOfDocument } from './source/document-objects.js';
import { LineIndex } from './source/line-index.js';
import { parseYamlDocuments, type SourceDocument, type Span } from './source/yaml-documents.js';
import { looksLikePostgresql, type ValidationContext, validateDetailed } from './validate.js';

export interface LintOptions extends ValidationContext {
  /**
   * The previous version of an object, if it has one: the object is then judged as an UPDATE against
   * it (`--old`, `--base`). Without it, or when it returns undefined, every object is a CREATE.
   */
  previousVersionOf?: (object: unknown) => unknown;
}

/** A finding in a file: which document, which object, and where. */
export interface LintFinding extends Finding {
  /** 0-based index of the YAML document in its file. */
  document: number;
  /** `metadata.name` of the object, when it has one. */
  name?: string;
  location: Location;
}

export interface LintResult {
  findings: LintFinding[];
  /** Objects read (documents, and items of `kind: List`). */
  documents: number;
  /** Objects that are not a `postgresql` and were not checked. */
  skipped: number;
  errors: number;
  warnings: number;
  /** Findings silenced by `disable` or the `acid-guard/disable` annotation. */
  suppressed: number;
}

/**
 * Lints a YAML or JSON text holding any number of documents: every `postgresql` is validated, every
 * finding located by line and column, everything else counted as skipped.
 */
export function lintText(text: string, options: LintOptions = {}): LintResult {
  const lines = new LineIndex(text);
  const schema = options.schema ?? builtinSchema();
  const findings: LintFinding[] = [];
  let documents = 0;
  let skipped = 0;
  let suppressed = 0;
  const at = (span: Span): Location => {
    const start = lines.position(span.start);
    const end = lines.position(Math.max(span.end, span.start));
    return { line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
  };

  for (const doc of parseYamlDocuments(text)) {
    for (const problem of doc.problems) {
      const rule = ruleById(problem.ruleId);
      const finding: LintFinding = {
        ruleId: problem.ruleId,
        severity: rule?.severity ?? 'error',
        path: schema.navigator.fieldPath(problem.segments, doc.value),
        message: problem.message,
        document: doc.index,
        location: at(problem.span),
      };
      if (problem.hint !== undefined) finding.hint = problem.hint;
      findings.push(finding);
    }
    if (doc.value === undefined) continue;
    for (const { value: object, prefix } of objectsOfDocument(doc)) {
      documents += 1;
      if (!looksLikePostgresql(object)) {
        skipped += 1;
        continue;
      }
      const name = nameOf(object);
      const old = options.previousVersionOf?.(object);
      const result = validateDetailed(
        object,
        old === undefined ? options : { ...options, old, operation: options.operation ?? 'UPDATE' },
      );
      suppressed += result.suppressed.length;
      for (const finding of result.findings) {
        const target = ruleById(finding.ruleId)?.target ?? 'value';
        const span = locate(doc, prefix, finding.path, target);
        const located: LintFinding = { ...finding, document: doc.index, location: at(span) };
        if (finding.ruleId === notAString.id)
          located.hint = quoteHint(text.slice(span.start, span.end), finding.hint);
        if (name !== undefined) located.name = name;
        findings.push(located);
      }
    }
  }
  findings.sort(
    (a, b) =>
      a.document - b.document || a.location.line - b.location.line || a.location.column - b.location.column,
  );
  const errors = findings.filter((f) => f.severity === 'error').length;
  return { findings, documents, skipped, errors, warnings: findings.length - errors, suppressed };
}

/** The file shows what was written (`on`, `0755`), which the parsed value (`true`, `493`) no longer does. */
function quoteHint(written: string, fallback: string | undefined): string | undefined {
  if (written === '' || /^['"]|[\n\r]/.test(written)) return fallback;
  return `write it in quotes: ${JSON.stringify(written)}`;
}

function locate(doc: SourceDocument, prefix: string, path: string, target: 'key' | 'value'): Span {
  if (prefix === '') return doc.locate(path, target);
  return doc.locate(path === '' ? prefix : `${prefix}.${path}`, target);
}

function nameOf(object: unknown): string | undefined {
  const name = (object as { metadata?: { name?: unknown } }).metadata?.name;
  return typeof name === 'string' ? name : undefined;
}
