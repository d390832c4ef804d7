import type { Rule } from './rule.js';

/** Rules about numberOfInstances. */
export const INSTANCES_RULES: readonly Rule[] = [];
