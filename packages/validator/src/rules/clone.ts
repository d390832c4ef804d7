import type { Rule } from './rule.js';

/** Rules about spec.clone. */
export const CLONE_RULES: readonly Rule[] = [];
