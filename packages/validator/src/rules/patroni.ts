import { child, index, key } from '../field-path.js';
import type { Problem, Rule } from './rule.js';
import type { RuleContext } from './rule-context.js';

type Spec = NonNullable<RuleContext['object']['spec']>;
type Patroni = NonNullable<Spec['patroni']>;

const PATRONI_PATH = child('spec', 'patroni');

/** Fields that are `uint32` in the operator's Go types but plain int32 without a minimum in the CRD. */
const UNSIGNED_PATRONI_FIELDS = ['ttl', 'loop_wait', 'retry_timeout', 'synchronous_node_count'] as const;

/** Go encoding/json's message for a negative number decoded into a uint32 struct field. */
function goUnsignedError(value: number, struct: string, jsonPath: string): string {
  return `json: cannot unmarshal number ${value} into Go struct field ${struct}.${jsonPath} of type uint32`;
}

export const negativeUnsigned: Rule = {
  id: 'decode/negative-unsigned',
  severity: 'error',
  summary:
    'A negative `patroni.ttl`, `loop_wait`, `retry_timeout`, `synchronous_node_count` or `streams[].batchSize`.',
  why: 'The CRD allows any 32-bit integer, but the operator decodes these fields as unsigned: a negative value makes the whole manifest undecodable. The operator skips the cluster, sets status CreateFailed/UpdateFailed/SyncFailed and emits a Warning event with Go’s `json: cannot unmarshal number …` message.',
  bad: 'spec:\n  patroni:\n    ttl: -1\n',
  good: 'spec:\n  patroni:\n    ttl: 30\n',
  *check(context) {
    const spec = context.object.spec;
    for (const field of UNSIGNED_PATRONI_FIELDS) {
      const value = spec?.patroni?.[field];
      if (typeof value !== 'number' || value >= 0) continue;
      yield {
        path: child(PATRONI_PATH, field),
        message: goUnsignedError(value, 'Patroni', `spec.patroni.${field}`),
        hint: `write a number of 0 or more, or remove ${field} to keep Patroni's default`,
      };
    }
    for (const [i, stream] of (spec?.streams ?? []).entries()) {
      const value = stream?.batchSize;
      if (typeof value !== 'number' || value >= 0) continue;
      yield {
        path: child(index(child('spec', 'streams'), i), 'batchSize'),
        message: goUnsignedError(value, 'Stream', 'spec.streams.batchSize'),
        hint: 'write a positive batch size, or remove batchSize to keep the default',
      };
    }
  },
};

/** Patroni's defaults; the operator passes ttl, loop_wait and retry_timeout on only when > 0. */
const PATRONI_TIMING_DEFAULTS = { ttl: 30, loop_wait: 10, retry_timeout: 10 } as const;
type TimingField = keyof typeof PATRONI_TIMING_DEFAULTS;

interface Timing {
  value: number;
  /** Written in the manifest (> 0), not Patroni's default. */
  set: boolean;
}

function timing(patroni: Patroni, field: TimingField): Timing | undefined {
  const value = patroni[field];
  if (typeof value === 'number' && value < 0) return undefined;
  return typeof value === 'number' && value > 0
    ? { value, set: true }
    : { value: PATRONI_TIMING_DEFAULTS[field], set: false };
}

function describe(field: TimingField, { value, set }: Timing): string {
  return `${field} ${value}${set ? '' : ' (Patroni default)'}`;
}

export const timingRule: Rule = {
  id: 'patroni/timing',
  severity: 'warning',
  summary:
    'Patroni timings that break `loop_wait + 2 × retry_timeout ≤ ttl` (defaults ttl 30, loop_wait 10, retry_timeout 10).',
  why: 'Patroni’s documentation requires this rule: otherwise the leader key can expire while the primary is still retrying the DCS, and a healthy primary is demoted — needless failovers.',
  bad: 'spec:\n  patroni:\n    ttl: 20\n    retry_timeout: 10\n',
  good: 'spec:\n  patroni:\n    ttl: 30\n    retry_timeout: 10\n',
  *check(context) {
    const patroni = context.object.spec?.patroni;
    if (patroni === undefined) return;
    const ttl = timing(patroni, 'ttl');
    const loopWait = timing(patroni, 'loop_wait');
    const retryTimeout = timing(patroni, 'retry_timeout');
    if (ttl === undefined || loopWait === undefined || retryTimeout === undefined) return;
    if (!ttl.set && !loopWait.set && !retryTimeout.set) return;
    const needed = loopWait.value + 2 * retryTimeout.value;
    if (needed <= ttl.value) return;
    const at = ttl.set ? 'ttl' : loopWait.set ? 'loop_wait' : 'retry_timeout';
    yield {
      path: child(PATRONI_PATH, at),
      message: `${describe('loop_wait', loopWait)} + 2 × ${describe('retry_timeout', retryTimeout)} = ${needed} exceeds ${describe('ttl', ttl)}: Patroni requires loop_wait + 2 × retry_timeout ≤ ttl`,
      hint: `raise ttl to at least ${needed}, or lower loop_wait or retry_timeout`,
    };
  },
};

export const strictWithoutSync: Rule = {
  id: 'patroni/strict-without-sync',
  severity: 'warning',
  summary: '`synchronous_mode_strict: true` without `synchronous_mode: true`.',
  why: 'Strict mode only changes how synchronous mode behaves when no synchronous replica is left; without synchronous_mode replication stays asynchronous and the setting does nothing.',
  bad: 'spec:\n  patroni:\n    synchronous_mode_strict: true\n',
  good: 'spec:\n  patroni:\n    synchronous_mode: true\n    synchronous_mode_strict: true\n',
  *check(context) {
    const patroni = context.object.spec?.patroni;
    if (patroni?.synchronous_mode_strict !== true || patroni.synchronous_mode === true) return;
    yield {
      path: child(PATRONI_PATH, 'synchronous_mode_strict'),
      message:
        'synchronous_mode_strict has no effect without synchronous_mode: replication stays asynchronous',
      hint: 'add synchronous_mode: true, or remove synchronous_mode_strict',
    };
  },
};

export const syncCountTooHigh: Rule = {
  id: 'patroni/sync-count-too-high',
  severity: 'warning',
  summary: '`synchronous_node_count` of at least `numberOfInstances` with synchronous mode on.',
  why: 'Only the replicas can be synchronous (numberOfInstances − 1 of them): Patroni can never reach the requested count, every replica becomes synchronous, each commit waits for all of them, and with synchronous_mode_strict a lost replica stops writes.',
  bad: 'spec:\n  patroni:\n    synchronous_mode: true\n    synchronous_node_count: 2\n',
  good: 'spec:\n  patroni:\n    synchronous_mode: true\n    synchronous_node_count: 1\n',
  *check(context) {
    const spec = context.object.spec;
    const count = spec?.patroni?.synchronous_node_count;
    const instances = spec?.numberOfInstances;
    if (
      spec?.patroni?.synchronous_mode !== true ||
      typeof count !== 'number' ||
      typeof instances !== 'number'
    ) {
      return;
    }
    if (instances < 1 || count < instances) return;
    yield {
      path: child(PATRONI_PATH, 'synchronous_node_count'),
      message: `synchronous_node_count ${count} needs ${count} synchronous replicas, but numberOfInstances ${instances} leaves ${instances - 1}`,
      hint:
        instances > 1
          ? `write synchronous_node_count: ${instances - 1} or less, or raise numberOfInstances to ${count + 1}`
          : `raise numberOfInstances to ${count + 1}, or turn synchronous_mode off`,
    };
  },
};

/** Patroni's `slot_name_re`: what a permanent slot may be called. */
const SLOT_NAME = /^[a-z0-9_]{1,63}$/;

function slotEntries(context: RuleContext): [string, Record<string, string | undefined>][] {
  const slots = context.object.spec?.patroni?.slots;
  if (slots === undefined) return [];
  return Object.entries(slots).flatMap(([name, slot]) => (slot === undefined ? [] : [[name, slot]]));
}

const SLOTS_PATH = child(PATRONI_PATH, 'slots');

export const invalidSlotName: Rule = {
  id: 'patroni/invalid-slot-name',
  severity: 'error',
  target: 'key',
  summary: 'A permanent replication slot whose name is not lower-case letters, digits and `_` (at most 63).',
  why: 'Patroni refuses the slot (`Invalid permanent replication slot name`) and only logs it: the slot is never created, and a consumer relying on it loses WAL.',
  bad: 'spec:\n  patroni:\n    slots:\n      cdc-slot:\n        type: physical\n',
  good: 'spec:\n  patroni:\n    slots:\n      cdc_slot:\n        type: physical\n',
  *check(context) {
    for (const [name] of slotEntries(context)) {
      if (SLOT_NAME.test(name)) continue;
      const fixed = name
        .toLowerCase()
        .replace(/[^a-z0-9_]/g, '_')
        .slice(0, 63);
      yield {
        path: key(SLOTS_PATH, name),
        message: `Patroni ignores permanent slot ${JSON.stringify(name)}: slot names may only contain lower case letters, numbers and the underscore, at most 63`,
        hint: fixed === '' ? 'name the slot with lower case letters, digits and _' : `name it ${fixed}`,
      };
    }
  },
};

/** Why Patroni would not create this slot as meant, or undefined. */
function slotProblem(name: string, slot: Record<string, string | undefined>): Problem | undefined {
  const path = key(SLOTS_PATH, name);
  const { type, database, plugin } = slot;
  const hasDatabase = database !== undefined && database !== '';
  const hasPlugin = plugin !== undefined && plugin !== '';
  if (type !== undefined && type !== 'physical' && type !== 'logical') {
    return {
      path: key(path, 'type'),
      message: `Patroni ignores permanent slot ${JSON.stringify(name)}: type ${JSON.stringify(type)} is neither physical nor logical`,
      hint: 'write type: logical (with database and plugin) or type: physical, in lower case',
    };
  }
  if (type === 'logical' && (!hasDatabase || !hasPlugin)) {
    return {
      path,
      message: `Patroni ignores logical slot ${JSON.stringify(name)}: a logical slot needs both database and plugin (missing ${!hasDatabase ? 'database' : 'plugin'})`,
      hint: `add ${!hasDatabase ? 'database: <the database to decode>' : 'plugin: pgoutput (or the decoding plugin your consumer uses)'}`,
    };
  }
  if (type === undefined && hasDatabase !== hasPlugin) {
    return {
      path,
      message: `slot ${JSON.stringify(name)} has a ${hasDatabase ? 'database but no plugin' : 'plugin but no database'}: without both, Patroni creates a physical slot`,
      hint: `add ${hasDatabase ? 'plugin' : 'database'} and type: logical for a logical slot, or remove ${hasDatabase ? 'database' : 'plugin'}`,
    };
  }
  return undefined;
}

export const invalidSlot: Rule = {
  id: 'patroni/invalid-slot',
  severity: 'error',
  summary:
    'A permanent slot whose `type` is not `physical` or `logical`, or a logical slot without `database` and `plugin`.',
  why: 'Patroni refuses such a slot (`Bad value for slot … in permanent_slots`) and only logs it; a slot with just one of database/plugin silently becomes physical. Either way the logical slot a consumer needs never exists.',
  bad: 'spec:\n  patroni:\n    slots:\n      cdc:\n        type: logical\n        database: app\n',
  good: 'spec:\n  patroni:\n    slots:\n      cdc:\n        type: logical\n        database: app\n        plugin: pgoutput\n',
  *check(context) {
    for (const [name, slot] of slotEntries(context)) {
      const problem = slotProblem(name, slot);
      if (problem !== undefined) yield problem;
    }
  },
};

const HBA_HOST_TYPES = new Set(['host', 'hostssl', 'hostnossl', 'hostgssenc', 'hostnogssenc']);
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** The authentication method of a pg_hba line, or undefined for comments and lines it cannot read. */
function hbaMethod(tokens: readonly string[]): string | undefined {
  const type = tokens[0];
  if (type === 'local') return tokens[3];
  if (type === undefined || !HBA_HOST_TYPES.has(type)) return undefined;
  // `host db user 10.0.0.0 255.0.0.0 md5`: an IPv4 address may be followed by a separate netmask.
  const address = tokens[3] ?? '';
  return IPV4.test(address) && IPV4.test(tokens[4] ?? '') ? tokens[5] : tokens[4];
}

interface HbaLine {
  line: string;
  tokens: string[];
  method: string | undefined;
}

function hbaLines(lines: readonly unknown[]): HbaLine[] {
  return lines.flatMap((line) => {
    if (typeof line !== 'string') return [];
    const tokens = line.trim().split(/\s+/);
    return [{ line, tokens, method: hbaMethod(tokens) }];
  });
}

/** Does a line let members of the PAM role log in with pam? */
function isPamLine({ tokens, method }: HbaLine, pamRole: string): boolean {
  const users = (tokens[2] ?? '').split(',');
  return method === 'pam' && (users.includes(`+${pamRole}`) || users.includes('all'));
}

const ANY_ADDRESS = new Set(['all', '0.0.0.0/0', '::/0', '::0/0']);

/** A TCP line for every database, user and address: pg_hba stops at the first match, so nothing after it counts. */
function matchesEveryone({ tokens, method }: HbaLine): boolean {
  const [type, database, users, address] = tokens;
  return (
    method !== undefined &&
    (type === 'host' || type === 'hostssl') &&
    database === 'all' &&
    users === 'all' &&
    ANY_ADDRESS.has(address ?? '')
  );
}

/** Why team members cannot log in with these pg_hba lines, or undefined when they can. */
function pamProblem(lines: readonly HbaLine[], pamRole: string): string | undefined {
  const pamAt = lines.findIndex((line) => isPamLine(line, pamRole));
  if (pamAt < 0) return `pg_hba has no pam line for +${pamRole}`;
  const shadowing = lines.slice(0, pamAt).find(matchesEveryone);
  if (shadowing === undefined) return undefined;
  return `pg_hba line ${JSON.stringify(shadowing.line)} comes before the pam line for +${pamRole} and matches team members first`;
}

export const pgHbaWithoutPam: Rule = {
  id: 'patroni/pg-hba-without-pam',
  severity: 'warning',
  summary:
    'A custom `patroni.pg_hba` without a `pam` line for the team role (or with it after a catch-all line) while the operator creates team member roles.',
  why: 'pg_hba replaces Spilo’s defaults entirely. Team members (Teams API or PostgresTeam) log in with OAuth tokens through PAM; without a line like `hostssl all +zalandos all pam` they cannot log in.',
  examplePolicy: { enableTeamsApi: true },
  bad: 'spec:\n  patroni:\n    pg_hba:\n      - local all all trust\n      - hostssl all all all md5\n',
  good: 'spec:\n  patroni:\n    pg_hba:\n      - local all all trust\n      - hostssl all +zalandos all pam\n      - hostssl all all all md5\n',
  *check(context) {
    const lines = context.object.spec?.patroni?.pg_hba;
    const { enableTeamsApi, enablePostgresTeamCrd, pamRoleName } = context.policy;
    if (!Array.isArray(lines) || lines.length === 0 || !(enableTeamsApi || enablePostgresTeamCrd)) return;
    const problem = pamProblem(hbaLines(lines), pamRoleName);
    if (problem === undefined) return;
    yield {
      path: child(PATRONI_PATH, 'pg_hba'),
      message: `${problem}: team members (${enableTeamsApi ? 'Teams API' : 'PostgresTeam'}) cannot log in`,
      hint: `add "hostssl all +${pamRoleName} all pam" before any line that matches all users`,
    };
  },
};

export const PATRONI_RULES: readonly Rule[] = [
  negativeUnsigned,
  timingRule,
  strictWithoutSync,
  syncCountTooHigh,
  invalidSlotName,
  invalidSlot,
  pgHbaWithoutPam,
];
