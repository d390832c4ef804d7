import type { Rule } from './rule.js';

/** Rules about the connection pooler. */
export const POOLER_RULES: readonly Rule[] = [];
