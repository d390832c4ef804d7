import type { Rule } from './rule.js';

/** Rules about spec.volume. */
export const VOLUME_RULES: readonly Rule[] = [];
