import type { Rule } from './rule.js';

/** Rules about sidecars and initContainers. */
export const CONTAINERS_RULES: readonly Rule[] = [];
