import packageJson from '../../package.json' with { type: 'json' };
import { RULES } from '../rules/catalogue.js';
import type { FileResult } from './file-result.js';

/**
 * SARIF 2.1.0, as GitHub code scanning reads it: every rule with its help text, every finding with a
 * region (start and end line and column, in UTF-16 code units as JavaScript strings count them).
 */
export function formatSarif(results: readonly FileResult[]): string {
  const ruleIndex = new Map(RULES.map((rule, i) => [rule.id, i]));
  const sarifResults = results.flatMap((result) =>
    result.findings.map((f) => {
      const index = ruleIndex.get(f.ruleId);
      return {
        ruleId: f.ruleId,
        ...(index === undefined ? {} : { ruleIndex: index }),
        level: f.severity === 'error' ? 'error' : 'warning',
        message: {
          text: f.hint
            ? `${f.path ? `${f.path}: ` : ''}${f.message}\nHint: ${f.hint}`
            : `${f.path ? `${f.path}: ` : ''}${f.message}`,
        },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: toUri(result.file) },
              region: {
                startLine: f.location.line,
                startColumn: f.location.column,
                endLine: f.location.endLine,
                endColumn: Math.max(
                  f.location.endColumn,
                  f.location.line === f.location.endLine ? f.location.column + 1 : 1,
                ),
              },
            },
            ...(f.path ? { logicalLocations: [{ fullyQualifiedName: f.path, kind: 'member' }] } : {}),
          },
        ],
      };
    }),
  );
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'acid-guard',
            version: packageJson.version,
            rules: RULES.map((rule) => ({
              id: rule.id,
              name: rule.id.replace(/[/-](\w)/g, (_, c: string) => c.toUpperCase()),
              shortDescription: { text: rule.summary },
              fullDescription: { text: rule.why },
              help: {
                text: `${rule.summary}\n\nWhy: ${rule.why}\n\nBad:\n${rule.bad}\nGood:\n${rule.good}`,
                markdown: `${rule.summary}\n\n**Why:** ${rule.why}\n\nBad:\n\n\`\`\`yaml\n${rule.bad.trimEnd()}\n\`\`\`\n\nGood:\n\n\`\`\`yaml\n${rule.good.trimEnd()}\n\`\`\``,
              },
              defaultConfiguration: { level: rule.severity === 'error' ? 'error' : 'warning' },
              properties: {
                tags: [rule.id.split('/')[0] as string, ...(rule.fileOnly ? ['file-only'] : [])],
              },
            })),
          },
        },
        columnKind: 'utf16CodeUnits',
        results: sarifResults,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

/** A relative path stays relative (code scanning resolves it against the checkout); `\` becomes `/`. */
function toUri(file: string): string {
  return encodeURI(file.replaceAll('\\', '/'));
}
