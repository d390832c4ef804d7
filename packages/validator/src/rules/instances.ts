import type { Rule } from './rule.js';
import type { RuleContext } from './rule-context.js';
import { isStandbyCluster } from './standby.js';

/** Rules about numberOfInstances (operator-behaviour.md b.7). */

/** The annotation named by ignore_instance_limits_annotation_key, set to "true", disables clamping. */
function limitsIgnored(context: RuleContext): boolean {
  const annotationKey = context.policy.ignoreInstanceLimitsAnnotationKey;
  return annotationKey !== '' && context.object.metadata?.annotations?.[annotationKey] === 'true';
}

interface Clamped {
  requested: number;
  effective: number;
  min: number;
  max: number;
}

/** `k8sres.go:getNumberOfInstances`: the count the StatefulSet gets. */
function clampInstances(context: RuleContext, requested: number): Clamped {
  let { minInstances: min, maxInstances: max } = context.policy;
  if (limitsIgnored(context)) return { requested, effective: requested, min, max };
  if (isStandbyCluster(context.object.spec) && requested === 1) {
    min = 1;
    max = 1;
  }
  let effective = requested;
  if (max >= 0 && effective > max) effective = max;
  if (min >= 0 && effective < min) effective = min;
  return { requested, effective, min, max };
}

const outsideLimits: Rule = {
  id: 'instances/outside-limits',
  severity: 'warning',
  summary: "numberOfInstances outside the operator's min_instances / max_instances.",
  why: 'The operator silently clamps the StatefulSet to the configured range and only logs "adjusted number of instances from 5 to 3 (min: -1, max: 3)"; the manifest then says something the cluster does not do.',
  examplePolicy: { maxInstances: 3 },
  bad: 'spec:\n  numberOfInstances: 5\n',
  good: 'spec:\n  numberOfInstances: 3\n',
  *check(context) {
    const requested = context.object.spec?.numberOfInstances;
    if (requested === undefined || requested < 0) return; // the CRD's minimum 0 already refuses it
    const { effective, min, max } = clampInstances(context, requested);
    if (effective === requested) return;
    const annotationKey = context.policy.ignoreInstanceLimitsAnnotationKey;
    const exemption = annotationKey === '' ? '' : `, or annotate the cluster with ${annotationKey}: "true"`;
    yield {
      path: 'spec.numberOfInstances',
      message: `the operator runs ${effective} instead: "adjusted number of instances from ${requested} to ${effective} (min: ${min}, max: ${max})"`,
      hint: `write numberOfInstances: ${effective}${exemption}`,
    };
  },
};

const standbyInstances: Rule = {
  id: 'instances/standby-not-one',
  severity: 'warning',
  summary: 'A standby cluster with numberOfInstances other than 1.',
  why: 'The operator logs "operator only supports standby clusters with 1 pod" and applies the normal instance limits; with exactly 1 it ignores min_instances/max_instances. Counts as standby: spec.standby, or a non-empty STANDBY_WALE_S3/GS/GSC/SWIFT_PREFIX in spec.env.',
  bad: 'spec:\n  numberOfInstances: 2\n  standby:\n    s3_wal_path: s3://backups/acid-source/wal\n',
  good: 'spec:\n  numberOfInstances: 1\n  standby:\n    s3_wal_path: s3://backups/acid-source/wal\n',
  *check(context) {
    const requested = context.object.spec?.numberOfInstances;
    if (requested === undefined || requested < 0 || requested === 1 || !isStandbyCluster(context.object.spec))
      return;
    yield {
      path: 'spec.numberOfInstances',
      message: `standby cluster with ${requested} instances: "operator only supports standby clusters with 1 pod"`,
      hint: 'write numberOfInstances: 1 while the cluster is a standby; scale up after promotion',
    };
  },
};

const zeroInstances: Rule = {
  id: 'instances/zero',
  severity: 'warning',
  summary: 'numberOfInstances 0: the cluster has no pods.',
  why: 'With no pod the operator cannot reach the database: users, databases and prepared databases are not synced, pod disruption budgets are relaxed and the logical backup job is not synced. Volumes are kept.',
  bad: 'spec:\n  numberOfInstances: 0\n',
  good: 'spec:\n  numberOfInstances: 1\n',
  *check(context) {
    const requested = context.object.spec?.numberOfInstances;
    if (requested !== 0 || clampInstances(context, requested).effective !== 0) return;
    yield {
      path: 'spec.numberOfInstances',
      message:
        'numberOfInstances 0 stops the cluster: no database access, users and databases are not synced, the logical backup job is not synced',
      hint: 'write numberOfInstances: 1 or more unless the cluster is meant to be paused',
    };
  },
};

export const INSTANCES_RULES: readonly Rule[] = [outsideLimits, standbyInstances, zeroInstances];
