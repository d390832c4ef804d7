import { child, index, key } from '../field-path.js';
import { byteLength, POSTGRES_IDENTIFIER_MAX_BYTES } from '../kubernetes/names.js';
import type { OperatorPolicy } from '../policy/operator-policy.js';
import { closest } from '../suggest.js';
import { effectivePoolerUser, poolerEnabled } from './pooler.js';
import type { Problem, Rule } from './rule.js';
import { type RuleContext, teamLoginsOf } from './rule-context.js';

type Manifest = RuleContext['object'];
type Spec = NonNullable<Manifest['spec']>;
type PreparedDatabase = NonNullable<NonNullable<Spec['preparedDatabases']>[string]>;

/** `cluster.go:userRegexp`: lower case, `-_.` inside, dot-separated parts. */
const USERNAME = /^[a-z0-9]([-_a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-_a-z0-9]*[a-z0-9])?)*$/;

/** The role the operator creates for `streams` (`fes` slot prefix + `_user`). */
export const STREAM_USER = 'fes_user';

/** usersWithSecretRotation creates `<user><YYMMDD>` at every rotation. */
const ROTATION_SUFFIX_BYTES = 'YYMMDD'.length;
const ROTATED_NAME_MAX_BYTES = POSTGRES_IDENTIFIER_MAX_BYTES - ROTATION_SUFFIX_BYTES;

const ROTATION_LISTS = [
  'usersWithSecretRotation',
  'usersWithInPlaceSecretRotation',
  'usersIgnoringSecretRotation',
] as const;
type RotationList = (typeof ROTATION_LISTS)[number];

export function isValidUsername(name: string): boolean {
  return USERNAME.test(name);
}

/**
 * The system roles of this cluster, name → what it is: the superuser and the replication user always,
 * the pooler user when a pooler runs, `fes_user` when streams are defined (`initSystemUsers`).
 */
export function systemRoles(object: Manifest, policy: OperatorPolicy): Map<string, string> {
  const roles = new Map<string, string>();
  const spec = object.spec;
  if (spec !== undefined && (spec.streams?.length ?? 0) > 0) roles.set(STREAM_USER, 'the event stream user');
  if (poolerEnabled(spec)) roles.set(effectivePoolerUser(spec, policy), 'the connection pooler user');
  roles.set(policy.replicationUsername, 'the replication user (replication_username)');
  roles.set(policy.superUsername, 'the superuser (super_username)');
  return roles;
}

/** What a name is when the operator refuses to create a role of it: protected or a system user. */
export function reservedRole(
  name: string,
  object: Manifest,
  policy: OperatorPolicy,
): { kind: 'protected' | 'system'; what: string } | undefined {
  if (policy.protectedRoleNames.includes(name)) {
    return { kind: 'protected', what: 'a protected role (protected_role_names)' };
  }
  const system = systemRoles(object, policy).get(name);
  return system === undefined ? undefined : { kind: 'system', what: system };
}

/** The operator's warning when it skips a role of a reserved name (`shouldAvoidProtectedOrSystemRole`). */
export function reservedRoleMessage(
  name: string,
  purpose: string,
  object: Manifest,
  policy: OperatorPolicy,
): string | undefined {
  const reserved = reservedRole(name, object, policy);
  if (reserved === undefined) return undefined;
  return `cannot initialize a new ${purpose} with the name of the ${reserved.kind} user ${JSON.stringify(name)}`;
}

/** A role the operator derives from `preparedDatabases`, with the node it comes from. */
export interface PreparedRole {
  name: string;
  /** LOGIN roles (`…_user`) get a password and a secret; the others are NOLOGIN groups. */
  login: boolean;
  path: string;
}

/** A prepared database as the operator sees it: `preparedDatabases: {}` means one named like the cluster. */
export interface PreparedDatabaseEntry {
  name: string;
  database: PreparedDatabase;
  path: string;
}

export function preparedDatabaseEntries(object: Manifest): PreparedDatabaseEntry[] {
  const prepared = object.spec?.preparedDatabases;
  if (prepared === undefined || prepared === null) return [];
  const entries = Object.entries(prepared);
  if (entries.length === 0) {
    const clusterName = object.metadata?.name;
    if (clusterName === undefined || clusterName === '') return [];
    return [{ name: clusterName.replaceAll('-', '_'), database: {}, path: 'spec.preparedDatabases' }];
  }
  return entries.map(([name, database]) => ({
    name,
    database: database ?? {},
    path: key('spec.preparedDatabases', name),
  }));
}

/** A prepared schema as the operator sees it: no schemas means one `data` schema with default roles. */
export interface PreparedSchemaEntry {
  name: string;
  defaultRoles: boolean;
  defaultUsers: boolean;
  path: string;
}

export function preparedSchemaEntries(entry: PreparedDatabaseEntry): PreparedSchemaEntry[] {
  const schemas = Object.entries(entry.database.schemas ?? {});
  if (schemas.length === 0)
    return [{ name: 'data', defaultRoles: true, defaultUsers: false, path: entry.path }];
  return schemas.map(([name, schema]) => ({
    name,
    defaultRoles: schema?.defaultRoles !== false,
    defaultUsers: schema?.defaultUsers === true,
    path: key(child(entry.path, 'schemas'), name),
  }));
}

const GROUP_SUFFIXES = ['_owner', '_reader', '_writer'] as const;

function rolesWithPrefix(prefix: string, users: boolean, path: string): PreparedRole[] {
  const roles = GROUP_SUFFIXES.map((suffix) => ({ name: `${prefix}${suffix}`, login: false, path }));
  if (!users) return roles;
  return [
    ...roles,
    ...GROUP_SUFFIXES.map((suffix) => ({ name: `${prefix}${suffix}_user`, login: true, path })),
  ];
}

/**
 * The roles `initPreparedDatabaseRoles` creates: `<db>_owner|reader|writer` (+ `_user` with the
 * database's defaultUsers), and per schema with defaultRoles `<db>_<schema>_owner|reader|writer`
 * (+ `_user` with the schema's defaultUsers).
 */
const preparedRolesOf = new WeakMap<object, PreparedRole[]>();

/** The roles prepared databases create; several rules ask, so each object's answer is kept. */
export function preparedRoles(object: Manifest): PreparedRole[] {
  const known = preparedRolesOf.get(object);
  if (known !== undefined) return known;
  const roles = computePreparedRoles(object);
  preparedRolesOf.set(object, roles);
  return roles;
}

function computePreparedRoles(object: Manifest): PreparedRole[] {
  const roles: PreparedRole[] = [];
  for (const entry of preparedDatabaseEntries(object)) {
    roles.push(...rolesWithPrefix(entry.name, entry.database.defaultUsers === true, entry.path));
    for (const schema of preparedSchemaEntries(entry)) {
      if (!schema.defaultRoles) continue;
      roles.push(...rolesWithPrefix(`${entry.name}_${schema.name}`, schema.defaultUsers, schema.path));
    }
  }
  return roles;
}

function manifestUsers(object: Manifest): [string, readonly (string | undefined)[]][] {
  return Object.entries(object.spec?.users ?? {}).map(([name, flags]) => [name, flags ?? []]);
}

function hasNoLogin(flags: readonly (string | undefined)[]): boolean {
  return flags.some((flag) => flag?.toUpperCase() === 'NOLOGIN');
}

function rotationList(spec: Spec | undefined, list: RotationList): string[] {
  return (spec?.[list] ?? []).map((name) => (typeof name === 'string' ? name : ''));
}

function usernameLike(name: string): string {
  const cleaned = name
    .toLowerCase()
    .replace(/[^-_.a-z0-9]/g, '_')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return cleaned === '' ? 'app_user' : cleaned;
}

export const usersInvalidName: Rule = {
  id: 'users/invalid-name',
  severity: 'error',
  target: 'key',
  summary:
    'A user name that does not match the operator’s username pattern (lower case, digits, `-`, `_`, `.`).',
  why: 'The operator checks every manifest user against `^[a-z0-9]([-_a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-_a-z0-9]*[a-z0-9])?)*$` and aborts the whole user setup on the first mismatch: Create fails (`could not init robot users: invalid username: "Foo"`), every Sync fails, and no role, secret or database of the cluster is synced.',
  bad: 'spec:\n  users:\n    App_User: []\n',
  good: 'spec:\n  users:\n    app_user: []\n',
  *check({ object }) {
    for (const [name] of manifestUsers(object)) {
      if (isValidUsername(name)) continue;
      yield {
        path: key('spec.users', name),
        message: `invalid username: ${JSON.stringify(name)} — the operator stops initialising users, so no role, secret or database of this cluster is synced`,
        hint: `write ${JSON.stringify(usernameLike(name))}: lower-case letters and digits, with - _ . inside`,
      };
    }
  },
};

export const usersNameTooLong: Rule = {
  id: 'users/name-too-long',
  severity: 'error',
  target: 'key',
  summary:
    'A user name longer than 63 bytes, or longer than 57 bytes when it is in `usersWithSecretRotation`.',
  why: 'PostgreSQL truncates identifiers to 63 bytes: the role created is not the role the operator looks for, so it tries to create it again on every sync. Rotation in `usersWithSecretRotation` creates a new role `<user><YYMMDD>`, six bytes longer.',
  bad: 'spec:\n  users:\n    reporting_service_account_for_the_finance_department_in_eu_central: []\n',
  good: 'spec:\n  users:\n    finance_reporting: []\n',
  *check({ object }) {
    const spec = object.spec;
    for (const [name] of manifestUsers(object)) {
      const bytes = byteLength(name);
      if (bytes <= POSTGRES_IDENTIFIER_MAX_BYTES) continue;
      yield {
        path: key('spec.users', name),
        message: `user name ${JSON.stringify(name)} is ${bytes} bytes: PostgreSQL truncates role names to ${POSTGRES_IDENTIFIER_MAX_BYTES} bytes, so the operator never finds the role it created and retries on every sync`,
        hint: `shorten it to at most ${POSTGRES_IDENTIFIER_MAX_BYTES} bytes`,
      };
    }
    const inPlace = new Set(rotationList(spec, 'usersWithInPlaceSecretRotation'));
    const secretOwners = new Set([
      ...manifestUsers(object).map(([name]) => name),
      ...preparedRoles(object)
        .filter((role) => role.login)
        .map((role) => role.name),
    ]);
    for (const [i, name] of rotationList(spec, 'usersWithSecretRotation').entries()) {
      const bytes = byteLength(name);
      if (inPlace.has(name) || !secretOwners.has(name)) continue;
      if (bytes <= ROTATED_NAME_MAX_BYTES || bytes > POSTGRES_IDENTIFIER_MAX_BYTES) continue;
      yield {
        path: index('spec.usersWithSecretRotation', i),
        message: `${JSON.stringify(name)} is ${bytes} bytes: each rotation creates the role "${name}<YYMMDD>" of ${bytes + ROTATION_SUFFIX_BYTES} bytes, which PostgreSQL truncates to ${POSTGRES_IDENTIFIER_MAX_BYTES}`,
        hint: `shorten the user name to at most ${ROTATED_NAME_MAX_BYTES} bytes, or rotate it with usersWithInPlaceSecretRotation`,
      };
    }
  },
};

export const usersReservedName: Rule = {
  id: 'users/reserved-name',
  severity: 'error',
  target: 'key',
  summary:
    'A user named like a protected role (`protected_role_names`) or a system user (superuser, replication user, pooler user, `fes_user`).',
  why: 'The operator skips such a manifest user with only a log line (`cannot initialize a new manifest robot role with the name of the system user "postgres"`): no role, no secret, and databases it should own are not created (#663).',
  bad: 'spec:\n  users:\n    postgres: [superuser]\n',
  good: 'spec:\n  users:\n    app_admin: [createdb]\n',
  *check({ object, policy }) {
    for (const [name] of manifestUsers(object)) {
      const message = reservedRoleMessage(name, 'manifest robot role', object, policy);
      if (message === undefined) continue;
      yield {
        path: key('spec.users', name),
        message: `${message}: the operator skips this user — no role, no secret`,
        hint: `choose a name of your own, e.g. ${JSON.stringify(`app_${name.replace(/[^a-z0-9_]/g, '_')}`)}`,
      };
    }
  },
};

/** The pairs a flag list contains with its inverse, as `normalizeUserFlags` reports them. */
function flagConflicts(
  flags: readonly (string | undefined)[],
): { at: number; flag: string; inverse: string }[] {
  const seen = new Set<string>();
  const conflicts: { at: number; flag: string; inverse: string }[] = [];
  for (const [at, raw] of flags.entries()) {
    if (raw === undefined) continue;
    const flag = raw.toUpperCase();
    if (seen.has(flag)) continue;
    const inverse = flag.startsWith('NO') ? flag.slice(2) : `NO${flag}`;
    if (seen.has(inverse)) conflicts.push({ at, flag, inverse });
    seen.add(flag);
  }
  return conflicts;
}

export const usersConflictingFlags: Rule = {
  id: 'users/conflicting-flags',
  severity: 'error',
  summary: 'A user has a flag together with its inverse (`superuser` and `NOSUPERUSER`, in any letter case).',
  why: 'The operator upper-cases the flags and refuses the pair (`invalid flags for user "app": conflicting user flags: "NOSUPERUSER" and "SUPERUSER"`), which aborts the whole user setup: Create and every Sync fail and no role, secret or database of the cluster is synced.',
  bad: 'spec:\n  users:\n    app_user: [superuser, NOSUPERUSER]\n',
  good: 'spec:\n  users:\n    app_user: [nosuperuser]\n',
  *check({ object }) {
    for (const [name, flags] of manifestUsers(object)) {
      for (const { at, flag, inverse } of flagConflicts(flags)) {
        yield {
          path: index(key('spec.users', name), at),
          message: `invalid flags for user ${JSON.stringify(name)}: conflicting user flags: ${JSON.stringify(flag)} and ${JSON.stringify(inverse)}`,
          hint: `keep one of them: ${inverse.toLowerCase()} or ${flag.toLowerCase()} (flags are never revoked by removal; write the NO… flag to revoke)`,
        };
      }
    }
  },
};

function rotationConsequence(list: RotationList, role: string): string {
  switch (list) {
    case 'usersWithSecretRotation':
      return `each rotation creates a new role "${role}<YYMMDD>" and writes it into the secret that the pods log in with`;
    case 'usersWithInPlaceSecretRotation':
      return 'each rotation changes its password in place and marks the pods that log in with it for a rolling update (all Postgres pods for the superuser and the replication user)';
    default:
      return 'the entry has no effect: global rotation never touches system users';
  }
}

export const usersRotationSystemUser: Rule = {
  id: 'users/rotation-system-user',
  severity: 'warning',
  summary:
    'A rotation list (`usersWithSecretRotation` etc.) names a system user such as `postgres` or `standby`.',
  why: 'The operator does not exclude system users from manifest rotation: rotating the superuser or replication user with a new role breaks the credentials the pods use, and in-place rotation restarts all Postgres (or pooler) pods at every interval (inferred from `sync.go:updateSecret`).',
  bad: 'spec:\n  usersWithSecretRotation: [postgres]\n',
  good: 'spec:\n  users:\n    app_user: []\n  usersWithSecretRotation: [app_user]\n',
  *check({ object, policy }) {
    const system = systemRoles(object, policy);
    for (const list of ROTATION_LISTS) {
      for (const [i, name] of rotationList(object.spec, list).entries()) {
        const what = system.get(name);
        if (what === undefined) continue;
        yield {
          path: index(child('spec', list), i),
          message: `${list} names ${JSON.stringify(name)}, ${what}: ${rotationConsequence(list, name)}`,
          hint: `remove ${JSON.stringify(name)} from ${list}; rotate only application users`,
        };
      }
    }
  },
};

export const usersRotationUnknownUser: Rule = {
  id: 'users/rotation-unknown-user',
  severity: 'warning',
  summary:
    'A rotation list names a user that is neither a manifest user nor a prepared-database user with a secret.',
  why: 'The operator only looks at these lists for roles it keeps a secret for; any other name (a typo, a removed user, a NOLOGIN role) is ignored without a word.',
  bad: 'spec:\n  users:\n    app_user: []\n  usersWithSecretRotation: [app_usr]\n',
  good: 'spec:\n  users:\n    app_user: []\n  usersWithSecretRotation: [app_user]\n',
  *check(context) {
    const { object, policy } = context;
    const system = systemRoles(object, policy);
    // Team members in a rotation list are team/rotation-team-member's finding.
    const teamLogins = teamLoginsOf(context);
    const withSecret = new Set<string>();
    const withoutSecret = new Set<string>();
    for (const [name, flags] of manifestUsers(object)) {
      if (policy.protectedRoleNames.includes(name) || system.has(name)) continue;
      (hasNoLogin(flags) ? withoutSecret : withSecret).add(name);
    }
    for (const role of preparedRoles(object)) (role.login ? withSecret : withoutSecret).add(role.name);
    for (const list of ROTATION_LISTS) {
      for (const [i, name] of rotationList(object.spec, list).entries()) {
        if (withSecret.has(name) || system.has(name) || teamLogins.has(name)) continue;
        yield unknownRotationUser(list, i, name, withoutSecret.has(name), withSecret);
      }
    }
  },
};

function unknownRotationUser(
  list: RotationList,
  i: number,
  name: string,
  nologin: boolean,
  known: ReadonlySet<string>,
): Problem {
  const path = index(child('spec', list), i);
  if (nologin) {
    return {
      path,
      message: `${list} names ${JSON.stringify(name)}, a NOLOGIN role without a secret: there is nothing to rotate and the entry is ignored`,
      hint: `list a LOGIN user instead, or remove ${JSON.stringify(name)}`,
    };
  }
  const guess = closest(name, known);
  return {
    path,
    message: `${list} names ${JSON.stringify(name)}, which is neither a manifest user nor a prepared-database user: unless it is an infrastructure role, the entry is ignored`,
    hint:
      guess === undefined
        ? 'list a user from spec.users or a prepared-database …_user role'
        : `did you mean ${JSON.stringify(guess)}?`,
  };
}

export const usersRotationBothModes: Rule = {
  id: 'users/rotation-both-modes',
  severity: 'warning',
  summary: 'A user is in both `usersWithSecretRotation` and `usersWithInPlaceSecretRotation`.',
  why: 'The operator checks the in-place list first: the user’s password is rotated in place and no new dated role is ever created, so the `usersWithSecretRotation` entry has no effect.',
  bad: 'spec:\n  users:\n    app_user: []\n  usersWithSecretRotation: [app_user]\n  usersWithInPlaceSecretRotation: [app_user]\n',
  good: 'spec:\n  users:\n    app_user: []\n  usersWithInPlaceSecretRotation: [app_user]\n',
  *check({ object }) {
    const inPlace = new Set(rotationList(object.spec, 'usersWithInPlaceSecretRotation'));
    for (const [i, name] of rotationList(object.spec, 'usersWithSecretRotation').entries()) {
      if (name === '' || !inPlace.has(name)) continue;
      yield {
        path: index('spec.usersWithSecretRotation', i),
        message: `${JSON.stringify(name)} is in both usersWithSecretRotation and usersWithInPlaceSecretRotation: in-place rotation wins and this entry has no effect`,
        hint: 'list the user in only one of the two: a new role per rotation, or a new password in place',
      };
    }
  },
};

export const usersCrossNamespaceSecretOff: Rule = {
  id: 'users/cross-namespace-secret-off',
  severity: 'warning',
  target: 'key',
  summary: 'A user named `namespace.name` while `enable_cross_namespace_secret` is off.',
  why: 'Only with `enable_cross_namespace_secret` does the text before the first dot choose the secret’s namespace. Without it the secret is created in the cluster’s namespace, and the role is named with the dot either way (the database role keeps the full name `namespace.name`).',
  bad: 'spec:\n  users:\n    billing.app_user: []\n',
  good: 'spec:\n  users:\n    app_user: []\n',
  *check({ object, policy }) {
    if (policy.enableCrossNamespaceSecret) return;
    for (const [name] of manifestUsers(object)) {
      const dot = name.indexOf('.');
      if (dot <= 0) continue;
      yield {
        path: key('spec.users', name),
        message: `enable_cross_namespace_secret is off: the secret of ${JSON.stringify(name)} is created in the cluster's namespace, not in namespace ${JSON.stringify(name.slice(0, dot))}; the role is named ${JSON.stringify(name)} either way`,
        hint: 'enable enable_cross_namespace_secret in the operator configuration, or drop the namespace prefix from the user name',
      };
    }
  },
};

/** Rules about manifest users, their flags and password rotation (spec.users, usersWith…Rotation). */
export const USERS_RULES: readonly Rule[] = [
  usersInvalidName,
  usersNameTooLong,
  usersReservedName,
  usersConflictingFlags,
  usersRotationSystemUser,
  usersRotationUnknownUser,
  usersRotationBothModes,
  usersCrossNamespaceSecretOff,
];
