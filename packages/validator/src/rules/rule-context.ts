import type { Postgresql } from '../generated/postgresql.types.js';
import type { OperatorPolicy } from '../policy/operator-policy.js';
import type { TeamDirectory } from '../policy/team-directory.js';
import type { CompiledSchema } from '../schema/compiled-schema.js';

/**
 * A manifest as rules see it: the shape of the CRD, but any field may be missing (a rule runs even
 * when the schema found problems; values of the wrong type and unknown fields are already removed).
 */
export type Loose<T> = T extends readonly (infer U)[]
  ? Loose<U>[]
  : T extends object
    ? { [K in keyof T]?: Loose<T[K]> }
    : T;

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

/** Everything a rule may look at. Rules never do I/O. */
export interface RuleContext {
  /** The manifest, nulls pruned and schema problems removed. */
  object: Loose<Postgresql>;
  /** What the request does; a file is judged as a CREATE unless compared with an older version. */
  operation: Operation;
  /** The previous version of the object, for UPDATE. */
  old?: Loose<Postgresql>;
  /** The schema the object was checked against. */
  schema: CompiledSchema;
  /** The operator's configuration (its v2.0.1 defaults unless a configuration was loaded). */
  policy: OperatorPolicy;
  /** The current time, passed in (rules never read the clock): delete protection compares dates. */
  now: Date;
  /** Who is in which team (PostgresTeam objects, teams files); team member rules are silent without it. */
  teams?: TeamDirectory;
  /** acid-guard's own option: a teamId that a non-empty team directory does not know is an error. */
  requireKnownTeam?: boolean;
}

/** Logins that get a team role in this cluster (empty without a team directory or teamId). */
export function teamLoginsOf(context: Pick<RuleContext, 'teams' | 'object' | 'policy'>): ReadonlySet<string> {
  const teamId = context.object.spec?.teamId;
  if (context.teams === undefined || context.teams.isEmpty || typeof teamId !== 'string' || teamId === '') {
    return new Set();
  }
  return new Set(context.teams.membersOf(teamId, { policy: context.policy }).members.map((m) => m.login));
}
