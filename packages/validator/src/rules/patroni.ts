import type { Rule } from './rule.js';

/** Rules about spec.patroni. */
export const PATRONI_RULES: readonly Rule[] = [];
