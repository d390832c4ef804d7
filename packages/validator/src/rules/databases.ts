import type { Rule } from './rule.js';

/** Rules about spec.databases, preparedDatabases and their schemas. */
export const DATABASES_RULES: readonly Rule[] = [];
