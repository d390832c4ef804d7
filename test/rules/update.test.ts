import { describe, expect, it } from 'vitest';
import type { Postgresql } from '../../packages/validator/src/generated/postgresql.types.js';
import { type OperatorPolicy, policyWith } from '../../packages/validator/src/policy/operator-policy.js';
import { CHECK_RULES } from '../../packages/validator/src/rules/catalogue.js';
import { exampleManifest } from '../../packages/validator/src/rules/example-manifest.js';
import type { Problem, Rule } from '../../packages/validator/src/rules/rule.js';
import type { Loose, Operation, RuleContext } from '../../packages/validator/src/rules/rule-context.js';
import { UPDATE_RULES } from '../../packages/validator/src/rules/update.js';
import { builtinSchema } from '../../packages/validator/src/schema/compiled-schema.js';
import { pruneNulls } from '../../packages/validator/src/schema/prune-nulls.js';
import { validate } from '../../packages/validator/src/validate.js';

interface Run {
  /** The previous version, a fragment merged into the example manifest; absent = no old object. */
  old?: string;
  operation?: Operation;
  policy?: Partial<OperatorPolicy>;
}

function loose(fragment: string): Loose<Postgresql> {
  return pruneNulls(exampleManifest(fragment), builtinSchema().navigator).value as Loose<Postgresql>;
}

/** A rule context built the way validate.ts builds it (the examples here are schema-valid). */
function contextFor(fragment: string, run: Run): RuleContext {
  const context: RuleContext = {
    object: loose(fragment),
    operation: run.operation ?? (run.old === undefined ? 'CREATE' : 'UPDATE'),
    schema: builtinSchema(),
    policy: policyWith(run.policy ?? {}),
    now: new Date('2026-03-01T12:00:00Z'),
  };
  if (run.old !== undefined) context.old = loose(run.old);
  return context;
}

function ruleById(id: string): Rule {
  const rule = UPDATE_RULES.find((r) => r.id === id);
  if (rule === undefined) throw new Error(`no rule ${id}`);
  return rule;
}

function problems(id: string, fragment: string, run: Run): Problem[] {
  return [...ruleById(id).check(contextFor(fragment, run))];
}

function paths(id: string, fragment: string, run: Run): string[] {
  return problems(id, fragment, run).map((p) => p.path);
}

/** Every update rule's findings (by id) for a change. */
function firing(fragment: string, run: Run): string[] {
  const context = contextFor(fragment, run);
  return UPDATE_RULES.filter((rule) => [...rule.check(context)].length > 0).map((rule) => rule.id);
}

const size = (value: string): string => `spec:\n  volume:\n    size: ${value}\n`;
const version = (value: string): string => `spec:\n  postgresql:\n    version: "${value}"\n`;
const users = (body: string): string => `spec:\n  users:\n${body}`;

describe('update rule metadata and examples', () => {
  it('are all in the update family with an exampleOld', () => {
    expect(UPDATE_RULES.length).toBe(13);
    for (const rule of UPDATE_RULES) {
      expect(rule.id).toMatch(/^update\/[a-z][a-z0-9-]*$/);
      expect(rule.exampleOld, rule.id).toBeDefined();
    }
  });

  describe.each(UPDATE_RULES.map((rule) => [rule.id, rule] as const))('%s', (_id, rule) => {
    const run: Run = { old: rule.exampleOld ?? '', policy: rule.examplePolicy ?? {} };
    it('fires on its bad example against exampleOld, with a hint', () => {
      const found = [...rule.check(contextFor(rule.bad, run))];
      expect(found.length).toBeGreaterThan(0);
      for (const problem of found) expect(problem.hint, rule.id).toBeTruthy();
    });
    it('stays silent on its good example', () => {
      expect([...rule.check(contextFor(rule.good, run))]).toEqual([]);
    });
    it('stays silent on its bad example as a CREATE, and on an UPDATE without old', () => {
      expect([...rule.check(contextFor(rule.bad, { policy: run.policy }))]).toEqual([]);
      expect([...rule.check(contextFor(rule.bad, { ...run, operation: 'CREATE' }))]).toEqual([]);
      expect([...rule.check(contextFor(rule.bad, { policy: run.policy, operation: 'UPDATE' }))]).toEqual([]);
    });
    // Runs once the lead registers UPDATE_RULES in catalogue.ts.
    it.skipIf(!CHECK_RULES.includes(rule))('is reported by validate() once registered', () => {
      const found = validate(exampleManifest(rule.bad), {
        operation: 'UPDATE',
        old: exampleManifest(run.old ?? ''),
        policy: policyWith(run.policy),
      });
      expect(found.map((f) => f.ruleId)).toContain(rule.id);
    });
  });
});

describe('unchanged spec', () => {
  const old = exampleManifest('spec:\n  users:\n    app_user: [superuser]\n  volume:\n    size: 10Gi\n');
  const written = {
    ...structuredClone(old),
    metadata: {
      ...(old.metadata as object),
      finalizers: ['postgres-operator.acid.zalan.do'],
      annotations: { 'last-major-upgrade-success': '2026-03-01T02:00:00Z' },
    },
    status: { PostgresClusterStatus: 'Running' },
  };

  it('gets no finding from validate()', () => {
    expect(validate(written, { operation: 'UPDATE', old })).toEqual([]);
  });

  it('gets no finding from any update rule', () => {
    const context: RuleContext = { ...contextFor('', {}), operation: 'UPDATE' };
    context.object = pruneNulls(written, builtinSchema().navigator).value as Loose<Postgresql>;
    context.old = pruneNulls(old, builtinSchema().navigator).value as Loose<Postgresql>;
    expect(UPDATE_RULES.flatMap((rule) => [...rule.check(context)])).toEqual([]);
  });
});

describe('volume size', () => {
  it('treats 1Gi → 1024Mi as equal', () => {
    expect(firing(size('1024Mi'), { old: size('1Gi') })).toEqual([]);
  });

  it('warns that 1.5Gi → 1.9Gi resizes nothing and asks for the next whole GiB', () => {
    const [growth] = problems('update/volume-sub-gib-growth', size('1.9Gi'), { old: size('1.5Gi') });
    expect(growth?.path).toBe('spec.volume.size');
    expect(growth?.message).toContain('whole GiB');
    expect(growth?.message).toContain('both are 1 GiB');
    expect(growth?.hint).toContain('2Gi');
    expect(firing(size('1.9Gi'), { old: size('1.5Gi') })).toEqual(['update/volume-sub-gib-growth']);
  });

  it('warns about growth below 1Gi (both count as 0 GiB)', () => {
    const [growth] = problems('update/volume-sub-gib-growth', size('900Mi'), { old: size('500Mi') });
    expect(growth?.message).toContain('both are 0 GiB');
    expect(growth?.hint).toContain('1Gi');
  });

  it('is silent on growth that crosses a whole GiB', () => {
    expect(firing(size('2Gi'), { old: size('1.5Gi') })).toEqual([]);
    expect(firing(size('20Gi'), { old: size('10Gi') })).toEqual([]);
  });

  it('refuses 2Gi → 2000Mi with the operator’s message (2 GiB → 1 GiB)', () => {
    const [shrink] = problems('update/volume-shrink', size('2000Mi'), { old: size('2Gi') });
    expect(shrink?.path).toBe('spec.volume.size');
    expect(shrink?.message).toContain('cannot shrink persistent volume');
    expect(shrink?.hint).toContain('size: 2Gi');
  });

  it('refuses 10Gi → 10G: 10G is less than 10Gi', () => {
    const [shrink] = problems('update/volume-shrink', size('10G'), { old: size('10Gi') });
    expect(shrink?.message).toContain('10Gi → 10G');
    expect(shrink?.message).toContain('cannot shrink persistent volume');
    expect(firing(size('10G'), { old: size('10Gi') })).toEqual(['update/volume-shrink']);
  });

  it('refuses a decrease within the same whole GiB, saying the operator ignores it', () => {
    const [shrink] = problems('update/volume-shrink', size('1.5Gi'), { old: size('1.9Gi') });
    expect(shrink?.message).toContain('whole GiB (1 → 1)');
    expect(shrink?.message).not.toContain('cannot shrink persistent volume —');
  });

  it('ignores sizes Kubernetes cannot read (the size rule reports them)', () => {
    expect(firing(size('500K'), { old: size('10Gi') })).toEqual([]);
  });
});

describe('postgresql version', () => {
  it('refuses 17 → 16', () => {
    const [downgrade] = problems('update/version-downgrade', version('16'), { old: version('17') });
    expect(downgrade?.path).toBe('spec.postgresql.version');
    expect(downgrade?.message).toContain('postgresql major version unchanged or smaller, no changes needed');
    expect(downgrade?.hint).toContain('version "17"');
    expect(firing(version('16'), { old: version('17') })).toEqual(['update/version-downgrade']);
  });

  it('accepts 16 → 17 under the default mode manual', () => {
    expect(
      firing(version('17'), { old: version('16'), policy: { majorVersionUpgradeMode: 'manual' } }),
    ).toEqual([]);
    expect(firing(version('17'), { old: version('16') })).toEqual([]);
  });

  it('warns about 16 → 17 under mode off when the team is not allow-listed', () => {
    const off = { majorVersionUpgradeMode: 'off' } as const;
    const [upgrade] = problems('update/version-upgrade-off', version('17'), {
      old: version('16'),
      policy: off,
    });
    expect(upgrade?.path).toBe('spec.postgresql.version');
    expect(upgrade?.message).toContain('major_version_upgrade_team_allow_list');
    expect(upgrade?.message).toContain('team "acid"');
    expect(upgrade?.hint).toContain('version "16"');
    const otherTeam = { ...off, majorVersionUpgradeTeamAllowList: ['billing'] };
    expect(
      paths('update/version-upgrade-off', version('17'), { old: version('16'), policy: otherTeam }),
    ).toEqual(['spec.postgresql.version']);
  });

  it('accepts 16 → 17 under mode off when the team is allow-listed', () => {
    const policy: Partial<OperatorPolicy> = {
      majorVersionUpgradeMode: 'off',
      majorVersionUpgradeTeamAllowList: ['acid'],
    };
    expect(firing(version('17'), { old: version('16'), policy })).toEqual([]);
  });

  it('leaves a standby’s version raise to version/standby-upgrade', () => {
    const standby = 'spec:\n  numberOfInstances: 1\n  standby:\n    s3_wal_path: s3://b/wal/16\n';
    const policy = { majorVersionUpgradeMode: 'off' } as const;
    expect(
      paths('update/version-upgrade-off', `${standby}  postgresql:\n    version: "17"\n`, {
        old: `${standby}  postgresql:\n    version: "16"\n`,
        policy,
      }),
    ).toEqual([]);
  });

  it('says that a version change waits for the next maintenance window', () => {
    const windowed = (value: string): string =>
      `spec:\n  maintenanceWindows: ["Sat:01:00-03:00"]\n  postgresql:\n    version: "${value}"\n`;
    const [own] = problems('update/version-downgrade', windowed('16'), { old: windowed('17') });
    expect(own?.message).toContain('not before the next maintenance window');
    expect(own?.message).toContain('spec.maintenanceWindows: Sat:01:00-03:00');

    const [global] = problems('update/version-upgrade-off', version('17'), {
      old: version('16'),
      policy: { majorVersionUpgradeMode: 'off', maintenanceWindows: ['Sun:02:00-04:00'] },
    });
    expect(global?.message).toContain("the operator's maintenance_windows: Sun:02:00-04:00");

    const [none] = problems('update/version-downgrade', version('16'), { old: version('17') });
    expect(none?.message).not.toContain('maintenance window');
    const [disabled] = problems('update/version-downgrade', windowed('16'), {
      old: windowed('17'),
      policy: { enableMaintenanceWindows: false },
    });
    expect(disabled?.message).not.toContain('maintenance window');
  });

  it('ignores a new version the CRD rejects (the schema reports it)', () => {
    expect(firing(version('13'), { old: version('17') })).toEqual([]);
  });
});

describe('users and flags', () => {
  it('warns that [superuser] → [] keeps SUPERUSER, and says to write nosuperuser', () => {
    const [flag] = problems('update/flag-removed', users('    app_user: []\n'), {
      old: users('    app_user: [superuser]\n'),
    });
    expect(flag?.path).toBe('spec.users[app_user]');
    expect(flag?.message).toContain('SUPERUSER');
    expect(flag?.message).toContain('never revokes');
    expect(flag?.hint).toContain('write nosuperuser to revoke');
    expect(flag?.hint).toContain('app_user: [nosuperuser]');
  });

  it('is silent when the flag is revoked, kept in another case or only LOGIN is implicit', () => {
    const old = { old: users('    app_user: [superuser, login]\n') };
    expect(paths('update/flag-removed', users('    app_user: [nosuperuser]\n'), old)).toEqual([]);
    expect(paths('update/flag-removed', users('    app_user: [SUPERUSER]\n'), old)).toEqual([]);
    expect(
      paths('update/flag-removed', users('    app_user: []\n'), {
        old: users('    app_user: [nosuperuser]\n'),
      }),
    ).toEqual([]);
  });

  it('names only the flags that were removed and keeps the others in the suggested list', () => {
    const [flag] = problems('update/flag-removed', users('    app_user: [createdb]\n'), {
      old: users('    app_user: [superuser, createdb]\n'),
    });
    expect(flag?.message).toContain('no longer lists SUPERUSER,');
    expect(flag?.message).not.toContain('CREATEDB');
    expect(flag?.hint).toContain('app_user: [createdb, nosuperuser]');
  });

  it('warns that nologin does not revoke LOGIN from an existing role', () => {
    const [flag] = problems('update/flag-removed', users('    app_user: [nologin]\n'), {
      old: users('    app_user: []\n'),
    });
    expect(flag?.message).toContain('LOGIN');
    expect(flag?.hint).toContain('ALTER ROLE "app_user" NOLOGIN');
    expect(flag?.hint).not.toContain('write ');
  });

  it('warns about a removed user at the path where it was', () => {
    const [removed] = problems('update/user-removed', users('    app_user: []\n'), {
      old: users('    app_user: []\n    report_user: []\n'),
    });
    expect(removed?.path).toBe('spec.users[report_user]');
    expect(removed?.message).toContain('never drops a role');
    expect(removed?.hint).toContain('report_user: [nologin]');
    expect(paths('update/user-removed', '', { old: users('    app_user: []\n') })).toEqual([
      'spec.users[app_user]',
    ]);
  });

  it('is silent when a user is added', () => {
    expect(
      firing(users('    app_user: []\n    new_user: []\n'), { old: users('    app_user: []\n') }),
    ).toEqual([]);
  });
});

describe('databases', () => {
  const owner = 'spec:\n  users:\n    app_user: []\n';

  it('warns about a removed database and a removed prepared database', () => {
    const [removed] = problems('update/database-removed', `${owner}  databases:\n    app: app_user\n`, {
      old: `${owner}  databases:\n    app: app_user\n    reports: app_user\n`,
    });
    expect(removed?.path).toBe('spec.databases[reports]');
    expect(removed?.message).toContain('never drops a database');
    expect(removed?.hint).toContain('DROP DATABASE "reports"');
    expect(
      paths('update/database-removed', 'spec:\n  preparedDatabases:\n    shop: {}\n', {
        old: 'spec:\n  preparedDatabases:\n    shop: {}\n    legacy: {}\n',
      }),
    ).toEqual(['spec.preparedDatabases[legacy]']);
  });
});

describe('bootstrap-only sections', () => {
  const clone = (timestamp: string): string =>
    `spec:\n  clone:\n    cluster: acid-source\n    uid: 0b3e1b8a-3c3a-4b57-9e0e-4b7f1f2a3c4d\n    timestamp: "${timestamp}"\n`;

  it('warns about a changed or removed clone section', () => {
    const old = { old: clone('2026-02-01T10:00:00+00:00') };
    expect(paths('update/bootstrap-only-changed', clone('2026-02-02T10:00:00+00:00'), old)).toEqual([
      'spec.clone',
    ]);
    expect(paths('update/bootstrap-only-changed', '', old)).toEqual(['spec.clone']);
    expect(paths('update/bootstrap-only-changed', clone('2026-02-01T10:00:00+00:00'), old)).toEqual([]);
  });

  it('warns about changed initdb options, not about an empty map', () => {
    const initdb = (body: string): string => `spec:\n  patroni:\n    initdb:${body}`;
    const [changed] = problems('update/bootstrap-only-changed', initdb('\n      encoding: UTF8\n'), {
      old: initdb('\n      encoding: SQL_ASCII\n'),
    });
    expect(changed?.path).toBe('spec.patroni.initdb');
    expect(changed?.message).toContain('rolls every pod');
    expect(paths('update/bootstrap-only-changed', initdb(' {}\n'), { old: '' })).toEqual([]);
  });
});

describe('standby', () => {
  const standby = 'spec:\n  numberOfInstances: 1\n  standby:\n    s3_wal_path: s3://backups/wal/17\n';
  const plain = 'spec:\n  numberOfInstances: 1\n';

  it('warns when standby is added to a running cluster', () => {
    expect(paths('update/standby-added', standby, { old: plain })).toEqual(['spec.standby']);
    expect(paths('update/standby-removed', standby, { old: plain })).toEqual([]);
  });

  it('warns that removing standby promotes the cluster', () => {
    const [promoted] = problems('update/standby-removed', plain, { old: standby });
    expect(promoted?.path).toBe('spec.standby');
    expect(promoted?.message).toContain('promotes');
    expect(paths('update/standby-added', plain, { old: standby })).toEqual([]);
  });

  it('recognises a standby made through STANDBY_WALE_S3_PREFIX in env', () => {
    const viaEnv = `${plain}  env:\n    - name: STANDBY_WALE_S3_PREFIX\n      value: s3://backups/wal\n`;
    expect(paths('update/standby-added', viaEnv, { old: plain })).toEqual(['spec.env']);
    expect(paths('update/standby-removed', plain, { old: viaEnv })).toEqual(['spec.env']);
    expect(paths('update/standby-added', standby, { old: viaEnv })).toEqual([]);
  });

  it('is silent when the standby source changes', () => {
    const other = 'spec:\n  numberOfInstances: 1\n  standby:\n    standby_host: acid-source.prod.svc\n';
    expect(firing(other, { old: standby })).toEqual([]);
  });
});

describe('volume claim template and mount', () => {
  const volume = (body: string): string => `spec:\n  volume:\n${body}`;

  it('warns about a changed storageClass, treating "" as unset', () => {
    const [changed] = problems('update/storage-class-changed', volume('    storageClass: gp3\n'), {
      old: volume('    storageClass: gp2\n'),
    });
    expect(changed?.path).toBe('spec.volume.storageClass');
    expect(changed?.message).toContain('keep "gp2"');
    expect(changed?.hint).toContain('storageClass: gp2');
    expect(paths('update/storage-class-changed', volume('    storageClass: ""\n'), { old: '' })).toEqual([]);
    expect(paths('update/storage-class-changed', volume('    storageClass: gp3\n'), { old: '' })).toEqual([
      'spec.volume.storageClass',
    ]);
  });

  it('warns about a changed selector, treating an empty one as none', () => {
    const selector = (labels: string): string => volume(`    selector:\n      matchLabels: ${labels}\n`);
    expect(
      paths('update/selector-changed', selector('{tier: bulk}'), { old: selector('{tier: fast}') }),
    ).toEqual(['spec.volume.selector']);
    expect(paths('update/selector-changed', '', { old: selector('{tier: fast}') })).toEqual([
      'spec.volume.selector',
    ]);
    expect(paths('update/selector-changed', selector('{}'), { old: '' })).toEqual([]);
  });

  it('refuses a changed or removed subPath', () => {
    const [changed] = problems('update/subpath-changed', volume('    subPath: data\n'), {
      old: volume('    subPath: pgdata\n'),
    });
    expect(changed?.path).toBe('spec.volume.subPath');
    expect(changed?.hint).toBe('write subPath: "pgdata" again');
    expect(paths('update/subpath-changed', '', { old: volume('    subPath: pgdata\n') })).toEqual([
      'spec.volume.subPath',
    ]);
    expect(problems('update/subpath-changed', volume('    subPath: pgdata\n'), { old: '' })[0]?.hint).toBe(
      'remove subPath again',
    );
  });

  it('refuses a toggled isSubPathExpr only when subPath holds $(VAR)', () => {
    const expr = (on: boolean, path: string): string =>
      volume(`    subPath: "${path}"\n    isSubPathExpr: ${on}\n`);
    expect(
      paths('update/subpath-changed', expr(false, '$(POD_NAME)'), { old: expr(true, '$(POD_NAME)') }),
    ).toEqual(['spec.volume.isSubPathExpr']);
    expect(paths('update/subpath-changed', expr(false, 'pgdata'), { old: expr(true, 'pgdata') })).toEqual([]);
  });
});
