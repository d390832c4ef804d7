import type { Rule } from './rule.js';

/** Rules about the cluster name (metadata.name). */
export const CLUSTER_NAME_RULES: readonly Rule[] = [];
