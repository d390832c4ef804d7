import type { Rule } from './rule.js';

/** Rules about spec.standby. */
export const STANDBY_RULES: readonly Rule[] = [];
