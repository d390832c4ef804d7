import type { Rule } from './rule.js';

/** Rules about spec.postgresql.version and the Spilo image. */
export const VERSION_RULES: readonly Rule[] = [];
