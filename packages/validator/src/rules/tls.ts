import type { Rule } from './rule.js';

/** Rules about spec.tls. */
export const TLS_RULES: readonly Rule[] = [];
