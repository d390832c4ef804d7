import type { Rule } from './rule.js';

/** Rules about spec.postgresql.parameters. */
export const PARAMETERS_RULES: readonly Rule[] = [];
