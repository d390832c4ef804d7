import { describe, expect, it } from 'vitest';
import { type OperatorPolicy, policyWith } from '../../packages/validator/src/policy/operator-policy.js';
import { PolicyError } from '../../packages/validator/src/policy/policy-error.js';
import {
  buildTeamDirectory,
  type ClusterTeamRoles,
  describePass,
  describeRole,
  type TeamDirectory,
  type TeamDirectoryOptions,
  teamDirectoryFrom,
} from '../../packages/validator/src/policy/team-directory.js';
import {
  postgresTeamFromObject,
  postgresTeamsInText,
  readTeamsFile,
} from '../../packages/validator/src/policy/teams-file.js';

/** A PostgresTeam manifest. */
function pgTeam(name: string, spec: string): string {
  return `apiVersion: acid.zalan.do/v1\nkind: PostgresTeam\nmetadata:\n  name: ${name}\nspec:\n${spec
    .trim()
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')}\n`;
}

const CRD_ON = { enablePostgresTeamCrd: true, enableTeamsApi: false };

function directory(
  texts: string[],
  overrides: Partial<OperatorPolicy> = CRD_ON,
  options: TeamDirectoryOptions = {},
): TeamDirectory {
  const files = texts.map((text, i) => ({ text, source: `teams-${i}.yaml` }));
  return teamDirectoryFrom(files, policyWith(overrides), options).directory;
}

/** login → flags, for compact assertions. */
function roles(result: ClusterTeamRoles): Record<string, string> {
  return Object.fromEntries(result.members.map((m) => [m.login, describeRole(m)]));
}

/** The PolicyError a call throws (fails the test when it does not throw one). */
function policyError(run: () => unknown): PolicyError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return error as PolicyError;
  }
  throw new Error('expected a PolicyError, nothing was thrown');
}

describe('PostgresTeam merge', () => {
  it('merges several PostgresTeam objects key by key into one membership per team', () => {
    const teams = directory([
      pgTeam('one', 'additionalMembers:\n  acid: [jdoe]\nadditionalTeams:\n  acid: [data]'),
      `${pgTeam('two', 'additionalMembers:\n  acid: [alice, jdoe]\n  data: [bob]')}---\n${pgTeam('three', 'additionalTeams:\n  acid: [ml]\nadditionalMembers:\n  ml: [carol]')}`,
    ]);
    const result = teams.membersOf('acid');
    expect(roles(result)).toEqual({
      alice: 'LOGIN, member of "zalandos" and "admin"',
      bob: 'LOGIN, member of "zalandos" and "admin"',
      carol: 'LOGIN, member of "zalandos" and "admin"',
      jdoe: 'LOGIN, member of "zalandos" and "admin"',
    });
    expect(result.additionalTeams.map((pass) => pass.team)).toEqual(['data', 'ml']);
    const jdoe = result.members.find((m) => m.login === 'jdoe');
    expect(jdoe?.kept.kind).toBe('owning');
    expect(jdoe?.kept.from).toEqual([
      'PostgresTeam "one" (teams-0.yaml)',
      'PostgresTeam "two" (teams-1.yaml)',
    ]);
    expect(teams.sources).toHaveLength(3);
  });

  it('resolves additionalTeams transitively and stops at a cycle A → B → A', () => {
    const teams = directory([
      pgTeam(
        'cycle',
        'additionalTeams:\n  a: [b]\n  b: [a, c]\nadditionalMembers:\n  a: [anna]\n  b: [ben]\n  c: [cleo]',
      ),
    ]);
    const fromA = teams.membersOf('a');
    expect(fromA.additionalTeams.map((pass) => pass.team)).toEqual(['b', 'c']);
    expect(fromA.additionalTeams.map((pass) => pass.chain)).toEqual([
      ['a', 'b'],
      ['a', 'b', 'c'],
    ]);
    expect(Object.keys(roles(fromA))).toEqual(['anna', 'ben', 'cleo']);
    expect(fromA.members.find((m) => m.login === 'anna')?.routes.map((r) => r.kind)).toEqual(['owning']);
    expect(describePass(fromA.additionalTeams[1] as (typeof fromA.additionalTeams)[number])).toBe(
      'additional team "c" (a → b → c)',
    );
    const fromB = teams.membersOf('b');
    expect(fromB.additionalTeams.map((pass) => pass.team)).toEqual(['a', 'c']);
  });

  it('keeps a team that lists itself, as the operator does', () => {
    const teams = directory([
      pgTeam('self', 'additionalTeams:\n  acid: [acid]\nadditionalMembers:\n  acid: [jdoe]'),
    ]);
    const result = teams.membersOf('acid');
    expect(result.additionalTeams.map((pass) => pass.team)).toEqual(['acid']);
    expect(result.members[0]?.routes.map((r) => r.kind)).toEqual(['additional', 'owning']);
  });

  it('matches team ids case-sensitively', () => {
    const teams = directory([pgTeam('case', 'additionalMembers:\n  acid: [jdoe]\n  ACID: [shouty]')]);
    expect(Object.keys(roles(teams.membersOf('acid')))).toEqual(['jdoe']);
    expect(Object.keys(roles(teams.membersOf('ACID')))).toEqual(['shouty']);
    expect(teams.membersOf('Acid').members).toEqual([]);
    expect(teams.knows('Acid')).toBe(false);
    expect(teams.teamIds()).toEqual(['ACID', 'acid']);
  });

  it('knows teams named only as additional teams, and is empty without data', () => {
    const teams = directory([pgTeam('ref', 'additionalTeams:\n  acid: [data]')]);
    expect(teams.knows('data')).toBe(true);
    expect(teams.isEmpty).toBe(false);
    expect(directory([]).isEmpty).toBe(true);
    expect(directory(['teams: {}\n'], { enableTeamsApi: true }).isEmpty).toBe(true);
  });
});

describe('superuser teams', () => {
  const spec = pgTeam(
    'su',
    'additionalSuperuserTeams:\n  acid: [dba]\n  dba: [sre]\nadditionalMembers:\n  acid: [jdoe]\n  dba: [alice]\n  sre: [sam]',
  );

  it('ignores additionalSuperuserTeams without enable_postgres_team_crd_superusers', () => {
    const result = directory([spec]).membersOf('acid');
    expect(roles(result)).toEqual({ jdoe: 'LOGIN, member of "zalandos" and "admin"' });
    expect(result.superuserTeams).toEqual([]);
    expect(result.ignoredSuperuserTeams.map((pass) => pass.team)).toEqual(['dba', 'sre']);
    expect(result.ignoredSuperuserTeams[0]?.listedIn).toEqual(['PostgresTeam "su" (teams-0.yaml)']);
  });

  it('makes their members (transitively) superusers with enable_postgres_team_crd_superusers', () => {
    const result = directory([spec], { ...CRD_ON, enablePostgresTeamCrdSuperusers: true }).membersOf('acid');
    expect(roles(result)).toEqual({
      alice: 'LOGIN SUPERUSER, member of "zalandos"',
      jdoe: 'LOGIN, member of "zalandos" and "admin"',
      sam: 'LOGIN SUPERUSER, member of "zalandos"',
    });
    expect(result.ignoredSuperuserTeams).toEqual([]);
    expect(describePass(result.superuserTeams[1] as (typeof result.superuserTeams)[number])).toBe(
      'superuser team "sre" (additionalSuperuserTeams: acid → dba → sre)',
    );
  });

  it('adds postgres_superuser_teams to every cluster, after the PostgresTeam ones and without repeats', () => {
    const result = directory([spec], {
      ...CRD_ON,
      enablePostgresTeamCrdSuperusers: true,
      postgresSuperuserTeams: ['dba', 'postgres_superusers'],
    }).membersOf('acid');
    expect(result.superuserTeams.map((pass) => [pass.team, pass.superuserBy])).toEqual([
      ['dba', 'additionalSuperuserTeams'],
      ['sre', 'additionalSuperuserTeams'],
      ['postgres_superusers', 'postgres_superuser_teams'],
    ]);
    const other = directory(['teams:\n  payments: [bob]\n  postgres_superusers: [root_of_all]\n'], {
      enableTeamsApi: true,
      postgresSuperuserTeams: ['postgres_superusers'],
    }).membersOf('payments');
    expect(roles(other)).toEqual({
      bob: 'LOGIN, member of "zalandos" and "admin"',
      root_of_all: 'LOGIN SUPERUSER, member of "zalandos"',
    });
  });

  it('creates superuser roles instead of admin roles when the owning team is a superuser team', () => {
    const result = directory(['teams:\n  dba: [alice, bert]\n'], {
      enableTeamsApi: true,
      postgresSuperuserTeams: ['dba'],
    }).membersOf('dba');
    expect(result.ownedBySuperuserTeam).toBe(true);
    expect(roles(result)).toEqual({
      alice: 'LOGIN SUPERUSER, member of "zalandos"',
      bert: 'LOGIN SUPERUSER, member of "zalandos"',
    });
    expect(result.members.flatMap((m) => m.routes.map((r) => r.kind))).toEqual(['superuser', 'superuser']);
  });

  it('lets the later pass win: a superuser also in the owning team ends up an admin member', () => {
    const teams = 'teams:\n  acid: [alice, jdoe]\n  dba: [alice]\n';
    const off = directory([teams], { enableTeamsApi: true, postgresSuperuserTeams: ['dba'] }).membersOf(
      'acid',
    );
    const alice = off.members.find((m) => m.login === 'alice');
    expect(alice?.routes.map((r) => [r.kind, r.superuser])).toEqual([
      ['superuser', true],
      ['owning', false],
    ]);
    expect(alice && describeRole(alice)).toBe('LOGIN, member of "zalandos" and "admin"');
    const on = directory([teams], {
      enableTeamsApi: true,
      postgresSuperuserTeams: ['dba'],
      enableTeamSuperuser: true,
    }).membersOf('acid');
    expect(roles(on)).toEqual({
      alice: 'LOGIN SUPERUSER, member of "zalandos"',
      jdoe: 'LOGIN SUPERUSER, member of "zalandos"',
    });
  });

  it('never makes additional teams superusers through enable_team_superuser, and skips superuser additional teams', () => {
    const teams = directory(
      [
        pgTeam(
          'x',
          'additionalTeams:\n  acid: [data, dba]\nadditionalMembers:\n  acid: [jdoe]\n  data: [bob]\n  dba: [alice]',
        ),
      ],
      { ...CRD_ON, enableTeamSuperuser: true, postgresSuperuserTeams: ['dba'] },
    );
    const result = teams.membersOf('acid');
    expect(result.additionalTeams.map((pass) => pass.team)).toEqual(['data']);
    expect(roles(result)).toEqual({
      alice: 'LOGIN SUPERUSER, member of "zalandos"',
      bob: 'LOGIN, member of "zalandos" and "admin"',
      jdoe: 'LOGIN SUPERUSER, member of "zalandos"',
    });
  });
});

describe('protected and system names', () => {
  it('never creates a team role named like a protected role or a system user', () => {
    const teams = directory(['teams:\n  acid: [admin, cron_admin, postgres, standby, pooler, jdoe]\n'], {
      enableTeamsApi: true,
    });
    const result = teams.membersOf('acid', { systemUsers: ['pooler'] });
    expect(Object.keys(roles(result))).toEqual(['jdoe']);
    expect(result.skipped.map((s) => [s.login, s.reason])).toEqual([
      ['admin', 'protected'],
      ['cron_admin', 'protected'],
      ['postgres', 'system'],
      ['standby', 'system'],
      ['pooler', 'system'],
    ]);
    expect(result.skipped[0]?.message).toBe(
      'cannot initialize a new API role with the name of the protected user "admin"',
    );
  });

  it('follows the configured names', () => {
    const teams = directory(['teams:\n  acid: [root, postgres]\n'], {
      enableTeamsApi: true,
      superUsername: 'root',
      protectedRoleNames: [],
    });
    expect(Object.keys(roles(teams.membersOf('acid')))).toEqual(['postgres']);
  });
});

describe('which sources count', () => {
  const crd = pgTeam('extra', 'additionalMembers:\n  acid: [jdoe]');
  const file = 'teams:\n  acid: [alice]\n';

  it('uses PostgresTeam data only when the operator reads the CRD, unless honoured explicitly', () => {
    const defaults = directory([crd], {});
    expect(defaults.isEmpty).toBe(true);
    expect(defaults.notes).toEqual([
      'PostgresTeam "extra" (teams-0.yaml) is not used: enable_postgres_team_crd is off in operator v2.0.1 defaults (ConfigMap path)',
    ]);
    expect(Object.keys(roles(directory([crd], {}, { honourPostgresTeams: true }).membersOf('acid')))).toEqual(
      ['jdoe'],
    );
  });

  it('uses a teams file only when it stands in for an enabled Teams API, unless honoured explicitly', () => {
    expect(directory([file], { enableTeamsApi: false }).isEmpty).toBe(true);
    expect(directory([file], { enableTeamsApi: false }, { honourTeamsFiles: true }).knows('acid')).toBe(true);
    expect(directory([file], {}).knows('acid')).toBe(true);
  });

  it('merges PostgresTeam additionalMembers with the Teams API members, additionalMembers first', () => {
    const teams = directory([file, crd], { enablePostgresTeamCrd: true, enableTeamsApi: true });
    expect([...teams.teamMembers('acid').keys()]).toEqual(['jdoe', 'alice']);
  });

  it('builds from already read sources, e.g. PostgresTeam objects from the cluster', () => {
    const source = postgresTeamFromObject(
      { apiVersion: 'acid.zalan.do/v1', kind: 'PostgresTeam', metadata: { name: 'live' }, spec: {} },
      'cluster',
    );
    expect(buildTeamDirectory([source], policyWith(CRD_ON)).sources).toEqual([
      'PostgresTeam "live" (cluster)',
    ]);
  });
});

describe('reading teams files', () => {
  it('reads the teams file with or without its header, YAML or JSON', () => {
    const plain = readTeamsFile('teams:\n  acid: [jdoe, alice, jdoe]\n  empty:\n', 't.yaml');
    const source = plain.sources[0];
    expect(source?.kind === 'TeamDirectory' && [...source.members]).toEqual([
      ['acid', ['jdoe', 'alice']],
      ['empty', []],
    ]);
    const headed = readTeamsFile(
      'apiVersion: acid-guard/v1\nkind: TeamDirectory\nteams:\n  acid: [jdoe]\n',
      'h.yaml',
    );
    expect(headed.sources[0]?.origin).toBe('teams file h.yaml');
    const json = readTeamsFile('{"teams": {"acid": ["jdoe"]}}', 'j.json');
    expect(json.sources).toHaveLength(1);
  });

  it('expands List objects of PostgresTeams', () => {
    const list = `apiVersion: v1\nkind: List\nitems:\n- ${pgTeam('a', 'additionalMembers:\n  acid: [x]').replaceAll('\n', '\n  ').trimEnd()}\n`;
    expect(readTeamsFile(list, 'l.yaml').sources.map((s) => s.origin)).toEqual(['PostgresTeam "a" (l.yaml)']);
  });

  it('says where and what is wrong', () => {
    const notAList = policyError(() => readTeamsFile('teams:\n  acid: jdoe\n', 'bad.yaml'));
    expect(notAList.message).toBe(
      'bad.yaml:2:9: teams[acid]: a string is not a list of logins; write a list, e.g. [jdoe, alice]',
    );
    expect(notAList.path).toBe('teams[acid]');
    const notAString = policyError(() => readTeamsFile('teams:\n  acid: [jdoe, 42]\n', 'bad.yaml'));
    expect(notAString.message).toBe(
      'bad.yaml:2:16: teams[acid][1]: an integer is not a string; write it in quotes: "42"',
    );
    const typo = policyError(() => readTeamsFile('team:\n  acid: [jdoe]\n', 'bad.yaml'));
    expect(typo.message).toBe(
      'bad.yaml:1:1: team is not a field of a teams file (fields: apiVersion, kind, teams); did you mean teams?',
    );
    const missing = policyError(() => readTeamsFile('kind: TeamDirectory\n', 'bad.yaml'));
    expect(missing.detail).toBe('the teams file has no teams');
    const wrongHeader = policyError(() =>
      readTeamsFile('apiVersion: v2\nkind: TeamDirectory\nteams: {}\n', 'b.yaml'),
    );
    expect(wrongHeader.hint).toBe('write apiVersion: acid-guard/v1, or leave the header out');
    const other = policyError(() => readTeamsFile('apiVersion: v1\nkind: ConfigMap\n', 'cm.yaml'));
    expect(other.detail).toMatch(
      /^expected a PostgresTeam \(acid\.zalan\.do\/v1\) or a teams file .*, got kind ConfigMap$/,
    );
    expect(policyError(() => readTeamsFile('', 'empty.yaml')).detail).toMatch(/^no YAML document/);
    expect(policyError(() => readTeamsFile('teams: [\n', 'broken.yaml')).message).toMatch(
      /^broken\.yaml:\d+:\d+: /,
    );
  });

  it('refuses what the API server refuses in a PostgresTeam, and warns about what it drops', () => {
    const version = policyError(() =>
      readTeamsFile(
        pgTeam('v', 'additionalMembers: {}').replace('acid.zalan.do/v1', 'acid.zalan.do/v2'),
        'v.yaml',
      ),
    );
    expect(version.message).toMatch(/^v\.yaml:1:13: a PostgresTeam of "acid\.zalan\.do\/v2" does not exist/);
    const noSpec = policyError(() =>
      readTeamsFile(
        'apiVersion: acid.zalan.do/v1\nkind: PostgresTeam\nmetadata:\n  name: nospec\n',
        'n.yaml',
      ),
    );
    expect(noSpec.detail).toBe('PostgresTeam "nospec" (n.yaml) has no spec (the CRD requires it)');
    const badList = policyError(() => readTeamsFile(pgTeam('b', 'additionalTeams:\n  acid: data'), 'b.yaml'));
    expect(badList.path).toBe('spec.additionalTeams[acid]');
    expect(badList.detail).toBe('spec.additionalTeams[acid]: a string is not a list of teams');
    const typo = readTeamsFile(pgTeam('t', 'additionalMember:\n  acid: [jdoe]'), 't.yaml');
    expect(typo.warnings).toEqual([
      't.yaml:6:3: spec.additionalMember is not a PostgresTeam field: the API server drops it; did you mean additionalMembers?',
    ]);
    const nulls = readTeamsFile(pgTeam('n', 'additionalMembers:\n  acid:\n  data: [bob]'), 'n.yaml');
    const source = nulls.sources[0];
    expect(source?.kind === 'PostgresTeam' && [...source.additionalMembers.keys()]).toEqual(['data']);
  });

  it('takes only PostgresTeams from linted input, and turns a broken one into a warning', () => {
    const text = `apiVersion: acid.zalan.do/v1\nkind: postgresql\nmetadata:\n  name: acid-x\n---\n${pgTeam('ok', 'additionalMembers:\n  acid: [jdoe]')}---\n${pgTeam('broken', 'additionalMembers: [jdoe]')}`;
    const read = postgresTeamsInText(text, 'all.yaml');
    expect(read.sources.map((s) => s.origin)).toEqual(['PostgresTeam "ok" (all.yaml)']);
    expect(read.warnings).toEqual([
      'all.yaml:19:22: spec.additionalMembers: a list is not a map of team id → list of logins; write additionalMembers: {acid: [jdoe]} (this PostgresTeam is not used)',
    ]);
  });

  it('reports the reading warnings and the unused sources together', () => {
    const { warnings } = teamDirectoryFrom(
      [{ text: pgTeam('t', 'additionalMember:\n  acid: [jdoe]'), source: 't.yaml' }],
      policyWith({}),
    );
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toMatch(/is not used: enable_postgres_team_crd is off/);
  });
});
