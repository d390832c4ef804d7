import { child } from '../field-path.js';
import { DNS1035_LABEL } from '../kubernetes/names.js';
import type { Rule } from './rule.js';
import type { RuleContext } from './rule-context.js';

const CLONE_PATH = child('spec', 'clone');
const CLUSTER_PATH = child(CLONE_PATH, 'cluster');

/** `util.go:serviceNameRegexString` and `serviceNameMaxLength`. */
const SERVICE_NAME_REGEX = '^[a-z]([-a-z0-9]*[a-z0-9])?$';
const SERVICE_NAME_MAX_LENGTH = 63;

type Clone = NonNullable<NonNullable<RuleContext['object']['spec']>['clone']>;

function cloneOf(context: RuleContext): Clone | undefined {
  return context.object.spec?.clone;
}

/** A clone from a running cluster with pg_basebackup: no timestamp (`validateCloneClusterDescription`). */
function isBasebackupClone(clone: Clone): clone is Clone & { cluster: string } {
  return typeof clone.cluster === 'string' && clone.cluster !== '' && (clone.timestamp ?? '') === '';
}

/** A clone from the WAL archive up to a point in time. */
function isTimestampClone(clone: Clone): clone is Clone & { cluster: string; timestamp: string } {
  return typeof clone.cluster === 'string' && clone.cluster !== '' && (clone.timestamp ?? '') !== '';
}

/** `validateCloneClusterDescription`: the operator's decode-time check, in its order and words. */
export function cloneClusterError(cluster: string): string | undefined {
  if (!DNS1035_LABEL.test(cluster)) {
    return `clone cluster name must confirm to DNS-1035, regex used for validation is ${JSON.stringify(SERVICE_NAME_REGEX)}`;
  }
  if (cluster.length > SERVICE_NAME_MAX_LENGTH) {
    return `clone cluster name must be no longer than ${SERVICE_NAME_MAX_LENGTH} characters`;
  }
  return undefined;
}

export const invalidClusterName: Rule = {
  id: 'clone/invalid-cluster-name',
  severity: 'error',
  summary:
    'A basebackup clone (no `timestamp`) whose `clone.cluster` is not a DNS-1035 label of at most 63 characters.',
  why: 'Without a timestamp the operator clones from the service `<cluster>` with pg_basebackup, so the name must be a valid service name. It checks this while decoding: the manifest is invalid, the cluster is skipped with status CreateFailed/UpdateFailed/SyncFailed and a Warning event.',
  bad: 'spec:\n  clone:\n    cluster: acid_source\n',
  good: 'spec:\n  clone:\n    cluster: acid-source\n',
  *check(context) {
    const clone = cloneOf(context);
    if (clone === undefined || !isBasebackupClone(clone)) return;
    const error = cloneClusterError(clone.cluster);
    if (error === undefined) return;
    const fixed = clone.cluster.toLowerCase().replace(/[^-a-z0-9]/g, '-');
    const rule = 'lower case letters, digits and -, starting with a letter, at most 63 characters';
    yield {
      path: CLUSTER_PATH,
      message: error,
      hint:
        cloneClusterError(fixed) === undefined
          ? `write the source cluster's metadata.name, e.g. ${JSON.stringify(fixed)} (${rule})`
          : `write the source cluster's metadata.name (${rule}); to clone a cluster of another name, clone from its WAL archive with a timestamp`,
    };
  },
};

export const fromItself: Rule = {
  id: 'clone/from-itself',
  severity: 'error',
  summary: 'A basebackup clone (no `timestamp`) whose `clone.cluster` is the cluster itself.',
  why: 'A basebackup clone runs pg_basebackup against the service `<clone.cluster>` in the same namespace — here the new cluster’s own, empty service — so the bootstrap never completes. Restoring a cluster in place is a point-in-time clone: delete it, then re-create it with the old `uid` and a `timestamp`.',
  bad: 'spec:\n  clone:\n    cluster: acid-demo\n',
  good: 'spec:\n  clone:\n    cluster: acid-demo\n    uid: 2d8e5a4c-6f1b-4c3e-9a7d-1b2c3d4e5f60\n    timestamp: "2025-05-31T23:59:59+00:00"\n',
  *check(context) {
    const clone = cloneOf(context);
    const name = context.object.metadata?.name;
    if (clone === undefined || !isBasebackupClone(clone) || clone.cluster !== name) return;
    yield {
      path: CLUSTER_PATH,
      message: `cluster ${JSON.stringify(name)} cannot pg_basebackup from itself: a clone without timestamp connects to the running cluster named in clone.cluster`,
      hint: 'to restore in place, add the old cluster’s uid and a timestamp (clone from its WAL archive); to copy another cluster, name that cluster',
    };
  },
};

export const walPathWithoutUid: Rule = {
  id: 'clone/wal-path-without-uid',
  severity: 'warning',
  summary: 'A point-in-time clone (`timestamp`) with neither `s3_wal_path` nor `uid`.',
  why: 'Without s3_wal_path the operator points the clone at the global WAL bucket (wal_s3_bucket, wal_gs_bucket or wal_az_storage_account) plus `/<uid>`. The operator stores every cluster’s WAL under `<cluster>/<uid>`, so without uid the clone searches a path that only clusters archived without the uid suffix (older setups, enable_spilo_wal_path_compat) have: the bootstrap finds no backup and fails.',
  bad: 'spec:\n  clone:\n    cluster: acid-source\n    timestamp: "2025-05-31T23:59:59+00:00"\n',
  good: 'spec:\n  clone:\n    cluster: acid-source\n    uid: 2d8e5a4c-6f1b-4c3e-9a7d-1b2c3d4e5f60\n    timestamp: "2025-05-31T23:59:59+00:00"\n',
  *check(context) {
    const clone = cloneOf(context);
    if (clone === undefined || !isTimestampClone(clone)) return;
    if ((clone.s3_wal_path ?? '') !== '' || (clone.uid ?? '') !== '') return;
    yield {
      path: CLONE_PATH,
      message: `point-in-time clone of ${JSON.stringify(clone.cluster)} without uid or s3_wal_path: the operator looks for its WAL in the global bucket without the /<uid> suffix, where the operator's own clusters do not archive (unless the source was archived without uid)`,
      hint: `add uid: <metadata.uid of ${clone.cluster}> (kubectl get postgresql ${clone.cluster} -o jsonpath='{.metadata.uid}'), or s3_wal_path with the full WAL location`,
    };
  },
};

export const plainTextSecret: Rule = {
  id: 'clone/plain-text-secret',
  severity: 'warning',
  summary: '`clone.s3_secret_access_key` written in the manifest.',
  why: 'The key is stored in plain text in the postgresql object and copied into the pod spec as CLONE_AWS_SECRET_ACCESS_KEY: anyone who can read the manifest or the StatefulSet can read it.',
  bad: 'spec:\n  clone:\n    cluster: acid-source\n    uid: 2d8e5a4c-6f1b-4c3e-9a7d-1b2c3d4e5f60\n    timestamp: "2025-05-31T23:59:59+00:00"\n    s3_access_key_id: AKIAIOSFODNN7EXAMPLE\n    s3_secret_access_key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n',
  good: 'spec:\n  clone:\n    cluster: acid-source\n    uid: 2d8e5a4c-6f1b-4c3e-9a7d-1b2c3d4e5f60\n    timestamp: "2025-05-31T23:59:59+00:00"\n',
  *check(context) {
    const key = cloneOf(context)?.s3_secret_access_key;
    if (typeof key !== 'string' || key === '') return;
    yield {
      path: child(CLONE_PATH, 's3_secret_access_key'),
      message: 'clone.s3_secret_access_key is stored in plain text in the manifest and in the pod spec',
      hint: 'remove it and provide CLONE_AWS_SECRET_ACCESS_KEY (and CLONE_AWS_ACCESS_KEY_ID) from a Secret through the operator’s pod_environment_secret',
    };
  },
};

export const CLONE_RULES: readonly Rule[] = [
  invalidClusterName,
  fromItself,
  walPathWithoutUid,
  plainTextSecret,
];
