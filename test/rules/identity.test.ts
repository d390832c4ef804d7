import { describe, expect, it } from 'vitest';
import type { Finding } from '../../packages/validator/src/finding.js';
import { type OperatorPolicy, policyWith } from '../../packages/validator/src/policy/operator-policy.js';
import { exampleManifest } from '../../packages/validator/src/rules/example-manifest.js';
import { validate } from '../../packages/validator/src/validate.js';

/** Findings of one rule for a fragment merged into the example manifest. */
function findings(ruleId: string, fragment: string, policy: Partial<OperatorPolicy> = {}): Finding[] {
  return validate(exampleManifest(fragment), { policy: policyWith(policy) }).filter(
    (f) => f.ruleId === ruleId,
  );
}

function paths(ruleId: string, fragment: string, policy: Partial<OperatorPolicy> = {}): string[] {
  return findings(ruleId, fragment, policy).map((f) => f.path);
}

function named(name: string): string {
  return `metadata:\n  name: ${name}\n`;
}

function nameOf(length: number): string {
  return `acid-${'x'.repeat(length - 5)}`;
}

describe('cluster name', () => {
  it('allows 52 characters and refuses 53', () => {
    expect(paths('cluster/name-too-long', named(nameOf(52)))).toEqual([]);
    const [finding] = findings('cluster/name-too-long', named(nameOf(53)));
    expect(finding?.path).toBe('metadata.name');
    expect(finding?.message).toContain('53 characters, at most 52');
  });

  it('allows only 51 characters with a replica pooler', () => {
    const replica = 'spec:\n  enableReplicaConnectionPooler: true\n';
    expect(paths('cluster/name-too-long', `${named(nameOf(51))}${replica}`)).toEqual([]);
    const [finding] = findings('cluster/name-too-long', `${named(nameOf(52))}${replica}`);
    expect(finding?.message).toContain(`${nameOf(52)}-pooler-repl`);
    expect(finding?.message).toContain('at most 51');
  });

  it('adds the operator’s 58-character message only when the prefix check is on', () => {
    const long = named(nameOf(59));
    expect(findings('cluster/name-too-long', long)[0]?.message).not.toContain('cannot be longer than 58');
    expect(
      findings('cluster/name-too-long', long, { enableTeamIdClusternamePrefix: true })[0]?.message,
    ).toMatch(/^name cannot be longer than 58 characters/);
  });

  it('quotes the operator’s DNS-1035 regex for names with dots, upper case or a leading digit', () => {
    for (const name of ['acid.demo', 'Acid-demo', '1acid', 'acid-']) {
      const [finding] = findings('cluster/name-invalid', named(JSON.stringify(name)));
      expect(finding?.message, name).toContain(
        'name must confirm to DNS-1035, regex used for validation is "^[a-z]([-a-z0-9]*[a-z0-9])?$"',
      );
    }
    expect(paths('cluster/name-invalid', named('acid-demo-2'))).toEqual([]);
  });

  it('reports a missing name but not a generateName', () => {
    expect(paths('cluster/name-missing', 'metadata:\n  name: ""\n')).toEqual(['metadata.name']);
    expect(paths('cluster/name-missing', 'metadata:\n  name: ""\n  generateName: acid-demo-\n')).toEqual([]);
  });
});

describe('team prefix (enable_team_id_clustername_prefix)', () => {
  const on = { enableTeamIdClusternamePrefix: true };

  it('is silent when the operator does not check the prefix', () => {
    expect(paths('cluster/team-prefix', `${named('billing')}spec:\n  teamId: acid\n`)).toEqual([]);
  });

  it('uses the operator’s messages in its order', () => {
    const short = findings('cluster/team-prefix', `${named('acid-')}spec:\n  teamId: acid\n`, on);
    expect(short[0]?.message).toMatch(
      /^cluster name must match \{TEAM\}-\{NAME\} format\. Got cluster name 'acid-', team name 'acid'/,
    );
    const wrong = findings('cluster/team-prefix', `${named('billing-db')}spec:\n  teamId: acid\n`, on);
    expect(wrong[0]?.message).toMatch(/^name must match \{TEAM\}-\{NAME\} format —/);
    expect(wrong[0]?.hint).toContain('"acid-billing-db"');
  });

  it('compares the prefix case-insensitively, as the operator does', () => {
    expect(paths('cluster/team-prefix', `${named('acid-db')}spec:\n  teamId: ACID\n`, on)).toEqual([]);
    expect(paths('cluster/team-prefix', `${named('acidb')}spec:\n  teamId: acid\n`, on)).toEqual([
      'metadata.name',
    ]);
  });

  it('leaves an empty team to team/empty-id, with the operator’s words', () => {
    const fragment = `${named('acid-db')}spec:\n  teamId: ""\n`;
    expect(paths('cluster/team-prefix', fragment, on)).toEqual([]);
    expect(findings('team/empty-id', fragment, on)[0]?.message).toMatch(/^team name is empty/);
  });
});

describe('teamId', () => {
  it('accepts label values up to 63 characters', () => {
    expect(paths('team/invalid-label-value', `spec:\n  teamId: ${'a'.repeat(63)}\n`)).toEqual([]);
    expect(paths('team/invalid-label-value', `spec:\n  teamId: ${'a'.repeat(64)}\n`)).toEqual([
      'spec.teamId',
    ]);
  });

  it('refuses spaces, slashes and a non-alphanumeric end', () => {
    for (const team of ['"data platform"', 'data/platform', 'data-']) {
      expect(paths('team/invalid-label-value', `spec:\n  teamId: ${team}\n`), team).toEqual(['spec.teamId']);
    }
  });
});

describe('user names', () => {
  it('uses the operator’s message and points at the key', () => {
    const [finding] = findings('users/invalid-name', 'spec:\n  users:\n    Foo: []\n');
    expect(finding?.path).toBe('spec.users[Foo]');
    expect(finding?.message).toMatch(/^invalid username: "Foo"/);
    expect(paths('users/invalid-name', 'spec:\n  users:\n    billing.app-user_1: []\n')).toEqual([]);
  });

  it('counts bytes, not characters', () => {
    expect(paths('users/name-too-long', `spec:\n  users:\n    ${'é'.repeat(31)}: []\n`)).toEqual([]);
    expect(paths('users/name-too-long', `spec:\n  users:\n    ${'é'.repeat(32)}: []\n`)).toEqual([
      `spec.users[${'é'.repeat(32)}]`,
    ]);
    expect(paths('users/name-too-long', `spec:\n  users:\n    ${'a'.repeat(63)}: []\n`)).toEqual([]);
  });

  it('allows 57 bytes for users rotated with a new role, but not for in-place rotation only', () => {
    const rotated = (name: string, list = 'usersWithSecretRotation') =>
      `spec:\n  users:\n    ${name}: []\n  ${list}: [${name}]\n`;
    expect(paths('users/name-too-long', rotated('a'.repeat(57)))).toEqual([]);
    expect(paths('users/name-too-long', rotated('a'.repeat(58)))).toEqual([
      'spec.usersWithSecretRotation[0]',
    ]);
    expect(paths('users/name-too-long', rotated('a'.repeat(58), 'usersWithInPlaceSecretRotation'))).toEqual(
      [],
    );
  });

  it('applies the rotation limit to prepared-database users', () => {
    const db = 'd'.repeat(46); // d…_owner_user = 57 bytes, d…_reader_user = 58
    const fragment = `spec:\n  preparedDatabases:\n    ${db}:\n      defaultUsers: true\n  usersWithSecretRotation: [${db}_owner_user, ${db}_reader_user]\n`;
    expect(paths('users/name-too-long', fragment)).toEqual(['spec.usersWithSecretRotation[1]']);
  });

  it('skips protected and system names with the operator’s warning text', () => {
    const [admin] = findings('users/reserved-name', 'spec:\n  users:\n    admin: []\n');
    expect(admin?.message).toMatch(
      /^cannot initialize a new manifest robot role with the name of the protected user "admin"/,
    );
    expect(paths('users/reserved-name', 'spec:\n  users:\n    standby: []\n')).toEqual([
      'spec.users[standby]',
    ]);
    expect(
      paths('users/reserved-name', 'spec:\n  users:\n    cron_admin: []\n', { protectedRoleNames: [] }),
    ).toEqual([]);
  });

  it('treats the pooler user as a system user only while a pooler runs', () => {
    const user = 'spec:\n  users:\n    pooler: []\n';
    expect(paths('users/reserved-name', user)).toEqual([]);
    expect(paths('users/reserved-name', `${user}  enableConnectionPooler: true\n`)).toEqual([
      'spec.users[pooler]',
    ]);
    expect(paths('users/reserved-name', `${user}  connectionPooler: {}\n`)).toEqual(['spec.users[pooler]']);
    expect(
      paths('users/reserved-name', `${user}  connectionPooler: {}\n  enableConnectionPooler: false\n`),
    ).toEqual([]);
    expect(paths('users/reserved-name', `${user}  enableReplicaConnectionPooler: true\n`)).toEqual([
      'spec.users[pooler]',
    ]);
  });

  it('uses the manifest’s pooler user, unless the operator refuses it', () => {
    const custom =
      'spec:\n  users:\n    app_pool: []\n    pooler: []\n  connectionPooler:\n    user: app_pool\n';
    expect(paths('users/reserved-name', custom)).toEqual(['spec.users[app_pool]']);
    const refused = 'spec:\n  users:\n    pooler: []\n  connectionPooler:\n    user: postgres\n';
    expect(paths('users/reserved-name', refused)).toEqual(['spec.users[pooler]']);
  });

  it('treats fes_user as a system user only with streams', () => {
    const user = 'spec:\n  users:\n    fes_user: []\n';
    const stream =
      '  streams:\n    - applicationId: app\n      database: postgres\n      tables:\n        orders:\n          eventType: e\n';
    expect(paths('users/reserved-name', user)).toEqual([]);
    expect(paths('users/reserved-name', `${user}${stream}`)).toEqual(['spec.users[fes_user]']);
  });
});

describe('user flags', () => {
  it('finds a flag with its inverse in any letter case, in the operator’s order', () => {
    const [first] = findings(
      'users/conflicting-flags',
      'spec:\n  users:\n    app: [superuser, NOSUPERUSER]\n',
    );
    expect(first?.message).toBe(
      'invalid flags for user "app": conflicting user flags: "NOSUPERUSER" and "SUPERUSER"',
    );
    expect(first?.path).toBe('spec.users[app][1]');
    const [second] = findings('users/conflicting-flags', 'spec:\n  users:\n    app: [inherit, noinherit]\n');
    expect(second?.message).toContain('conflicting user flags: "NOINHERIT" and "INHERIT"');
    expect(paths('users/conflicting-flags', 'spec:\n  users:\n    app: [NOLOGIN, login]\n')).toEqual([
      'spec.users[app][1]',
    ]);
  });

  it('accepts the same flag twice in different cases', () => {
    expect(paths('users/conflicting-flags', 'spec:\n  users:\n    app: [login, LOGIN, createdb]\n')).toEqual(
      [],
    );
  });
});

describe('rotation lists', () => {
  it('warns about system users with a consequence per list', () => {
    const inPlace = findings(
      'users/rotation-system-user',
      'spec:\n  usersWithInPlaceSecretRotation: [standby]\n',
    );
    expect(inPlace[0]?.message).toContain('the replication user');
    expect(inPlace[0]?.message).toContain('rolling');
    const ignoring = findings(
      'users/rotation-system-user',
      'spec:\n  usersIgnoringSecretRotation: [postgres]\n',
    );
    expect(ignoring[0]?.message).toContain('no effect');
  });

  it('knows manifest users and prepared-database users, and ignores NOLOGIN roles', () => {
    const fragment =
      'spec:\n  users:\n    app: []\n    group_role: [nologin]\n  preparedDatabases:\n    shop:\n      defaultUsers: true\n  usersWithSecretRotation: [app, shop_owner_user, group_role, shop_reader, ghost]\n';
    const found = findings('users/rotation-unknown-user', fragment);
    expect(found.map((f) => f.path)).toEqual([
      'spec.usersWithSecretRotation[2]',
      'spec.usersWithSecretRotation[3]',
      'spec.usersWithSecretRotation[4]',
    ]);
    expect(found[0]?.message).toContain('NOLOGIN');
    expect(found[2]?.message).toContain('neither a manifest user nor a prepared-database user');
  });

  it('warns once about a user in both rotation modes', () => {
    const fragment =
      'spec:\n  users:\n    app: []\n    other: []\n  usersWithSecretRotation: [other, app]\n  usersWithInPlaceSecretRotation: [app]\n';
    expect(paths('users/rotation-both-modes', fragment)).toEqual(['spec.usersWithSecretRotation[1]']);
  });
});

describe('cross-namespace secrets', () => {
  it('warns about dotted user names only while the option is off', () => {
    const fragment = 'spec:\n  users:\n    billing.app: []\n    app: []\n';
    expect(paths('users/cross-namespace-secret-off', fragment)).toEqual(['spec.users[billing.app]']);
    expect(paths('users/cross-namespace-secret-off', fragment, { enableCrossNamespaceSecret: true })).toEqual(
      [],
    );
  });

  it('warns about secretNamespace only while the option is off', () => {
    const fragment = 'spec:\n  preparedDatabases:\n    shop:\n      secretNamespace: shop-app\n';
    expect(findings('databases/secret-namespace-ignored', fragment)[0]?.message).toMatch(
      /^secretNamespace ignored because enable_cross_namespace_secret set to false\. Creating secrets in cluster namespace/,
    );
    expect(
      paths('databases/secret-namespace-ignored', fragment, { enableCrossNamespaceSecret: true }),
    ).toEqual([]);
  });

  it('accepts the full dotted name as a database owner', () => {
    const fragment = 'spec:\n  users:\n    billing.app: []\n  databases:\n    billing: billing.app\n';
    expect(paths('databases/owner-unknown', fragment, { enableCrossNamespaceSecret: true })).toEqual([]);
  });
});

describe('databases', () => {
  it('accepts upper case and a leading underscore but not a dash', () => {
    const fragment = 'spec:\n  users:\n    app: []\n  databases:\n    _App1: app\n    app-2: app\n';
    expect(paths('databases/invalid-name', fragment)).toEqual(['spec.databases[app-2]']);
  });

  it('warns about system databases, which are re-owned', () => {
    const fragment = 'spec:\n  users:\n    app: []\n  databases:\n    template1: app\n    app: app\n';
    expect(paths('databases/system-database', fragment)).toEqual(['spec.databases[template1]']);
  });

  it('knows owners from users and from the roles prepared databases create', () => {
    const fragment =
      'spec:\n  users:\n    app: []\n  preparedDatabases:\n    shop: {}\n  databases:\n    a: app\n    b: shop_owner\n    c: shop_owner_user\n    d: shop_data_writer\n';
    expect(paths('databases/owner-unknown', fragment)).toEqual(['spec.databases[c]']);
  });

  it('knows the prepared database named after the cluster for `preparedDatabases: {}`', () => {
    const fragment = 'spec:\n  preparedDatabases: {}\n  databases:\n    reports: acid_demo_owner\n';
    expect(paths('databases/owner-unknown', fragment)).toEqual([]);
  });

  it('refuses system and protected owners, including the pooler user while a pooler runs', () => {
    const fragment =
      'spec:\n  enableConnectionPooler: true\n  databases:\n    a: pooler\n    b: admin\n    c: standby\n';
    expect(paths('databases/owner-reserved', fragment)).toEqual([
      'spec.databases[a]',
      'spec.databases[b]',
      'spec.databases[c]',
    ]);
    expect(paths('databases/owner-unknown', fragment)).toEqual([]);
  });

  it('refuses prepared database and schema names that are not plain lower-case identifiers', () => {
    const fragment =
      'spec:\n  preparedDatabases:\n    Shop: {}\n    _shop: {}\n    shop2:\n      schemas:\n        Data: {}\n        data_2: {}\n';
    expect(paths('databases/prepared-invalid-name', fragment)).toEqual([
      'spec.preparedDatabases[Shop]',
      'spec.preparedDatabases[_shop]',
      'spec.preparedDatabases[shop2].schemas[Data]',
    ]);
  });

  it('measures only the roles that will be created', () => {
    const noSchemaRoles = (db: string, users = false) =>
      `spec:\n  preparedDatabases:\n    ${db}:\n      defaultUsers: ${users}\n      schemas:\n        s:\n          defaultRoles: false\n          defaultUsers: true\n`;
    // <db>_writer: 56 + 7 = 63 bytes; 57 + 7 = 64.
    expect(paths('databases/role-name-too-long', noSchemaRoles('d'.repeat(56)))).toEqual([]);
    expect(paths('databases/role-name-too-long', noSchemaRoles('d'.repeat(57)))).toEqual([
      `spec.preparedDatabases[${'d'.repeat(57)}]`,
    ]);
    // <db>_reader_user: 51 + 12 = 63 bytes; 52 + 12 = 64.
    expect(paths('databases/role-name-too-long', noSchemaRoles('d'.repeat(51), true))).toEqual([]);
    expect(paths('databases/role-name-too-long', noSchemaRoles('d'.repeat(52), true))).toHaveLength(1);
  });

  it('measures the default data schema roles against the database', () => {
    // <db>_data_writer: 51 + 12 = 63 bytes; 52 + 12 = 64.
    expect(
      paths('databases/role-name-too-long', `spec:\n  preparedDatabases:\n    ${'d'.repeat(51)}: {}\n`),
    ).toEqual([]);
    expect(
      paths('databases/role-name-too-long', `spec:\n  preparedDatabases:\n    ${'d'.repeat(52)}: {}\n`),
    ).toEqual([`spec.preparedDatabases[${'d'.repeat(52)}]`]);
  });

  it('counts schema users only with the schema’s defaultUsers', () => {
    const schema = (users: boolean) =>
      `spec:\n  preparedDatabases:\n    shop:\n      schemas:\n        ${'s'.repeat(45)}:\n          defaultUsers: ${users}\n`;
    // shop_<45>_writer = 57 bytes; shop_<45>_writer_user = 62; with 50: 67.
    expect(paths('databases/role-name-too-long', schema(true))).toEqual([]);
    const long = `spec:\n  preparedDatabases:\n    shop:\n      schemas:\n        ${'s'.repeat(50)}:\n          defaultUsers: true\n`;
    expect(findings('databases/role-name-too-long', long)[0]?.path).toBe(
      `spec.preparedDatabases[shop].schemas[${'s'.repeat(50)}]`,
    );
  });

  it('warns about a database in both lists', () => {
    const fragment =
      'spec:\n  users:\n    app: []\n  databases:\n    shop: app\n    other: app\n  preparedDatabases:\n    shop: {}\n';
    expect(paths('databases/declared-twice', fragment)).toEqual(['spec.databases[shop]']);
  });

  it('knows which schemas exist for extensions', () => {
    const defaults =
      'spec:\n  preparedDatabases:\n    shop:\n      extensions:\n        a: data\n        b: public\n        c: sales\n';
    expect(paths('databases/extension-schema-missing', defaults)).toEqual([
      'spec.preparedDatabases[shop].extensions[c]',
    ]);
    const explicit =
      'spec:\n  preparedDatabases:\n    shop:\n      schemas:\n        sales: {}\n      extensions:\n        a: data\n        c: sales\n';
    expect(paths('databases/extension-schema-missing', explicit)).toEqual([
      'spec.preparedDatabases[shop].extensions[a]',
    ]);
  });
});

describe('connection pooler', () => {
  it('refuses user and schema names the lookup SQL cannot use unquoted', () => {
    const fragment = 'spec:\n  connectionPooler:\n    user: _pool_1\n    schema: Pooler\n';
    expect(paths('pooler/invalid-identifier', fragment)).toEqual(['spec.connectionPooler.schema']);
  });

  it('refuses the superuser, the replication user and protected roles as pooler user', () => {
    for (const user of ['postgres', 'standby', 'admin']) {
      expect(paths('pooler/reserved-user', `spec:\n  connectionPooler:\n    user: ${user}\n`), user).toEqual([
        'spec.connectionPooler.user',
      ]);
    }
    expect(paths('pooler/reserved-user', 'spec:\n  connectionPooler:\n    user: app_pooler\n')).toEqual([]);
  });

  it('warns below 4 connections per pooler pod', () => {
    const sized = (max: number) =>
      `spec:\n  connectionPooler:\n    numberOfInstances: 3\n    maxDBConnections: ${max}\n`;
    expect(paths('pooler/pool-too-small', sized(12))).toEqual([]);
    const [finding] = findings('pooler/pool-too-small', sized(11));
    expect(finding?.path).toBe('spec.connectionPooler.maxDBConnections');
    expect(finding?.message).toContain('MAX_DB_CONN=3, DEFAULT_SIZE=1, MIN_SIZE=RESERVE_SIZE=0');
  });

  it('uses the operator defaults and stays silent while no pooler runs', () => {
    expect(paths('pooler/pool-too-small', 'spec:\n  enableConnectionPooler: true\n')).toEqual([]);
    expect(
      paths('pooler/pool-too-small', 'spec:\n  enableConnectionPooler: true\n', {
        connectionPoolerMaxDbConnections: 7,
      }),
    ).toEqual(['spec.enableConnectionPooler']);
    expect(
      paths(
        'pooler/pool-too-small',
        'spec:\n  connectionPooler:\n    maxDBConnections: 1\n  enableConnectionPooler: false\n',
      ),
    ).toEqual([]);
  });
});

describe('streams', () => {
  const stream = (applicationId: string, database: string, table = 'data.orders') =>
    `spec:\n  streams:\n    - applicationId: ${applicationId}\n      database: ${database}\n      tables:\n        ${table}:\n          eventType: e\n`;

  it('builds the slot name fes_<database>_<applicationId with - → _> and limits it to 63 bytes', () => {
    expect(paths('streams/invalid-slot-name', stream('order-service', 'postgres'))).toEqual([]);
    // fes_ + 29 + _ + 29 = 63 bytes; one more is 64.
    expect(paths('streams/invalid-slot-name', stream('a'.repeat(29), 'd'.repeat(29)))).toEqual([]);
    const [finding] = findings('streams/invalid-slot-name', stream('a'.repeat(30), 'd'.repeat(29)));
    expect(finding?.message).toContain(`"fes_${'d'.repeat(29)}_${'a'.repeat(30)}" is 64 bytes`);
  });

  it('points at the part with characters a slot name cannot have', () => {
    expect(paths('streams/invalid-slot-name', stream('app', 'Shop'))).toEqual(['spec.streams[0].database']);
    expect(paths('streams/invalid-slot-name', stream('app.v2', 'shop'))).toEqual([
      'spec.streams[0].applicationId',
    ]);
  });

  it('accepts table and schema.table, refuses upper case and a second dot', () => {
    expect(paths('streams/invalid-table-name', stream('app', 'postgres', 'orders'))).toEqual([]);
    const [extraDot] = findings('streams/invalid-table-name', stream('app', 'postgres', 'a.b.c'));
    expect(extraDot?.message).toContain('keeps only "a.b"');
    expect(paths('streams/invalid-table-name', stream('app', 'postgres', 'public.Orders'))).toHaveLength(1);
  });

  it('knows postgres and the databases the manifest creates', () => {
    expect(paths('streams/unknown-database', stream('app', 'postgres'))).toEqual([]);
    const [finding] = findings('streams/unknown-database', stream('app', 'shop'));
    expect(finding?.path).toBe('spec.streams[0].database');
    const prepared = `${stream('app', 'shop')}  preparedDatabases:\n    shop: {}\n`;
    expect(paths('streams/unknown-database', prepared)).toEqual([]);
  });
});

describe('watched namespace', () => {
  const inNamespace = (namespace: string) => `metadata:\n  namespace: ${namespace}\n`;

  it('does not guess the operator’s own namespace', () => {
    expect(paths('scope/unwatched-namespace', inNamespace('default'), { watchedNamespace: '' })).toEqual([]);
  });

  it('means the operator’s namespace when empty and known', () => {
    const policy = { watchedNamespace: '', operatorNamespace: 'postgres-operator' };
    expect(paths('scope/unwatched-namespace', inNamespace('default'), policy)).toEqual([
      'metadata.namespace',
    ]);
    expect(paths('scope/unwatched-namespace', inNamespace('postgres-operator'), policy)).toEqual([]);
  });

  it('accepts every namespace with *', () => {
    expect(paths('scope/unwatched-namespace', inNamespace('anything'), { watchedNamespace: '*' })).toEqual(
      [],
    );
  });

  it('reads a comma list with spaces', () => {
    const policy = { watchedNamespace: 'team-a, default' };
    expect(paths('scope/unwatched-namespace', inNamespace('default'), policy)).toEqual([]);
    const [finding] = findings('scope/unwatched-namespace', inNamespace('team-b'), policy);
    expect(finding?.message).toContain('namespaces "team-a", "default"');
  });

  it('is silent when the manifest names no namespace', () => {
    const manifest = exampleManifest('');
    delete (manifest.metadata as Record<string, unknown>).namespace;
    const found = validate(manifest, { policy: policyWith({ watchedNamespace: 'databases' }) });
    expect(found.filter((f) => f.ruleId === 'scope/unwatched-namespace')).toEqual([]);
  });
});

describe('controller annotation', () => {
  const annotated = (value: string) =>
    `metadata:\n  annotations:\n    acid.zalan.do/controller: ${JSON.stringify(value)}\n`;
  const annotationPath = 'metadata.annotations[acid.zalan.do/controller]';

  it('warns about any id when the operator runs without one, except an empty value', () => {
    expect(paths('scope/controller-id', annotated('blue'))).toEqual([annotationPath]);
    expect(paths('scope/controller-id', annotated(''))).toEqual([]);
    expect(paths('scope/controller-id', '')).toEqual([]);
  });

  it('accepts only known ids when operators run with ids', () => {
    const policy = { controllerIds: ['blue', 'green'] };
    expect(paths('scope/controller-id', annotated('green'), policy)).toEqual([]);
    expect(paths('scope/controller-id', annotated('red'), policy)).toEqual([annotationPath]);
    expect(paths('scope/controller-id', '', policy)).toEqual(['metadata']);
  });
});
