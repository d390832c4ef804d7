import { child, index, key } from '../field-path.js';
import {
  type ClusterTeamRoles,
  describePass,
  describeRole,
  type TeamMember,
  type TeamPass,
} from '../policy/team-directory.js';
import { closest } from '../suggest.js';
import type { Rule } from './rule.js';
import type { RuleContext } from './rule-context.js';
import { preparedRoles, systemRoles } from './users.js';

const TEAM_PATH = 'spec.teamId';
const ROTATION_LISTS = [
  'usersWithSecretRotation',
  'usersWithInPlaceSecretRotation',
  'usersIgnoringSecretRotation',
] as const;

const EXAMPLE_TEAMS = 'teams:\n  acid: [jdoe, alice]\n  payments: [bob]\n';

/** The team roles of the checked cluster, worked out once per validation. */
const rolesByContext = new WeakMap<RuleContext, ClusterTeamRoles | null>();

/** The team roles the operator creates in this cluster; undefined without a (non-empty) directory or teamId. */
function clusterTeamRoles(context: RuleContext): ClusterTeamRoles | undefined {
  const cached = rolesByContext.get(context);
  if (cached !== undefined) return cached ?? undefined;
  const { teams, object, policy } = context;
  const teamId = object.spec?.teamId;
  const roles =
    teams === undefined || teams.isEmpty || teamId === undefined || teamId === ''
      ? null
      : teams.membersOf(teamId, { policy, systemUsers: systemRoles(object, policy).keys() });
  rolesByContext.set(context, roles);
  return roles ?? undefined;
}

function membersByLogin(roles: ClusterTeamRoles): Map<string, TeamMember> {
  return new Map(roles.members.map((member) => [member.login, member]));
}

const quoted = (name: string) => JSON.stringify(name);

function listOf(names: readonly string[], limit = 5): string {
  const shown = names.slice(0, limit).map(quoted).join(', ');
  return names.length > limit ? `${shown} and ${names.length - limit} more` : shown;
}

export const teamUnknownId: Rule = {
  id: 'team/unknown-id',
  severity: 'error',
  summary: '`spec.teamId` names a team that the team directory does not know (only with `requireKnownTeam`).',
  why: 'The operator looks the team up in the Teams API (`GET <teams_api_url>/teams/<teamId>`) and among the PostgresTeam objects, whose keys it matches case-sensitively. For an unknown team the API answers 404, which the operator only logs (`could not get team info for team "acdi"`): the cluster is created without a single team member role, so nobody of the team can log in. acid-guard checks this only when asked to (`requireKnownTeam`) and a team directory is given.',
  bad: 'spec:\n  teamId: paymnets\n',
  good: 'spec:\n  teamId: payments\n',
  exampleTeams: EXAMPLE_TEAMS,
  *check({ object, policy, teams, requireKnownTeam }) {
    const teamId = object.spec?.teamId;
    if (!requireKnownTeam || teams === undefined || teams.isEmpty) return;
    if (teamId === undefined || teamId === '' || teams.knows(teamId)) return;
    if (policy.postgresSuperuserTeams.includes(teamId)) return;
    const known = teams.teamIds();
    const guess = closest(teamId, known);
    yield {
      path: TEAM_PATH,
      message: `team ${quoted(teamId)} is not in the team directory (${teams.sources.join(', ')}): the operator finds no members for it and creates no team roles in this cluster`,
      hint:
        guess === undefined
          ? `write a known team id (${listOf(known)}), or add the team to the teams file`
          : `did you mean ${quoted(guess)}? (team ids are case-sensitive)`,
    };
  },
};

export const teamMemberIsUser: Rule = {
  id: 'team/member-is-user',
  severity: 'error',
  target: 'key',
  summary: 'A manifest user has the name of a team member who gets a role in this cluster.',
  why: 'The operator creates manifest users first and team members later; on a name conflict the team role wins, with only a debug log line (`resolved a conflict of role "jdoe" between …`). The user becomes a password-less PAM role (LOGIN, member of `pam_role_name`), its flags are replaced, and no secret is created: whatever expects `jdoe.<cluster>.credentials…` never starts.',
  bad: 'spec:\n  users:\n    jdoe: [createdb]\n',
  good: 'spec:\n  users:\n    jdoe_app: [createdb]\n',
  exampleTeams: EXAMPLE_TEAMS,
  *check(context) {
    const roles = clusterTeamRoles(context);
    if (roles === undefined) return;
    const members = membersByLogin(roles);
    // A prepared-database role of the same name beats both: that conflict is not about teams.
    const prepared = new Set(preparedRoles(context.object).map((role) => role.name));
    for (const name of Object.keys(context.object.spec?.users ?? {})) {
      const member = members.get(name);
      if (member === undefined || prepared.has(name)) continue;
      yield {
        path: key('spec.users', name),
        message: `${quoted(name)} is also a member of ${describePass(member.kept)}: the operator replaces this user with a password-less team role (${describeRole(member)}) and creates no secret for it`,
        hint: `rename the application user, e.g. ${quoted(`${name}_app`)}; the person logs in with the team role`,
      };
    }
  },
};

export const teamRotationMember: Rule = {
  id: 'team/rotation-team-member',
  severity: 'warning',
  summary: 'A rotation list (`usersWithSecretRotation` etc.) names a team member.',
  why: 'Team members get password-less roles that log in through PAM and have no secret. The operator only rotates passwords it keeps in a secret, so the entry is ignored without a word.',
  bad: 'spec:\n  users:\n    reporting: []\n  usersWithInPlaceSecretRotation: [reporting, alice]\n',
  good: 'spec:\n  users:\n    reporting: []\n  usersWithInPlaceSecretRotation: [reporting]\n',
  exampleTeams: EXAMPLE_TEAMS,
  *check(context) {
    const roles = clusterTeamRoles(context);
    if (roles === undefined) return;
    const members = membersByLogin(roles);
    for (const list of ROTATION_LISTS) {
      for (const [i, name] of (context.object.spec?.[list] ?? []).entries()) {
        const member = typeof name === 'string' ? members.get(name) : undefined;
        if (member === undefined) continue;
        yield {
          path: index(child('spec', list), i),
          message: `${list} names ${quoted(member.login)}, a member of ${describePass(member.kept)}: team roles have no password and no secret, so the entry is ignored`,
          hint: `remove ${quoted(member.login)} from ${list}; team members authenticate through PAM, not with a password the operator keeps`,
        };
      }
    }
  },
};

function overrideHint(login: string, kept: TeamPass): string {
  if (kept.kind === 'owning') {
    return `remove ${quoted(login)} from team ${quoted(kept.team)}, or set enable_team_superuser: true if every member of the owning team should be a superuser`;
  }
  return `remove ${quoted(login)} from team ${quoted(kept.team)}, or make ${quoted(kept.team)} a superuser team too`;
}

export const teamSuperuserOverridden: Rule = {
  id: 'team/superuser-overridden',
  severity: 'warning',
  summary:
    'A member of a superuser team is also in the owning team or an additional team, whose role the operator keeps: no SUPERUSER.',
  why: 'The operator creates team roles in passes — superuser teams (PostgresTeam `additionalSuperuserTeams`, `postgres_superuser_teams`), then additional teams, then the owning team unless it is a superuser team — and when a login comes up again the later role replaces the earlier one. A superuser-team member who is also in the owning team (with `enable_team_superuser` off) or in an additional team is created with LOGIN and membership in `team_admin_role`, not SUPERUSER. A role that already is a superuser keeps it (the operator never revokes flags), so old and new members differ.',
  bad: 'spec:\n  teamId: acid\n',
  good: 'spec:\n  teamId: web\n',
  examplePolicy: { postgresSuperuserTeams: ['dba'] },
  exampleTeams: 'teams:\n  acid: [jdoe, alice]\n  web: [bob]\n  dba: [alice]\n',
  *check(context) {
    const roles = clusterTeamRoles(context);
    if (roles === undefined) return;
    for (const member of roles.members) {
      const superuserRoute = member.routes.find((route) => route.superuser);
      if (superuserRoute === undefined || member.kept.superuser) continue;
      yield {
        path: TEAM_PATH,
        message: `${quoted(member.login)} is in ${describePass(superuserRoute)} and in ${describePass(member.kept)}, whose role the operator creates later and keeps: ${member.login} gets ${describeRole(member)}, not SUPERUSER`,
        hint: overrideHint(member.login, member.kept),
      };
    }
  },
};

export const teamSuperuserTeamsIgnored: Rule = {
  id: 'team/superuser-teams-ignored',
  severity: 'warning',
  summary:
    'PostgresTeam `additionalSuperuserTeams` name superuser teams for the owning team while `enable_postgres_team_crd_superusers` is off.',
  why: 'The operator reads `additionalSuperuserTeams` only with `enable_postgres_team_crd_superusers` (default off). Otherwise the entry is ignored completely: the members of those teams get no role at all in the team’s clusters — not even a normal one — unless another team brings them in.',
  bad: 'spec:\n  teamId: analytics\n',
  good: 'spec:\n  teamId: data\n',
  exampleTeams:
    'apiVersion: acid.zalan.do/v1\nkind: PostgresTeam\nmetadata:\n  name: custom-team-membership\nspec:\n  additionalSuperuserTeams:\n    analytics: [dba]\n  additionalMembers:\n    analytics: [ann]\n    data: [bob]\n    dba: [alice]\n',
  *check(context) {
    const roles = clusterTeamRoles(context);
    const teams = context.teams;
    if (roles === undefined || teams === undefined || roles.ignoredSuperuserTeams.length === 0) return;
    const members = membersByLogin(roles);
    const ignored = roles.ignoredSuperuserTeams.map((pass) => pass.team);
    const listedIn = [...new Set(roles.ignoredSuperuserTeams.flatMap((pass) => pass.listedIn ?? []))];
    const logins = [...new Set(ignored.flatMap((team) => [...teams.teamMembers(team).keys()]))];
    const without = logins.filter((login) => !members.has(login));
    const consequence =
      without.length > 0
        ? `${listOf(without)} ${without.length === 1 ? 'gets' : 'get'} no role in this cluster`
        : 'their members get no superuser role in this cluster';
    yield {
      path: TEAM_PATH,
      message: `additionalSuperuserTeams name ${listOf(ignored)} for team ${quoted(roles.owningTeam)} (${listedIn.join(', ')}), but enable_postgres_team_crd_superusers is off: the operator ignores the entry, so ${consequence}`,
      hint: 'set enable_postgres_team_crd_superusers: true in the operator configuration, or list the teams in postgres_superuser_teams (superusers in every cluster)',
    };
  },
};

/** Rules that need the team directory: who gets a role in the cluster, and how. */
export const TEAM_MEMBER_RULES: readonly Rule[] = [
  teamUnknownId,
  teamMemberIsUser,
  teamRotationMember,
  teamSuperuserOverridden,
  teamSuperuserTeamsIgnored,
];
