import { DOCUMENT_RULES } from './document.js';
import type { Rule, RuleMeta } from './rule.js';
import { SCHEMA_RULES } from './schema.js';
import { YAML_RULES } from './yaml.js';

/** Rules with a check function, run on every `postgresql` object. */
export const CHECK_RULES: readonly Rule[] = [];

/** Every rule: those the engine emits while reading and schema-checking, then the checks. */
export const RULES: readonly RuleMeta[] = [...YAML_RULES, ...DOCUMENT_RULES, ...SCHEMA_RULES, ...CHECK_RULES];

const BY_ID = new Map(RULES.map((rule) => [rule.id, rule]));

export function ruleById(id: string): RuleMeta | undefined {
  return BY_ID.get(id);
}
