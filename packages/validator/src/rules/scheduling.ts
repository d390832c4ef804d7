import { index } from '../field-path.js';
import type { Rule } from './rule.js';

/** Rules about tolerations, affinity and topology spread (operator-behaviour.md b.17). */

const spreadWithoutSelector: Rule = {
  id: 'scheduling/topology-spread-without-selector',
  operatorVersion: '2.0.1',
  severity: 'warning',
  summary: 'A topologySpreadConstraints entry without labelSelector.',
  why: 'The operator means to fill in the cluster labels but assigns them to a copy, so the constraint is used as written: without labelSelector it matches no pods and spreads nothing.',
  bad: 'spec:\n  topologySpreadConstraints:\n    - maxSkew: 1\n      topologyKey: topology.kubernetes.io/zone\n      whenUnsatisfiable: DoNotSchedule\n',
  good: 'spec:\n  topologySpreadConstraints:\n    - maxSkew: 1\n      topologyKey: topology.kubernetes.io/zone\n      whenUnsatisfiable: DoNotSchedule\n      labelSelector:\n        matchLabels:\n          cluster-name: acid-demo\n',
  *check(context) {
    for (const [i, constraint] of (context.object.spec?.topologySpreadConstraints ?? []).entries()) {
      if (constraint === undefined || constraint.labelSelector !== undefined) continue;
      const cluster = context.object.metadata?.name ?? '<cluster name>';
      yield {
        path: index('spec.topologySpreadConstraints', i),
        message: 'topology spread constraint without labelSelector matches no pods: it spreads nothing',
        hint: `add labelSelector: {matchLabels: {cluster-name: ${cluster}}} (the operator's cluster_name_label)`,
      };
    }
  },
};

export const SCHEDULING_RULES: readonly Rule[] = [spreadWithoutSelector];
