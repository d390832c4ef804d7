import type { Rule } from './rule.js';

/** Rules about logical backups. */
export const LOGICAL_BACKUP_RULES: readonly Rule[] = [];
