import type { RuleMeta } from './rule.js';

/** The annotation that silences rules for one object: `acid-guard/disable: "users/invalid-name, tls/*"`. */
export const DISABLE_ANNOTATION = 'acid-guard/disable';

export const unknownSuppressedRule: RuleMeta = {
  id: 'suppression/unknown-rule',
  severity: 'warning',
  summary: `The \`${DISABLE_ANNOTATION}\` annotation names a rule that does not exist.`,
  why: 'A misspelt rule id silences nothing, so the finding it was meant to silence still fires — or a later rename goes unnoticed.',
  bad: `metadata:\n  annotations:\n    ${DISABLE_ANNOTATION}: schema/null-feild\n`,
  good: `metadata:\n  annotations:\n    ${DISABLE_ANNOTATION}: schema/null-field\n`,
};

/** Parses a list of rule ids or `family/*` patterns (comma or whitespace separated). */
export function parseRuleList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Does a pattern (`users/invalid-name`, `users/*`, `*`) cover a rule id? */
export function covers(pattern: string, ruleId: string): boolean {
  if (pattern === '*' || pattern === ruleId) return true;
  return pattern.endsWith('/*') && ruleId.startsWith(pattern.slice(0, -1));
}
