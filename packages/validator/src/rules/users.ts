import type { Rule } from './rule.js';

/** Rules about spec.users, flags and rotation lists. */
export const USERS_RULES: readonly Rule[] = [];
