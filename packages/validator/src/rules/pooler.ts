import { child } from '../field-path.js';
import type { OperatorPolicy } from '../policy/operator-policy.js';
import type { Rule } from './rule.js';
import type { RuleContext } from './rule-context.js';

type Spec = NonNullable<RuleContext['object']['spec']>;

/**
 * The primary pooler runs when `enableConnectionPooler: true`, or when a `connectionPooler` section
 * exists and `enableConnectionPooler` is absent (`needMasterConnectionPoolerWorker`).
 */
export function primaryPoolerEnabled(spec: Spec | undefined): boolean {
  if (spec === undefined) return false;
  return (
    spec.enableConnectionPooler === true ||
    (spec.connectionPooler !== undefined && spec.enableConnectionPooler === undefined)
  );
}

/** The replica pooler runs only with `enableReplicaConnectionPooler: true`. */
export function replicaPoolerEnabled(spec: Spec | undefined): boolean {
  return spec?.enableReplicaConnectionPooler === true;
}

export function poolerEnabled(spec: Spec | undefined): boolean {
  return primaryPoolerEnabled(spec) || replicaPoolerEnabled(spec);
}

/** Why the operator refuses a name for the pooler role (`poolerUser`), or undefined when it takes it. */
function refusedPoolerUser(user: string, policy: OperatorPolicy): string | undefined {
  if (user === policy.superUsername) return `the superuser (super_username)`;
  if (policy.protectedRoleNames.includes(user)) return `a protected role (protected_role_names)`;
  if (user === policy.replicationUsername) return `the replication user (replication_username)`;
  return undefined;
}

/**
 * The role the pooler connects as: the manifest's `connectionPooler.user` unless it is the superuser,
 * a protected or a system role — then silently the configured default (`poolerUser`, #892).
 */
export function effectivePoolerUser(spec: Spec | undefined, policy: OperatorPolicy): string {
  const user = spec?.connectionPooler?.user ?? '';
  if (user === '' || refusedPoolerUser(user, policy) !== undefined) return policy.connectionPoolerUser;
  return user;
}

/** Plain lower-case SQL identifiers: the lookup function's SQL uses schema and user unquoted. */
const POOLER_IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

export const poolerInvalidIdentifier: Rule = {
  id: 'pooler/invalid-identifier',
  severity: 'error',
  summary: '`connectionPooler.user` or `connectionPooler.schema` is not a plain lower-case SQL identifier.',
  why: 'The operator installs the pooler’s user lookup function in every database with SQL that uses the schema and user unquoted: a `-` or an upper-case letter fails with `syntax error at or near "-"` (#1741), the lookup function is missing and every sync of the pooler fails.',
  bad: 'spec:\n  connectionPooler:\n    user: app-pooler\n',
  good: 'spec:\n  connectionPooler:\n    user: app_pooler\n',
  *check({ object }) {
    const pooler = object.spec?.connectionPooler;
    if (pooler === undefined) return;
    const base = 'spec.connectionPooler';
    for (const field of ['user', 'schema'] as const) {
      const value = pooler[field];
      if (value === undefined || value === '' || POOLER_IDENTIFIER.test(value)) continue;
      yield {
        path: child(base, field),
        message: `connectionPooler.${field} ${JSON.stringify(value)} is not a plain lower-case SQL identifier: the operator puts it unquoted into the SQL of the pooler lookup function, which then fails`,
        hint: `use lower-case letters, digits and _ only, e.g. ${JSON.stringify(identifierLike(value))}`,
      };
    }
  },
};

function identifierLike(value: string): string {
  const cleaned = value.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return /^[a-z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

export const poolerReservedUser: Rule = {
  id: 'pooler/reserved-user',
  severity: 'error',
  summary: '`connectionPooler.user` is the superuser, the replication user or a protected role.',
  why: 'The operator refuses such a pooler role (`cannot initialize a new connection pool role with the name of the protected user …`) and silently uses the configured default pooler user instead (#892), while the pooler pods still read the secret of the name written here.',
  bad: 'spec:\n  connectionPooler:\n    user: postgres\n',
  good: 'spec:\n  connectionPooler:\n    user: app_pooler\n',
  *check({ object, policy }) {
    const user = object.spec?.connectionPooler?.user;
    if (user === undefined || user === '') return;
    const refused = refusedPoolerUser(user, policy);
    if (refused === undefined) return;
    yield {
      path: 'spec.connectionPooler.user',
      message: `connectionPooler.user ${JSON.stringify(user)} is ${refused}: the operator does not use it as the pooler role and silently falls back to ${JSON.stringify(policy.connectionPoolerUser)}`,
      hint: `remove connectionPooler.user to use the default ${JSON.stringify(policy.connectionPoolerUser)}, or name a dedicated role such as "app_pooler"`,
    };
  },
};

/** PgBouncer pool sizes per pod: MAX_DB_CONN = max / instances, DEFAULT = that / 2, MIN = RESERVE = DEFAULT / 2. */
export function poolSizes(maxDbConnections: number, instances: number) {
  const maxDbConn = Math.trunc(maxDbConnections / instances);
  const defaultSize = Math.trunc(maxDbConn / 2);
  const minSize = Math.trunc(defaultSize / 2);
  return { maxDbConn, defaultSize, minSize, reserveSize: minSize };
}

export const poolerPoolTooSmall: Rule = {
  id: 'pooler/pool-too-small',
  severity: 'warning',
  summary:
    '`maxDBConnections` is less than 4 × the pooler’s `numberOfInstances`: pool sizes round down to 0.',
  why: 'The operator divides maxDBConnections among the pooler pods with integer division and derives DEFAULT_SIZE = per-pod/2 and MIN_SIZE = RESERVE_SIZE = DEFAULT_SIZE/2: below 4 connections per pod the minimum and reserve pools (or all pools) are 0.',
  bad: 'spec:\n  connectionPooler:\n    numberOfInstances: 3\n    maxDBConnections: 10\n',
  good: 'spec:\n  connectionPooler:\n    numberOfInstances: 3\n    maxDBConnections: 12\n',
  *check({ object, policy }) {
    const spec = object.spec;
    if (!poolerEnabled(spec)) return;
    const pooler = spec?.connectionPooler;
    const instances = Math.max(1, pooler?.numberOfInstances ?? policy.connectionPoolerNumberOfInstances);
    const maxConnections = pooler?.maxDBConnections ?? policy.connectionPoolerMaxDbConnections;
    if (maxConnections >= 4 * instances) return;
    const sizes = poolSizes(maxConnections, instances);
    const written = pooler?.maxDBConnections !== undefined;
    yield {
      path: poolSizingPath(spec),
      message: `maxDBConnections ${maxConnections}${written ? '' : ' (operator default)'} over ${instances} pooler pods gives each pod MAX_DB_CONN=${sizes.maxDbConn}, DEFAULT_SIZE=${sizes.defaultSize}, MIN_SIZE=RESERVE_SIZE=${sizes.minSize}`,
      hint: `set maxDBConnections to at least ${4 * instances} (4 × numberOfInstances) or run fewer pooler pods`,
    };
  },
};

/** The node that decides the pool size: what is written, else what enables the pooler. */
function poolSizingPath(spec: Spec | undefined): string {
  const pooler = spec?.connectionPooler;
  if (pooler?.maxDBConnections !== undefined) return 'spec.connectionPooler.maxDBConnections';
  if (pooler?.numberOfInstances !== undefined) return 'spec.connectionPooler.numberOfInstances';
  if (pooler !== undefined) return 'spec.connectionPooler';
  return primaryPoolerEnabled(spec) ? 'spec.enableConnectionPooler' : 'spec.enableReplicaConnectionPooler';
}

/** Rules about the PgBouncer connection pooler (spec.connectionPooler). */
export const POOLER_RULES: readonly Rule[] = [
  poolerInvalidIdentifier,
  poolerReservedUser,
  poolerPoolTooSmall,
];
