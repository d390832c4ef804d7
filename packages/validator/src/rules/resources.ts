import type { Rule } from './rule.js';

/** Rules about resource requests and limits. */
export const RESOURCES_RULES: readonly Rule[] = [];
