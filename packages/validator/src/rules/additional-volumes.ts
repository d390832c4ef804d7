import type { Rule } from './rule.js';

/** Rules about spec.additionalVolumes. */
export const ADDITIONAL_VOLUMES_RULES: readonly Rule[] = [];
