import { child, key } from '../field-path.js';
import { byteLength, POSTGRES_IDENTIFIER_MAX_BYTES } from '../kubernetes/names.js';
import { closest } from '../suggest.js';
import type { Rule } from './rule.js';
import { type RuleContext, teamLoginsOf } from './rule-context.js';
import {
  type PreparedRole,
  preparedDatabaseEntries,
  preparedRoles,
  preparedSchemaEntries,
  reservedRole,
} from './users.js';

type Manifest = RuleContext['object'];

/** `cluster.go:databaseNameRegexp`. */
const DATABASE_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Prepared database and schema names end up unquoted in role SQL and, lower-cased, in secret names:
 * only names that are safe in both.
 */
const PREPARED_NAME = /^[a-z][a-z0-9_]*$/;

/** Databases every cluster has: the operator never creates them, it only changes their owner. */
const SYSTEM_DATABASES = ['postgres', 'template0', 'template1'];

/** Schemas every database has, whatever the manifest says. */
const BUILTIN_SCHEMAS = ['public', 'pg_catalog'];

function databases(object: Manifest): [string, string | undefined][] {
  return Object.entries(object.spec?.databases ?? {});
}

function identifierLike(name: string, first: RegExp): string {
  const cleaned = name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return first.test(cleaned) ? cleaned : `db_${cleaned}`;
}

export const databasesInvalidName: Rule = {
  id: 'databases/invalid-name',
  severity: 'error',
  target: 'key',
  summary: 'A database name that is not `^[a-zA-Z_][a-zA-Z0-9_]*$` (e.g. with a `-`).',
  why: 'The operator skips such a database with only an info log line (`database "my-app" has invalid name`): it is never created (#667, #2815).',
  bad: 'spec:\n  users:\n    app_owner_role: []\n  databases:\n    my-app: app_owner_role\n',
  good: 'spec:\n  users:\n    app_owner_role: []\n  databases:\n    my_app: app_owner_role\n',
  *check({ object }) {
    for (const [name] of databases(object)) {
      if (DATABASE_NAME.test(name)) continue;
      yield {
        path: key('spec.databases', name),
        message: `database ${JSON.stringify(name)} has invalid name: the operator skips it and never creates it`,
        hint: `write ${JSON.stringify(identifierLike(name, /^[a-z_]/))}: letters, digits and _ only, not starting with a digit`,
      };
    }
  },
};

export const databasesSystemDatabase: Rule = {
  id: 'databases/system-database',
  severity: 'warning',
  target: 'key',
  summary: 'A `databases` entry for `postgres`, `template0` or `template1`.',
  why: 'These databases exist in every cluster, so the operator does not create them: it runs `ALTER DATABASE … OWNER TO <owner>` and hands a database the operator and Spilo rely on to an application role.',
  bad: 'spec:\n  users:\n    app_user: []\n  databases:\n    postgres: app_user\n',
  good: 'spec:\n  users:\n    app_user: []\n  databases:\n    app: app_user\n',
  *check({ object }) {
    for (const [name, owner] of databases(object)) {
      if (!SYSTEM_DATABASES.includes(name)) continue;
      yield {
        path: key('spec.databases', name),
        message: `database ${JSON.stringify(name)} exists in every cluster: the operator does not create it but changes its owner to ${JSON.stringify(owner ?? '')}`,
        hint: 'give the application a database of its own, e.g. `app: app_user`, and leave the system databases to the operator',
      };
    }
  },
};

export const databasesOwnerReserved: Rule = {
  id: 'databases/owner-reserved',
  severity: 'error',
  summary:
    'A database owner that is a system user (`postgres`, `standby`, the pooler user, `fes_user`) or a protected role.',
  why: 'Database owners must be roles of the operator’s user map, which never holds system or protected roles: the operator logs `skipping creation of the "app" database, user "postgres" does not exist` and creates nothing (#663).',
  bad: 'spec:\n  databases:\n    app: postgres\n',
  good: 'spec:\n  users:\n    app_owner_role: []\n  databases:\n    app: app_owner_role\n',
  *check({ object, policy }) {
    for (const [name, owner] of databases(object)) {
      if (owner === undefined) continue;
      const reserved = reservedRole(owner, object, policy);
      if (reserved === undefined) continue;
      yield {
        path: key('spec.databases', name),
        message: `skipping creation of the ${JSON.stringify(name)} database, user ${JSON.stringify(owner)} does not exist: ${JSON.stringify(owner)} is ${reserved.what}, which the operator never lets own a database`,
        hint: `add an application role under spec.users (e.g. ${identifierLike(name, /^[a-z_]/)}_owner: []) and make it the owner`,
      };
    }
  },
};

export const databasesOwnerUnknown: Rule = {
  id: 'databases/owner-unknown',
  severity: 'warning',
  summary: 'A database owner that is neither a manifest user nor a prepared-database role.',
  why: 'The operator creates a database only when its owner is a role it manages: otherwise it logs `skipping creation of the "app" database, user "app_owner" does not exist` at info level and nothing happens. Infrastructure roles and team members count too, but they are not visible in the manifest.',
  bad: 'spec:\n  users:\n    app_owner: []\n  databases:\n    app: app_ownr\n',
  good: 'spec:\n  users:\n    app_owner: []\n  databases:\n    app: app_owner\n',
  *check(context) {
    const { object, policy } = context;
    const known = new Set([
      ...Object.keys(object.spec?.users ?? {}),
      ...preparedRoles(object).map((r) => r.name),
      ...teamLoginsOf(context),
    ]);
    for (const [name, owner] of databases(object)) {
      if (owner === undefined || known.has(owner)) continue;
      if (reservedRole(owner, object, policy) !== undefined) continue;
      const guess = closest(owner, known);
      yield {
        path: key('spec.databases', name),
        message: `owner ${JSON.stringify(owner)} of database ${JSON.stringify(name)} is not a manifest user or prepared-database role; unless it is an infrastructure role or team member the database is never created`,
        hint:
          guess === undefined
            ? `add ${JSON.stringify(owner || 'app_owner')} under spec.users (e.g. users: {${owner || 'app_owner'}: []})`
            : `did you mean ${JSON.stringify(guess)}?`,
      };
    }
  },
};

export const databasesPreparedInvalidName: Rule = {
  id: 'databases/prepared-invalid-name',
  severity: 'error',
  target: 'key',
  summary:
    'A `preparedDatabases` or schema name that is not a plain lower-case identifier `^[a-z][a-z0-9_]*$`.',
  why: 'The operator builds role names (`<db>_owner`, `<db>_<schema>_writer` …) by concatenation and uses them unquoted: a `-` breaks the role SQL (`syntax error at or near "-"`, #2745), upper case or a leading `_` makes the derived secret names invalid, and a schema outside `^[a-zA-Z_][a-zA-Z0-9_]*$` is skipped (`database schema "…" has invalid name`).',
  bad: 'spec:\n  preparedDatabases:\n    shop-db: {}\n',
  good: 'spec:\n  preparedDatabases:\n    shop_db: {}\n',
  *check({ object }) {
    const prepared = object.spec?.preparedDatabases ?? {};
    for (const [name, database] of Object.entries(prepared)) {
      const path = key('spec.preparedDatabases', name);
      if (!PREPARED_NAME.test(name)) {
        yield {
          path,
          message: `prepared database ${JSON.stringify(name)} is not a plain lower-case identifier: the operator puts it unquoted into role names and SQL`,
          hint: `write ${JSON.stringify(identifierLike(name, /^[a-z]/))}: lower-case letters, digits and _, starting with a letter`,
        };
      }
      for (const schema of Object.keys(database?.schemas ?? {})) {
        if (PREPARED_NAME.test(schema)) continue;
        yield {
          path: key(child(path, 'schemas'), schema),
          message: `schema ${JSON.stringify(schema)} of prepared database ${JSON.stringify(name)} is not a plain lower-case identifier: the operator puts it unquoted into role names and SQL`,
          hint: `write ${JSON.stringify(identifierLike(schema, /^[a-z]/))}: lower-case letters, digits and _, starting with a letter`,
        };
      }
    }
  },
};

export const databasesRoleNameTooLong: Rule = {
  id: 'databases/role-name-too-long',
  severity: 'error',
  target: 'key',
  summary:
    'A role that `preparedDatabases` would create (`<db>_<schema>_writer_user` …) is longer than 63 bytes.',
  why: 'PostgreSQL truncates identifiers to 63 bytes: the role created is not the one the operator looks for, so it retries on every sync, and truncated names of different roles can collide.',
  bad: 'spec:\n  preparedDatabases:\n    customer_relationship_management:\n      schemas:\n        reporting_and_analytics_history: {}\n',
  good: 'spec:\n  preparedDatabases:\n    crm:\n      schemas:\n        reporting: {}\n',
  *check({ object }) {
    const byPath = new Map<string, PreparedRole[]>();
    for (const role of preparedRoles(object)) {
      if (byteLength(role.name) <= POSTGRES_IDENTIFIER_MAX_BYTES) continue;
      byPath.set(role.path, [...(byPath.get(role.path) ?? []), role]);
    }
    for (const [path, roles] of byPath) {
      const longest = roles.reduce((a, b) => (byteLength(b.name) > byteLength(a.name) ? b : a));
      yield {
        path,
        message: `the operator would create ${roles.length === 1 ? 'the role' : `${roles.length} roles longer than ${POSTGRES_IDENTIFIER_MAX_BYTES} bytes, e.g.`} ${JSON.stringify(longest.name)} (${byteLength(longest.name)} bytes), which PostgreSQL truncates`,
        hint: `shorten the database or schema name so that ${JSON.stringify(longest.name)} fits in ${POSTGRES_IDENTIFIER_MAX_BYTES} bytes`,
      };
    }
  },
};

export const databasesDeclaredTwice: Rule = {
  id: 'databases/declared-twice',
  severity: 'warning',
  target: 'key',
  summary: 'A database is listed both in `databases` and in `preparedDatabases`.',
  why: 'The `databases` owner wins when the database is created, so the prepared `<db>_owner` role does not own it and creating the prepared schemas can fail with permission errors (#1585).',
  bad: 'spec:\n  users:\n    shop_user: []\n  databases:\n    shop: shop_user\n  preparedDatabases:\n    shop: {}\n',
  good: 'spec:\n  preparedDatabases:\n    shop:\n      defaultUsers: true\n',
  *check({ object }) {
    const prepared = new Set(preparedDatabaseEntries(object).map((entry) => entry.name));
    for (const [name] of databases(object)) {
      if (!prepared.has(name)) continue;
      yield {
        path: key('spec.databases', name),
        message: `database ${JSON.stringify(name)} is also in preparedDatabases: the owner written here wins over the prepared role ${JSON.stringify(`${name}_owner`)}, and the prepared schemas may fail with permission errors`,
        hint: `keep ${JSON.stringify(name)} in one place only: preparedDatabases (owner ${name}_owner) or databases`,
      };
    }
  },
};

export const databasesExtensionSchemaMissing: Rule = {
  id: 'databases/extension-schema-missing',
  severity: 'warning',
  summary: 'A prepared database’s extension is to be installed into a schema that will not exist.',
  why: 'The operator runs `CREATE EXTENSION IF NOT EXISTS "<ext>" SCHEMA "<schema>"` and does not create the schema: the statement fails on every sync (`error(s) while syncing database extensions`). Only `public` and the prepared schemas (`data` when none are listed) exist.',
  bad: 'spec:\n  preparedDatabases:\n    shop:\n      extensions:\n        pg_partman: partman\n',
  good: 'spec:\n  preparedDatabases:\n    shop:\n      schemas:\n        partman: {}\n      extensions:\n        pg_partman: partman\n',
  *check({ object }) {
    for (const entry of preparedDatabaseEntries(object)) {
      const schemas = new Set([
        ...BUILTIN_SCHEMAS,
        ...preparedSchemaEntries(entry).map((schema) => schema.name),
      ]);
      for (const [extension, schema] of Object.entries(entry.database.extensions ?? {})) {
        if (schema === undefined || schemas.has(schema)) continue;
        yield {
          path: key(child(entry.path, 'extensions'), extension),
          message: `extension ${JSON.stringify(extension)} goes into schema ${JSON.stringify(schema)}, which does not exist in database ${JSON.stringify(entry.name)}: CREATE EXTENSION … SCHEMA ${JSON.stringify(schema)} fails`,
          hint: `add ${JSON.stringify(schema)} under schemas of this prepared database, or use one of: ${[...schemas].join(', ')}`,
        };
      }
    }
  },
};

export const databasesSecretNamespaceIgnored: Rule = {
  id: 'databases/secret-namespace-ignored',
  severity: 'warning',
  summary: '`preparedDatabases.<db>.secretNamespace` is set while `enable_cross_namespace_secret` is off.',
  why: 'The operator ignores it (`secretNamespace ignored because enable_cross_namespace_secret set to false. Creating secrets in cluster namespace.`): the secrets land in the cluster’s namespace, where the application in the other namespace cannot read them.',
  bad: 'spec:\n  preparedDatabases:\n    shop:\n      defaultUsers: true\n      secretNamespace: shop-app\n',
  good: 'spec:\n  preparedDatabases:\n    shop:\n      defaultUsers: true\n',
  *check({ object, policy }) {
    if (policy.enableCrossNamespaceSecret) return;
    for (const entry of preparedDatabaseEntries(object)) {
      const namespace = entry.database.secretNamespace;
      if (namespace === undefined || namespace === '') continue;
      yield {
        path: child(entry.path, 'secretNamespace'),
        message: `secretNamespace ignored because enable_cross_namespace_secret set to false. Creating secrets in cluster namespace (not in ${JSON.stringify(namespace)}).`,
        hint: 'enable enable_cross_namespace_secret in the operator configuration, or remove secretNamespace and copy the secrets yourself',
      };
    }
  },
};

/** Rules about databases and prepared databases (spec.databases, spec.preparedDatabases). */
export const DATABASES_RULES: readonly Rule[] = [
  databasesInvalidName,
  databasesSystemDatabase,
  databasesOwnerReserved,
  databasesOwnerUnknown,
  databasesPreparedInvalidName,
  databasesRoleNameTooLong,
  databasesDeclaredTwice,
  databasesExtensionSchemaMissing,
  databasesSecretNamespaceIgnored,
];
