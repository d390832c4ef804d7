import type { OperatorPolicy } from './operator-policy.js';
import { readTeamsFile, type TeamLists, type TeamSource } from './teams-file.js';

/** Which team pass of `cluster.go:initHumanUsers` a role comes from, in the operator's order. */
export type TeamPassKind = 'superuser' | 'additional' | 'owning';

/** How a team reaches a cluster. */
export interface TeamPass {
  kind: TeamPassKind;
  team: string;
  /**
   * Teams from the owning team to this one (`['acid', 'data', 'ml']`: ml is an additional team of
   * data, an additional team of acid); `[team]` for the owning team and for `postgres_superuser_teams`.
   */
  chain: readonly string[];
  /** For superuser teams: the operator setting or the PostgresTeam field that makes them so. */
  superuserBy?: 'postgres_superuser_teams' | 'additionalSuperuserTeams';
  /** For teams from PostgresTeam data: the PostgresTeam objects that list the last link of the chain. */
  listedIn?: readonly string[];
}

/** One way a login reaches a cluster: a team pass, and where the team's member list says so. */
export interface TeamRoute extends TeamPass {
  /** Where the login is listed: `teams file teams.yaml`, `PostgresTeam "x" (file)` (additionalMembers). */
  from: readonly string[];
  /** Whether this pass alone would make the role a superuser. */
  superuser: boolean;
}

/** A role the operator creates for a team member: no password, no secret, PAM login. */
export interface TeamMember {
  login: string;
  /** Every way the login reaches the cluster, in the order the operator creates the roles. */
  routes: readonly TeamRoute[];
  /** The route whose role the operator keeps: the last one (equal origins: the later role wins). */
  kept: TeamRoute;
  /** `LOGIN` plus `SUPERUSER` for superusers. */
  flags: readonly string[];
  /** `pam_role_name`, plus `team_admin_role` for non-superusers. */
  memberOf: readonly string[];
}

/** A member the operator does not create: protected or system name (`shouldAvoidProtectedOrSystemRole`). */
export interface SkippedTeamMember {
  login: string;
  team: string;
  reason: 'protected' | 'system';
  /** The operator's log line. */
  message: string;
}

/** The team roles of one cluster, as the operator creates them. */
export interface ClusterTeamRoles {
  owningTeam: string;
  /** Sorted by login. */
  members: readonly TeamMember[];
  skipped: readonly SkippedTeamMember[];
  /** Superuser teams, in the operator's order (PostgresTeam ones first, then postgres_superuser_teams). */
  superuserTeams: readonly TeamPass[];
  /** Additional teams that get normal team roles (superuser teams left out, as the operator does). */
  additionalTeams: readonly TeamPass[];
  /** The owning team is a superuser team: its members are superusers and the owner pass is skipped. */
  ownedBySuperuserTeam: boolean;
  /** additionalSuperuserTeams of the owning team that the operator ignores (enable_postgres_team_crd_superusers off). */
  ignoredSuperuserTeams: readonly TeamPass[];
}

export interface TeamDirectoryOptions {
  /**
   * Use `PostgresTeam` data. The operator reads PostgresTeam objects only with
   * `enable_postgres_team_crd` (the default), but a caller that got them explicitly without an operator
   * configuration may choose to honour them anyway.
   */
  honourPostgresTeams?: boolean;
  /** Use static teams files: they stand in for the Teams API (`enable_teams_api`, the default). */
  honourTeamsFiles?: boolean;
}

export interface MembersOfOptions {
  /** The operator's configuration; the one the directory was built with by default. */
  policy?: OperatorPolicy;
  /** System users beyond super_username and replication_username: the pooler user, `fes_user`. */
  systemUsers?: Iterable<string>;
}

/** team id → name → where it is listed. */
type Listing = Map<string, Map<string, string[]>>;

function addLists(listing: Listing, lists: TeamLists, origin: string): void {
  for (const [team, names] of lists) {
    const entry = listing.get(team) ?? new Map<string, string[]>();
    for (const name of names) entry.set(name, [...(entry.get(name) ?? []), origin]);
    listing.set(team, entry);
  }
}

/**
 * Teams reachable from `root` along one kind of edge, as `PostgresTeamMap.fetchAdditionalTeams`
 * resolves them: transitively, the root itself excluded unless it lists itself (cycle protection).
 * Breadth first, so that each team comes with its shortest chain from the root.
 */
function reachable(root: string, edges: Listing): Reached[] {
  const found: Reached[] = [];
  const seen = new Set<string>([root]);
  const itself = edges.get(root)?.get(root);
  if (itself !== undefined) found.push({ team: root, chain: [root, root], listedIn: itself });
  const queue: string[][] = [[root]];
  for (let chain = queue.shift(); chain !== undefined; chain = queue.shift()) {
    const team = chain[chain.length - 1] as string;
    for (const [next, listedIn] of edges.get(team) ?? []) {
      if (seen.has(next)) continue;
      seen.add(next);
      found.push({ team: next, chain: [...chain, next], listedIn });
      queue.push([...chain, next]);
    }
  }
  return found;
}

interface Reached {
  team: string;
  chain: string[];
  listedIn: string[];
}

/**
 * Who is in which team, from `PostgresTeam` objects (merged exactly as the operator merges them) and
 * static teams files (standing in for the Teams API). Team ids are case-sensitive, as in the operator.
 */
export class TeamDirectory {
  readonly #apiMembers: Listing = new Map();
  readonly #additionalMembers: Listing = new Map();
  readonly #additionalTeams: Listing = new Map();
  readonly #superuserTeams: Listing = new Map();
  /** What was read and used, for messages. */
  readonly sources: readonly string[];
  /** What was read but not used, and why. */
  readonly notes: readonly string[];
  /** Sorted. */
  readonly #teamIds: readonly string[];
  readonly #known: ReadonlySet<string>;

  constructor(
    sources: readonly TeamSource[],
    /** The operator's configuration the directory was built for. */
    readonly policy: OperatorPolicy,
    options: TeamDirectoryOptions = {},
  ) {
    const honourPostgresTeams = options.honourPostgresTeams ?? policy.enablePostgresTeamCrd;
    const honourTeamsFiles = options.honourTeamsFiles ?? policy.enableTeamsApi;
    const used: string[] = [];
    const notes: string[] = [];
    for (const source of sources) {
      if (source.kind === 'PostgresTeam') {
        if (!honourPostgresTeams) {
          notes.push(`${source.origin} is not used: enable_postgres_team_crd is off in ${policy.source}`);
          continue;
        }
        addLists(this.#additionalMembers, source.additionalMembers, source.origin);
        addLists(this.#additionalTeams, source.additionalTeams, source.origin);
        addLists(this.#superuserTeams, source.additionalSuperuserTeams, source.origin);
      } else {
        if (!honourTeamsFiles) {
          notes.push(
            `${source.origin} is not used: it stands in for the Teams API, and enable_teams_api is off in ${policy.source}`,
          );
          continue;
        }
        addLists(this.#apiMembers, source.members, source.origin);
      }
      used.push(source.origin);
    }
    this.sources = used;
    this.notes = notes;
    this.#teamIds = this.#collectTeamIds();
    this.#known = new Set(this.#teamIds);
  }

  /** Knows no team at all: team rules stay silent. */
  get isEmpty(): boolean {
    return this.#teamIds.length === 0;
  }

  /**
   * A team the directory has heard of: a team of a teams file, a key of a PostgresTeam map, or a team
   * a PostgresTeam names as an additional (superuser) team. Case-sensitive.
   */
  knows(team: string): boolean {
    return this.#known.has(team);
  }

  /** Every team id the directory knows, sorted. */
  teamIds(): string[] {
    return [...this.#teamIds];
  }

  #collectTeamIds(): string[] {
    const ids = new Set<string>();
    for (const listing of [this.#apiMembers, this.#additionalMembers]) {
      for (const team of listing.keys()) ids.add(team);
    }
    for (const listing of [this.#additionalTeams, this.#superuserTeams]) {
      for (const [team, teams] of listing) {
        ids.add(team);
        for (const other of teams.keys()) ids.add(other);
      }
    }
    return [...ids].sort();
  }

  /**
   * The members of one team as `cluster/util.go:getTeamMembers` returns them: PostgresTeam
   * additionalMembers first, then the Teams API's (here: the teams files') members; login → where listed.
   */
  teamMembers(team: string): Map<string, string[]> {
    const members = new Map<string, string[]>();
    for (const listing of [this.#additionalMembers, this.#apiMembers]) {
      for (const [login, from] of listing.get(team) ?? [])
        members.set(login, [...(members.get(login) ?? []), ...from]);
    }
    return members;
  }

  /**
   * The team roles the operator creates in a cluster owned by `owningTeam` (`cluster.go:initHumanUsers`):
   * superuser teams (PostgresTeam additionalSuperuserTeams with enable_postgres_team_crd_superusers,
   * then postgres_superuser_teams), then additional teams, then the owning team unless it is a
   * superuser team. A login in several passes gets the role of the last one. Protected and system
   * names are never created from team data.
   */
  membersOf(owningTeam: string, options: MembersOfOptions = {}): ClusterTeamRoles {
    const policy = options.policy ?? this.policy;
    const passes = this.#passes(owningTeam, policy);
    const reserved = reservedNames(policy, options.systemUsers ?? []);
    const routes = new Map<string, TeamRoute[]>();
    const skipped: SkippedTeamMember[] = [];
    for (const pass of passes.ordered) {
      const superuser = pass.kind === 'superuser' || (policy.enableTeamSuperuser && pass.team === owningTeam);
      for (const [login, from] of this.teamMembers(pass.team)) {
        const reason = reserved.get(login);
        if (reason !== undefined) {
          skipped.push({
            login,
            team: pass.team,
            reason,
            message: `cannot initialize a new API role with the name of the ${reason} user ${JSON.stringify(login)}`,
          });
          continue;
        }
        routes.set(login, [...(routes.get(login) ?? []), { ...pass, from, superuser }]);
      }
    }
    const members = [...routes]
      .map(([login, list]) => teamMember(login, list, policy))
      .sort((a, b) => (a.login < b.login ? -1 : a.login > b.login ? 1 : 0));
    return {
      owningTeam,
      members,
      skipped,
      superuserTeams: passes.superuser,
      additionalTeams: passes.additional,
      ownedBySuperuserTeam: passes.ownedBySuperuserTeam,
      ignoredSuperuserTeams: passes.ignoredSuperuser,
    };
  }

  #passes(owningTeam: string, policy: OperatorPolicy) {
    const crdSuperusers = reachable(owningTeam, this.#superuserTeams).map(
      (reached): TeamPass => ({ kind: 'superuser', ...reached, superuserBy: 'additionalSuperuserTeams' }),
    );
    const superuser = policy.enablePostgresTeamCrdSuperusers ? [...crdSuperusers] : [];
    for (const team of policy.postgresSuperuserTeams) {
      if (team === '' || superuser.some((pass) => pass.team === team)) continue;
      superuser.push({ kind: 'superuser', team, chain: [team], superuserBy: 'postgres_superuser_teams' });
    }
    const isSuperuserTeam = (team: string) => superuser.some((pass) => pass.team === team);
    const additional = reachable(owningTeam, this.#additionalTeams)
      .filter(({ team }) => !isSuperuserTeam(team))
      .map((reached): TeamPass => ({ kind: 'additional', ...reached }));
    const ownedBySuperuserTeam = isSuperuserTeam(owningTeam);
    const owner: TeamPass[] =
      ownedBySuperuserTeam || owningTeam === ''
        ? []
        : [{ kind: 'owning', team: owningTeam, chain: [owningTeam] }];
    return {
      superuser,
      additional,
      ownedBySuperuserTeam,
      ignoredSuperuser: policy.enablePostgresTeamCrdSuperusers ? [] : crdSuperusers,
      ordered: [...superuser, ...additional, ...owner],
    };
  }
}

/** Names the operator never creates a team role for: protected roles and system users. */
function reservedNames(
  policy: OperatorPolicy,
  systemUsers: Iterable<string>,
): Map<string, 'protected' | 'system'> {
  const reserved = new Map<string, 'protected' | 'system'>();
  for (const name of [policy.superUsername, policy.replicationUsername, ...systemUsers])
    reserved.set(name, 'system');
  // shouldAvoidProtectedOrSystemRole checks protected names first.
  for (const name of policy.protectedRoleNames) reserved.set(name, 'protected');
  return reserved;
}

function teamMember(login: string, routes: TeamRoute[], policy: OperatorPolicy): TeamMember {
  const kept = routes[routes.length - 1] as TeamRoute;
  const flags = kept.superuser ? ['LOGIN', 'SUPERUSER'] : ['LOGIN'];
  const memberOf = [policy.pamRoleName];
  if (!kept.superuser) memberOf.push(policy.teamAdminRole);
  return { login, routes, kept, flags, memberOf: memberOf.filter((role) => role !== '') };
}

/** How a team reaches the cluster, in words: `additional team "ml" (acid → data → ml)`. */
export function describePass(pass: TeamPass): string {
  const team = JSON.stringify(pass.team);
  switch (pass.kind) {
    case 'owning':
      return `the owning team ${team}`;
    case 'additional':
      return `additional team ${team} (${pass.chain.join(' → ')})`;
    default:
      return pass.superuserBy === 'postgres_superuser_teams'
        ? `superuser team ${team} (postgres_superuser_teams)`
        : `superuser team ${team} (additionalSuperuserTeams: ${pass.chain.join(' → ')})`;
  }
}

/** The role a team member gets, in words: `LOGIN, member of "zalandos" and "admin"`. */
export function describeRole(member: Pick<TeamMember, 'flags' | 'memberOf'>): string {
  const roles = member.memberOf.map((role) => JSON.stringify(role));
  const of = roles.length === 0 ? '' : `, member of ${roles.join(' and ')}`;
  return `${member.flags.join(' ')}${of}`;
}

/** A directory from already read sources (`readTeamsFile`, `postgresTeamsInText`, `postgresTeamFromObject`). */
export function buildTeamDirectory(
  sources: readonly TeamSource[],
  policy: OperatorPolicy,
  options: TeamDirectoryOptions = {},
): TeamDirectory {
  return new TeamDirectory(sources, policy, options);
}

/**
 * A directory from the texts of `--teams` files (PostgresTeam manifests or teams files). Throws
 * PolicyError for a file that cannot be used; `warnings` holds what was read but does not take effect.
 */
export function teamDirectoryFrom(
  texts: readonly { text: string; source: string }[],
  policy: OperatorPolicy,
  options: TeamDirectoryOptions = {},
): { directory: TeamDirectory; warnings: string[] } {
  const sources: TeamSource[] = [];
  const warnings: string[] = [];
  for (const { text, source } of texts) {
    const read = readTeamsFile(text, source);
    sources.push(...read.sources);
    warnings.push(...read.warnings);
  }
  const directory = buildTeamDirectory(sources, policy, options);
  return { directory, warnings: [...warnings, ...directory.notes] };
}

/** The directory of a rule example (`exampleTeams`): every source honoured, as when given explicitly. */
export function exampleTeamDirectory(text: string, policy: OperatorPolicy): TeamDirectory {
  return teamDirectoryFrom([{ text, source: 'example teams' }], policy, {
    honourPostgresTeams: true,
    honourTeamsFiles: true,
  }).directory;
}
