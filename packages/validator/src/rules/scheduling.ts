import type { Rule } from './rule.js';

/** Rules about tolerations, affinity and topology spread. */
export const SCHEDULING_RULES: readonly Rule[] = [];
