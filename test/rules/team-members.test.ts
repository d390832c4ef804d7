import { describe, expect, it } from 'vitest';
import { type OperatorPolicy, policyWith } from '../../packages/validator/src/policy/operator-policy.js';
import {
  exampleTeamDirectory,
  type TeamDirectory,
  teamDirectoryFrom,
} from '../../packages/validator/src/policy/team-directory.js';
import { CHECK_RULES } from '../../packages/validator/src/rules/catalogue.js';
import { exampleManifest } from '../../packages/validator/src/rules/example-manifest.js';
import type { Problem, Rule } from '../../packages/validator/src/rules/rule.js';
import type { Loose, RuleContext } from '../../packages/validator/src/rules/rule-context.js';
import {
  TEAM_MEMBER_RULES,
  teamMemberIsUser,
  teamRotationMember,
  teamSuperuserOverridden,
  teamSuperuserTeamsIgnored,
  teamUnknownId,
} from '../../packages/validator/src/rules/team-members.js';
import { builtinSchema } from '../../packages/validator/src/schema/compiled-schema.js';
import { validate } from '../../packages/validator/src/validate.js';

interface Setup {
  policy?: Partial<OperatorPolicy>;
  /** Teams file or PostgresTeam texts, every source honoured. */
  teams?: string;
  requireKnownTeam?: boolean;
}

/** Runs one rule on the example manifest with a fragment merged in, under a team directory. */
function check(rule: Rule, fragment: string, setup: Setup = {}): Problem[] {
  const policy = policyWith(setup.policy ?? {});
  const context: RuleContext = {
    object: exampleManifest(fragment) as Loose<RuleContext['object']>,
    operation: 'CREATE',
    schema: builtinSchema(),
    policy,
    now: new Date(),
  };
  if (setup.teams !== undefined) context.teams = exampleTeamDirectory(setup.teams, policy);
  if (setup.requireKnownTeam !== undefined) context.requireKnownTeam = setup.requireKnownTeam;
  return [...rule.check(context)];
}

const TEAMS = 'teams:\n  acid: [jdoe, alice]\n  payments: [bob]\n';

function pgTeam(spec: string): string {
  const indented = spec
    .trim()
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
  return `apiVersion: acid.zalan.do/v1\nkind: PostgresTeam\nmetadata:\n  name: extra\nspec:\n${indented}\n`;
}

describe('every team member rule', () => {
  it.each(TEAM_MEMBER_RULES.map((rule) => [rule.id, rule] as const))(
    '%s is silent without a directory, with an empty one, and fires on its example with one',
    (_id, rule) => {
      const setup = { policy: rule.examplePolicy ?? {}, requireKnownTeam: true };
      expect(check(rule, rule.bad, setup)).toEqual([]);
      expect(check(rule, rule.bad, { ...setup, teams: 'teams: {}\n' })).toEqual([]);
      expect(check(rule, rule.bad, { ...setup, teams: rule.exampleTeams }).length).toBeGreaterThan(0);
      expect(check(rule, rule.good, { ...setup, teams: rule.exampleTeams })).toEqual([]);
    },
  );

  it('stays silent for an empty teamId (team/empty-id reports it)', () => {
    for (const rule of TEAM_MEMBER_RULES) {
      const setup = { teams: rule.exampleTeams, requireKnownTeam: true, policy: rule.examplePolicy ?? {} };
      expect(check(rule, 'spec:\n  teamId: ""\n  users:\n    jdoe: []\n', setup), rule.id).toEqual([]);
    }
  });
});

describe('team/unknown-id', () => {
  const setup = { teams: TEAMS, requireKnownTeam: true };

  it('is only checked when known teams are required', () => {
    expect(check(teamUnknownId, 'spec:\n  teamId: acdi\n', { teams: TEAMS })).toEqual([]);
    expect(check(teamUnknownId, 'spec:\n  teamId: acdi\n', { ...setup, requireKnownTeam: false })).toEqual(
      [],
    );
  });

  it('suggests the team that differs only in case, since ids are case-sensitive', () => {
    const [problem] = check(teamUnknownId, 'spec:\n  teamId: ACID\n', setup);
    expect(problem).toEqual({
      path: 'spec.teamId',
      message:
        'team "ACID" is not in the team directory (teams file example teams): the operator finds no members for it and creates no team roles in this cluster',
      hint: 'did you mean "acid"? (team ids are case-sensitive)',
    });
  });

  it('lists the known teams when nothing is close', () => {
    const [problem] = check(teamUnknownId, 'spec:\n  teamId: warehouse\n', setup);
    expect(problem?.hint).toBe(
      'write a known team id ("acid", "payments"), or add the team to the teams file',
    );
  });

  it('knows teams named only as additional teams, and postgres_superuser_teams', () => {
    const teams = pgTeam('additionalTeams:\n  acid: [data]');
    expect(check(teamUnknownId, 'spec:\n  teamId: data\n', { teams, requireKnownTeam: true })).toEqual([]);
    expect(
      check(teamUnknownId, 'spec:\n  teamId: dba\n', {
        ...setup,
        policy: { postgresSuperuserTeams: ['dba'] },
      }),
    ).toEqual([]);
  });
});

describe('team/member-is-user', () => {
  it('points at the user key and says which team and which role', () => {
    expect(
      check(teamMemberIsUser, 'spec:\n  users:\n    alice: [superuser]\n    app: []\n', { teams: TEAMS }),
    ).toEqual([
      {
        path: 'spec.users[alice]',
        message:
          '"alice" is also a member of the owning team "acid": the operator replaces this user with a password-less team role (LOGIN, member of "zalandos" and "admin") and creates no secret for it',
        hint: 'rename the application user, e.g. "alice_app"; the person logs in with the team role',
      },
    ]);
    expect(teamMemberIsUser.target).toBe('key');
  });

  it('covers additional teams and superuser teams, not other teams', () => {
    const teams = pgTeam(
      'additionalTeams:\n  acid: [data]\nadditionalMembers:\n  data: [bob]\n  dba: [root_like]\n  ml: [carl]',
    );
    const users = 'spec:\n  users:\n    bob: []\n    root_like: []\n    carl: []\n';
    const problems = check(teamMemberIsUser, users, { teams, policy: { postgresSuperuserTeams: ['dba'] } });
    expect(problems.map((p) => p.path)).toEqual(['spec.users[bob]', 'spec.users[root_like]']);
    expect(problems[0]?.message).toContain('additional team "data" (acid → data)');
    expect(problems[1]?.message).toContain('(LOGIN SUPERUSER, member of "zalandos")');
  });

  it('ignores names the operator never creates from team data, and names of prepared roles', () => {
    const teams = 'teams:\n  acid: [admin, postgres, acid_demo_owner]\n';
    const fragment =
      'spec:\n  users:\n    admin: []\n    postgres: []\n    acid_demo_owner: []\n  preparedDatabases:\n    acid_demo: {}\n';
    expect(check(teamMemberIsUser, fragment, { teams })).toEqual([]);
  });

  it('ignores members of a team the operator does not read', () => {
    const teams = teamDirectoryFrom(
      [{ text: pgTeam('additionalMembers:\n  acid: [jdoe]'), source: 'extra.yaml' }],
      policyWith({}),
    ).directory;
    expect(teams.isEmpty).toBe(true);
    expect(runWith(teamMemberIsUser, 'spec:\n  users:\n    jdoe: []\n', teams)).toEqual([]);
  });
});

function runWith(rule: Rule, fragment: string, teams: TeamDirectory): Problem[] {
  return [
    ...rule.check({
      object: exampleManifest(fragment) as Loose<RuleContext['object']>,
      operation: 'CREATE',
      schema: builtinSchema(),
      policy: teams.policy,
      now: new Date(),
      teams,
    }),
  ];
}

describe('team/rotation-team-member', () => {
  it('flags team members in every rotation list, nobody else', () => {
    const fragment =
      'spec:\n  users:\n    app: []\n  usersWithSecretRotation: [app, jdoe]\n  usersWithInPlaceSecretRotation: [bob]\n  usersIgnoringSecretRotation: [alice]\n';
    const problems = check(teamRotationMember, fragment, { teams: TEAMS });
    expect(problems.map((p) => p.path)).toEqual([
      'spec.usersWithSecretRotation[1]',
      'spec.usersIgnoringSecretRotation[0]',
    ]);
    expect(problems[0]?.message).toBe(
      'usersWithSecretRotation names "jdoe", a member of the owning team "acid": team roles have no password and no secret, so the entry is ignored',
    );
  });
});

describe('team/superuser-overridden', () => {
  const teams = 'teams:\n  acid: [alice, jdoe]\n  dba: [alice, root_like]\n  data: [alice]\n';

  it('explains that the owning team pass wins with enable_team_superuser off', () => {
    const problems = check(teamSuperuserOverridden, '', {
      teams,
      policy: { postgresSuperuserTeams: ['dba'] },
    });
    expect(problems).toEqual([
      {
        path: 'spec.teamId',
        message:
          '"alice" is in superuser team "dba" (postgres_superuser_teams) and in the owning team "acid", whose role the operator creates later and keeps: alice gets LOGIN, member of "zalandos" and "admin", not SUPERUSER',
        hint: 'remove "alice" from team "acid", or set enable_team_superuser: true if every member of the owning team should be a superuser',
      },
    ]);
  });

  it('is silent when enable_team_superuser makes the owning team superusers anyway', () => {
    const policy = { postgresSuperuserTeams: ['dba'], enableTeamSuperuser: true };
    expect(check(teamSuperuserOverridden, '', { teams, policy })).toEqual([]);
  });

  it('is silent when the owning team is the superuser team', () => {
    expect(
      check(teamSuperuserOverridden, 'spec:\n  teamId: dba\n', {
        teams,
        policy: { postgresSuperuserTeams: ['dba'] },
      }),
    ).toEqual([]);
  });

  it('fires for an additional team even with enable_team_superuser', () => {
    const crd = `${pgTeam('additionalTeams:\n  payments: [data]')}---\n${teams}`;
    const policy = { postgresSuperuserTeams: ['dba'], enableTeamSuperuser: true };
    const problems = check(teamSuperuserOverridden, 'spec:\n  teamId: payments\n', { teams: crd, policy });
    expect(problems.map((p) => p.message)).toEqual([
      '"alice" is in superuser team "dba" (postgres_superuser_teams) and in additional team "data" (payments → data), whose role the operator creates later and keeps: alice gets LOGIN, member of "zalandos" and "admin", not SUPERUSER',
    ]);
    expect(problems[0]?.hint).toBe('remove "alice" from team "data", or make "data" a superuser team too');
  });
});

describe('team/superuser-teams-ignored', () => {
  const teams = pgTeam(
    'additionalSuperuserTeams:\n  acid: [dba]\nadditionalMembers:\n  acid: [alice]\n  dba: [alice, sam]',
  );

  it('names the teams, the PostgresTeam and who gets no role at all', () => {
    expect(check(teamSuperuserTeamsIgnored, '', { teams })).toEqual([
      {
        path: 'spec.teamId',
        message:
          'additionalSuperuserTeams name "dba" for team "acid" (PostgresTeam "extra" (example teams)), but enable_postgres_team_crd_superusers is off: the operator ignores the entry, so "sam" gets no role in this cluster',
        hint: 'set enable_postgres_team_crd_superusers: true in the operator configuration, or list the teams in postgres_superuser_teams (superusers in every cluster)',
      },
    ]);
  });

  it('is silent with enable_postgres_team_crd_superusers', () => {
    expect(
      check(teamSuperuserTeamsIgnored, '', { teams, policy: { enablePostgresTeamCrdSuperusers: true } }),
    ).toEqual([]);
  });

  it('says only the superuser role is lost when every member gets a role anyway', () => {
    const covered = pgTeam(
      'additionalSuperuserTeams:\n  acid: [dba]\nadditionalMembers:\n  acid: [alice]\n  dba: [alice]',
    );
    const [problem] = check(teamSuperuserTeamsIgnored, '', { teams: covered });
    expect(problem?.message).toMatch(/so their members get no superuser role in this cluster$/);
  });
});

const registered = TEAM_MEMBER_RULES.every((rule) => CHECK_RULES.includes(rule));

describe.skipIf(!registered)('through validate()', () => {
  it('passes the directory and requireKnownTeam to the rules', () => {
    const policy = policyWith({});
    const teams = exampleTeamDirectory(TEAMS, policy);
    const ids = (requireKnownTeam: boolean) =>
      validate(exampleManifest('spec:\n  teamId: acdi\n'), { policy, teams, requireKnownTeam }).map(
        (f) => f.ruleId,
      );
    expect(ids(true)).toContain('team/unknown-id');
    expect(ids(false)).not.toContain('team/unknown-id');
  });
});
