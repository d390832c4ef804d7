import type { RuleMeta } from './rule.js';

/**
 * Findings of the CRD schema, in plain words, and what only a file shows: the API server prunes
 * nulls and unknown fields before any webhook sees the object.
 */
export const nullEntry: RuleMeta = {
  id: 'schema/null-entry',
  severity: 'error',
  target: 'key',
  fileOnly: true,
  summary: 'A map entry has no value (YAML null), e.g. `users: {foo_user: }`.',
  why: 'The API server drops null map entries before anything else sees them: the user, database, schema or slot silently vanishes — no role, no secret, no error.',
  bad: 'spec:\n  users:\n    foo_user:\n',
  good: 'spec:\n  users:\n    foo_user: []\n',
};

export const nullField: RuleMeta = {
  id: 'schema/null-field',
  severity: 'warning',
  target: 'key',
  fileOnly: true,
  summary: 'A field is written without a value (YAML null).',
  why: 'The API server drops it as if it were not written; if a value was meant, it is lost.',
  bad: 'spec:\n  enableLogicalBackup:\n',
  good: 'spec:\n  enableLogicalBackup: false\n',
};

export const unknownField: RuleMeta = {
  id: 'schema/unknown-field',
  severity: 'error',
  target: 'key',
  fileOnly: true,
  summary: 'A field the CRD does not know, usually a typo or a field at the wrong level.',
  why: '`kubectl apply` refuses it (strict field validation); other clients have it pruned silently, so the setting never takes effect (e.g. `max_connections` directly under `postgresql`).',
  bad: 'spec:\n  numberOfInstance: 3\n',
  good: 'spec:\n  numberOfInstances: 3\n',
};

export const removedField: RuleMeta = {
  id: 'schema/removed-field',
  operatorVersion: '2.0.1',
  severity: 'error',
  target: 'key',
  fileOnly: true,
  summary:
    'A field that operator v2 removed from the CRD (`init_containers`, `pod_priority_class_name`, `useLoadBalancer`, `replicaLoadBalancer`).',
  why: 'Operator v2 no longer reads it: the API server refuses or prunes it, so the setting is lost on upgrade.',
  bad: 'spec:\n  pod_priority_class_name: high\n',
  good: 'spec:\n  podPriorityClassName: high\n',
};

export const notAString: RuleMeta = {
  id: 'schema/not-a-string',
  severity: 'error',
  summary:
    'A YAML number or boolean where the CRD wants a string (`version: 17`, `max_connections: 100`, `ssl: on`).',
  why: 'The API server rejects the object (`must be of type string`). YAML turns unquoted `17`, `on`, `yes` into numbers and booleans.',
  bad: 'spec:\n  postgresql:\n    version: 17\n',
  good: 'spec:\n  postgresql:\n    version: "17"\n',
};

export const wrongType: RuleMeta = {
  id: 'schema/wrong-type',
  severity: 'error',
  summary: 'A value of the wrong type (a list where a map is expected, a string where a number is).',
  why: 'The API server rejects the object.',
  bad: 'spec:\n  numberOfInstances: two\n',
  good: 'spec:\n  numberOfInstances: 2\n',
};

export const required: RuleMeta = {
  id: 'schema/required',
  severity: 'error',
  summary: 'A field the CRD requires is missing.',
  why: 'The API server rejects the object (`Required value`).',
  bad: 'spec:\n  clone:\n    timestamp: "2024-05-31T23:59:59+00:00"\n',
  good: 'spec:\n  clone:\n    cluster: acid-source\n    timestamp: "2024-05-31T23:59:59+00:00"\n',
};

export const enumValue: RuleMeta = {
  id: 'schema/enum',
  severity: 'error',
  summary: 'A value outside the CRD’s list of allowed values, e.g. an unsupported PostgreSQL version.',
  why: 'The API server rejects the object (`Unsupported value`).',
  bad: 'spec:\n  postgresql:\n    version: "13"\n',
  good: 'spec:\n  postgresql:\n    version: "17"\n',
};

export const pattern: RuleMeta = {
  id: 'schema/pattern',
  severity: 'error',
  summary:
    'A string that does not match the CRD’s pattern (quantities, cron schedules, timestamps, maintenance windows, CIDRs).',
  why: 'The API server rejects the object (`should match …`).',
  bad: 'spec:\n  resources:\n    requests:\n      cpu: 0.5m\n',
  good: 'spec:\n  resources:\n    requests:\n      cpu: 500m\n',
};

export const range: RuleMeta = {
  id: 'schema/range',
  severity: 'error',
  summary: 'A number outside the CRD’s bounds, or too large for the 32-bit integer the operator decodes.',
  why: 'The API server rejects values outside minimum/maximum; a value beyond int32 makes the operator fail to decode the whole object.',
  bad: 'spec:\n  volume:\n    size: 10Gi\n    iops: 90000\n',
  good: 'spec:\n  volume:\n    size: 10Gi\n    iops: 16000\n',
};

export const invalid: RuleMeta = {
  id: 'schema/invalid',
  severity: 'error',
  summary: 'A combination of fields the CRD does not allow, e.g. a standby section without a source.',
  why: 'The API server rejects the object.',
  bad: 'spec:\n  standby:\n    standby_port: "5433"\n',
  good: 'spec:\n  standby:\n    standby_host: acid-source.prod.svc\n    standby_port: "5433"\n',
};

export const SCHEMA_RULES: readonly RuleMeta[] = [
  nullEntry,
  nullField,
  unknownField,
  removedField,
  notAString,
  wrongType,
  required,
  enumValue,
  pattern,
  range,
  invalid,
];
