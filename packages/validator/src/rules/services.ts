import type { Rule } from './rule.js';

/** Rules about load balancers, node ports, shm volume. */
export const SERVICES_RULES: readonly Rule[] = [];
