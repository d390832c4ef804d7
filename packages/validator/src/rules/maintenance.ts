import type { Rule } from './rule.js';

/** Rules about spec.maintenanceWindows. */
export const MAINTENANCE_RULES: readonly Rule[] = [];
