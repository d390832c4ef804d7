import { child } from '../field-path.js';
import { compareQuantities, isZeroQuantity, parseQuantity } from '../kubernetes/quantity.js';
import { quantityRefusal, quantityRewrite } from './resources.js';
import type { Rule } from './rule.js';

/** Rules about spec.volume (operator-behaviour.md b.6). */

const ONE_GIB = parseQuantity('1Gi');
/** gp3 minimums: the operator applies smaller values never (`volumes.go`, mixed mode only). */
const GP3_MIN_IOPS = 3000;
const GP3_MIN_THROUGHPUT = 125;

const invalidSize: Rule = {
  id: 'volume/invalid-size',
  severity: 'error',
  summary: 'volume.size that Kubernetes cannot parse (`500K`, `1e3Gi`) or that is zero.',
  why: 'The operator fails with "could not parse volume size" (no StatefulSet, CreateFailed/SyncFailed); a zero size passes the CRD but Kubernetes refuses a PersistentVolumeClaim without storage.',
  bad: 'spec:\n  volume:\n    size: 0Gi\n',
  good: 'spec:\n  volume:\n    size: 10Gi\n',
  *check(context) {
    const size = context.object.spec?.volume?.size;
    if (size === undefined) return;
    const refusal = quantityRefusal(context, ['spec', 'volume', 'size'], size);
    if (refusal !== undefined) {
      yield {
        path: 'spec.volume.size',
        message: `could not parse volume size: ${refusal}`,
        hint: quantityRewrite(size),
      };
      return;
    }
    const quantity = parseQuantity(size);
    if (quantity !== undefined && isZeroQuantity(quantity)) {
      yield {
        path: 'spec.volume.size',
        message: `volume size ${size} is zero: Kubernetes refuses a PersistentVolumeClaim that requests no storage`,
        hint: 'write the size the data needs, at least 1Gi, e.g. size: 10Gi',
      };
    }
  },
};

const sizeBelowOneGiB: Rule = {
  id: 'volume/size-below-1gi',
  severity: 'warning',
  summary: 'volume.size below 1Gi (including decimal sizes like 1G = 0.93Gi).',
  why: 'EBS volumes are at least 1 GiB, and the operator compares sizes in whole GiB, truncated: anything below 1Gi counts as 0, so resizes within it are never seen.',
  bad: 'spec:\n  volume:\n    size: 500Mi\n',
  good: 'spec:\n  volume:\n    size: 1Gi\n',
  *check(context) {
    const size = context.object.spec?.volume?.size;
    const quantity = size === undefined ? undefined : parseQuantity(size);
    if (quantity === undefined || ONE_GIB === undefined || isZeroQuantity(quantity)) return;
    if (compareQuantities(quantity, ONE_GIB) >= 0) return;
    const decimalHint = /^[0-9.]+G$/.test(size ?? '') ? ` (G is 10^9 bytes, Gi is 2^30)` : '';
    yield {
      path: 'spec.volume.size',
      message: `volume size ${size} is below 1Gi${decimalHint}: below the EBS minimum, and the operator counts it as 0 GiB when it compares sizes for resizing`,
      hint: 'write size: 1Gi or more',
    };
  },
};

const belowGp3Minimum: Rule = {
  id: 'volume/below-gp3-minimum',
  severity: 'warning',
  summary: 'volume.iops below 3000 or volume.throughput below 125.',
  why: 'These are the gp3 baselines; the operator only applies iops/throughput at or above them and silently ignores smaller values.',
  examplePolicy: { storageResizeMode: 'mixed' },
  bad: 'spec:\n  volume:\n    size: 1Gi\n    iops: 1000\n',
  good: 'spec:\n  volume:\n    size: 1Gi\n    iops: 4000\n',
  *check(context) {
    const volume = context.object.spec?.volume;
    const checks = [
      { field: 'iops', value: volume?.iops, minimum: GP3_MIN_IOPS },
      { field: 'throughput', value: volume?.throughput, minimum: GP3_MIN_THROUGHPUT },
    ] as const;
    for (const { field, value, minimum } of checks) {
      if (value === undefined || value >= minimum) continue;
      yield {
        path: child('spec.volume', field),
        message: `${field} ${value} is below the gp3 baseline ${minimum}: the operator silently ignores it`,
        hint: `remove ${field} (gp3 gives ${minimum} anyway) or write ${minimum} or more`,
      };
    }
  },
};

const needsMixedMode: Rule = {
  id: 'volume/needs-mixed-resize-mode',
  severity: 'warning',
  summary: 'volume.iops, throughput or type set while the operator\'s storage_resize_mode is not "mixed".',
  why: 'The operator applies iops, throughput and type through the AWS API only in storage_resize_mode "mixed"; in every other mode they are silently ignored.',
  bad: 'spec:\n  volume:\n    size: 1Gi\n    throughput: 250\n',
  good: 'spec:\n  volume:\n    size: 1Gi\n',
  *check(context) {
    const mode = context.policy.storageResizeMode;
    if (mode === 'mixed') return;
    const volume = context.object.spec?.volume;
    for (const field of ['iops', 'throughput', 'type'] as const) {
      if (volume?.[field] === undefined) continue;
      yield {
        path: child('spec.volume', field),
        message: `volume.${field} is only applied with storage_resize_mode "mixed"; the operator runs with "${mode}" and ignores it`,
        hint: `remove ${field}, or set storage_resize_mode: mixed in the operator configuration`,
      };
    }
  },
};

export const VOLUME_RULES: readonly Rule[] = [invalidSize, sizeBelowOneGiB, belowGp3Minimum, needsMixedMode];
