import type { Rule } from './rule.js';

/** Rules about spec.streams. */
export const STREAMS_RULES: readonly Rule[] = [];
