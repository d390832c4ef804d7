import type { Rule } from './rule.js';

/** Rules about spec.env. */
export const ENV_RULES: readonly Rule[] = [];
