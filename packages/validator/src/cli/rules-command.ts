import { RULES, ruleById } from '../rules/catalogue.js';
import type { RuleMeta } from '../rules/rule.js';
import { covers } from '../rules/suppression.js';
import { closest } from '../suggest.js';
import { ToolError } from './tool-error.js';

/** `acid-guard rules`: the catalogue, one rule a line. */
export function formatRuleList(rules: readonly RuleMeta[] = RULES): string {
  const width = Math.max(...rules.map((r) => r.id.length));
  const lines = rules.map((r) => `${r.id.padEnd(width)}  ${r.severity.padEnd(7)}  ${r.summary}`);
  return `${lines.join('\n')}\n\n${rules.length} rules. acid-guard explain <rule> shows one with examples.\n`;
}

/** `acid-guard explain RULE`: one rule, with why it matters and its examples. */
export function formatRule(id: string): string {
  const rule = ruleById(id);
  if (rule === undefined) throw unknownRule(id);
  const out = [
    `${rule.id} (${rule.severity}${rule.fileOnly ? ', file only' : ''})`,
    '',
    rule.summary,
    '',
    `Why: ${rule.why}`,
  ];
  if (rule.examplePolicy) {
    out.push('', `Applies when the operator runs with: ${JSON.stringify(rule.examplePolicy)}`);
  }
  if (rule.exampleTeams) out.push('', 'Team directory (--teams):', indent(rule.exampleTeams));
  if (rule.exampleOld) out.push('', 'Previous version:', indent(rule.exampleOld));
  out.push('', 'Bad:', indent(rule.bad), '', 'Good:', indent(rule.good));
  return `${out.join('\n')}\n`;
}

/** Checks `--disable` patterns against the catalogue, so that a typo is a usage error, not a silent no-op. */
export function checkRulePatterns(patterns: readonly string[]): void {
  for (const pattern of patterns) {
    if (!RULES.some((rule) => covers(pattern, rule.id))) throw unknownRule(pattern);
  }
}

function unknownRule(id: string): ToolError {
  const near = closest(
    id,
    RULES.map((r) => r.id),
  );
  return new ToolError(
    'USAGE',
    `unknown rule "${id}"${near ? ` — did you mean "${near}"?` : ''} (acid-guard rules lists them all)`,
  );
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
