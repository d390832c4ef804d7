import type { Rule } from './rule.js';

/** Rules about whether this operator handles the object at all (watched namespace, controller annotation). */
export const SCOPE_RULES: readonly Rule[] = [];
