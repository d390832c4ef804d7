import type { Rule } from './rule.js';

/** Rules about teamId. */
export const TEAM_RULES: readonly Rule[] = [];
