import { describe, expect, it } from 'vitest';
import { lintText } from '../../packages/validator/src/lint-text.js';
import { policyWith } from '../../packages/validator/src/policy/operator-policy.js';
import { exampleTeamDirectory } from '../../packages/validator/src/policy/team-directory.js';
import { RULES } from '../../packages/validator/src/rules/catalogue.js';
import { exampleManifest } from '../../packages/validator/src/rules/example-manifest.js';
import type { RuleMeta } from '../../packages/validator/src/rules/rule.js';
import { type ValidationContext, validate } from '../../packages/validator/src/validate.js';

/** Every rule's own bad example must trigger it and its good example must not. */
function findingsOf(rule: RuleMeta, example: string): string[] {
  const context: ValidationContext = { policy: policyWith(rule.examplePolicy ?? {}) };
  if (rule.exampleOld !== undefined) {
    context.old = exampleManifest(rule.exampleOld);
    context.operation = 'UPDATE';
  }
  if (rule.exampleOperation !== undefined) context.operation = rule.exampleOperation;
  if (rule.exampleNow !== undefined) context.now = new Date(rule.exampleNow);
  if (rule.exampleTeams !== undefined) {
    context.teams = exampleTeamDirectory(rule.exampleTeams, context.policy ?? policyWith());
    context.requireKnownTeam = true;
  }
  if (rule.raw) return lintText(example, context).findings.map((f) => f.ruleId);
  return validate(exampleManifest(example), context).map((f) => f.ruleId);
}

describe('rule catalogue', () => {
  it('has unique ids of the form family/name', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-z0-9]*\/[a-z][a-z0-9-]*$/);
  });

  it('gives every rule a summary, a reason and both examples', () => {
    for (const rule of RULES) {
      expect(rule.summary.length, rule.id).toBeGreaterThan(10);
      expect(rule.why.length, rule.id).toBeGreaterThan(10);
      expect(rule.bad, rule.id).not.toBe(rule.good);
    }
  });

  describe.each(RULES.map((rule) => [rule.id, rule] as const))('%s', (_id, rule) => {
    it('fires on its bad example', () => {
      expect(findingsOf(rule, rule.bad)).toContain(rule.id);
    });
    it('stays silent on its good example', () => {
      expect(findingsOf(rule, rule.good)).not.toContain(rule.id);
    });
  });
});
