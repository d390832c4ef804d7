import { isDeepStrictEqual } from 'node:util';
import { child, key } from '../field-path.js';
import { compareQuantities, parseQuantity, type Quantity, quantityWholeGiB } from '../kubernetes/quantity.js';
import type { Rule } from './rule.js';
import type { RuleContext } from './rule-context.js';
import { isStandbyCluster } from './standby.js';

/**
 * Update checks: what a change from the previous version of the manifest does to a running cluster
 * (operator-behaviour.md b.3, b.4, b.6, b.8–b.10, b.18).
 */

type Spec = NonNullable<RuleContext['object']['spec']>;
type Volume = NonNullable<Spec['volume']>;

/** The previous and the new spec, on an UPDATE that has both. */
interface SpecChange {
  before: Spec;
  now: Spec;
}

function specChange(context: RuleContext): SpecChange | undefined {
  if (context.operation !== 'UPDATE') return undefined;
  const before = context.old?.spec;
  const now = context.object.spec;
  return before === undefined || now === undefined ? undefined : { before, now };
}

const VERSION_PATH = 'spec.postgresql.version';
const VOLUME_PATH = 'spec.volume';
const SIZE_PATH = child(VOLUME_PATH, 'size');

/** Go's strconv.Atoi, as `IsBiggerPostgresVersion` compares versions. */
function major(version: string | undefined): number | undefined {
  return version !== undefined && /^[+-]?\d+$/.test(version) ? Number(version) : undefined;
}

/** The old and new major version, when the new one is a version the CRD accepts. */
function versionChange(context: RuleContext, change: SpecChange): { from: number; to: number } | undefined {
  const version = change.now.postgresql?.version;
  if (version === undefined || !context.schema.supportedVersions.includes(version)) return undefined;
  const to = major(version);
  const from = major(change.before.postgresql?.version);
  return to === undefined || from === undefined ? undefined : { from, to };
}

/**
 * Outside a maintenance window the operator puts the old version back in memory (`cluster.go:Update`,
 * `sync.go:Sync`), so a version change waits for the next window. Manifest windows replace the
 * operator's; with `enable_maintenance_windows: false` every moment is inside a window.
 */
function maintenanceWindowNote(context: RuleContext, spec: Spec): string {
  if (!context.policy.enableMaintenanceWindows) return '';
  const own = (spec.maintenanceWindows ?? []).filter((w): w is string => typeof w === 'string' && w !== '');
  const windows = own.length > 0 ? own : context.policy.maintenanceWindows;
  if (windows.length === 0) return '';
  const source = own.length > 0 ? 'spec.maintenanceWindows' : "the operator's maintenance_windows";
  return ` (not before the next maintenance window: the operator holds version changes until then — ${source}: ${windows.join(', ')})`;
}

export const versionDowngrade: Rule = {
  id: 'update/version-downgrade',
  severity: 'error',
  summary: 'A lower `postgresql.version` than the previous one (a major-version downgrade).',
  why: 'PostgreSQL cannot run a data directory with an older major version, and the operator does not try: it logs `postgresql major version unchanged or smaller, no changes needed`. It still builds the pods from the lowered value, so PGVERSION changes and every pod is rolled for nothing (in the next maintenance window when windows are set).',
  exampleOld: 'spec:\n  postgresql:\n    version: "17"\n',
  bad: 'spec:\n  postgresql:\n    version: "16"\n',
  good: 'spec:\n  postgresql:\n    version: "18"\n',
  *check(context) {
    const change = specChange(context);
    const version = change === undefined ? undefined : versionChange(context, change);
    if (change === undefined || version === undefined || version.to >= version.from) return;
    yield {
      path: VERSION_PATH,
      message: `version ${version.from} → ${version.to}: downgrading is not supported — the operator logs "postgresql major version unchanged or smaller, no changes needed" and performs no downgrade, yet the changed PGVERSION rolls every pod${maintenanceWindowNote(context, change.now)}`,
      hint: `write version "${version.from}" again; to run ${version.to}, dump the databases (pg_dump) and restore them into a new cluster with version "${version.to}"`,
    };
  },
};

/** The operator upgrades in place unless the mode is `off` and the team is not allow-listed (`majorVersionUpgrade`). */
function upgradesInPlace(context: RuleContext, teamId: string | undefined): boolean {
  const { majorVersionUpgradeMode, majorVersionUpgradeTeamAllowList } = context.policy;
  return (
    majorVersionUpgradeMode !== 'off' ||
    (teamId !== undefined && majorVersionUpgradeTeamAllowList.includes(teamId))
  );
}

export const versionUpgradeOff: Rule = {
  id: 'update/version-upgrade-off',
  severity: 'warning',
  summary:
    'A higher `postgresql.version` while the operator’s major_version_upgrade_mode is `off` and the team is not in major_version_upgrade_team_allow_list.',
  why: 'The operator then never runs the in-place upgrade, so the data stays on the old major version; the manifest claims a version the cluster does not run, while the changed PGVERSION still rolls every pod (in the next maintenance window when windows are set).',
  examplePolicy: { majorVersionUpgradeMode: 'off' },
  exampleOld: 'spec:\n  postgresql:\n    version: "16"\n',
  bad: 'spec:\n  postgresql:\n    version: "17"\n',
  good: 'spec:\n  postgresql:\n    version: "16"\n',
  *check(context) {
    const change = specChange(context);
    const version = change === undefined ? undefined : versionChange(context, change);
    if (change === undefined || version === undefined || version.to <= version.from) return;
    // A standby is never upgraded in place whatever the mode: version/standby-upgrade reports it.
    if (isStandbyCluster(change.now)) return;
    const teamId = change.now.teamId;
    if (upgradesInPlace(context, teamId)) return;
    const team = teamId === undefined ? 'the team' : `team ${JSON.stringify(teamId)}`;
    yield {
      path: VERSION_PATH,
      message: `version ${version.from} → ${version.to} while major_version_upgrade_mode is "off" and ${team} is not in major_version_upgrade_team_allow_list: the operator performs no major version upgrade, so the data stays on ${version.from}, yet the changed PGVERSION rolls every pod${maintenanceWindowNote(context, change.now)}`,
      hint: `keep version "${version.from}" until the operator's admins set major_version_upgrade_mode to manual or add ${team} to major_version_upgrade_team_allow_list; or clone the cluster into a new one with version "${version.to}"`,
    };
  },
};

function volumeSize(volume: Volume | undefined): Quantity | undefined {
  return typeof volume?.size === 'string' ? parseQuantity(volume.size) : undefined;
}

/** The old and new volume size, when both are quantities Kubernetes reads. */
function sizeChange(context: RuleContext): { from: Quantity; to: Quantity } | undefined {
  const change = specChange(context);
  const from = volumeSize(change?.before.volume);
  const to = volumeSize(change?.now.volume);
  return from === undefined || to === undefined ? undefined : { from, to };
}

export const volumeShrink: Rule = {
  id: 'update/volume-shrink',
  severity: 'error',
  summary: 'A smaller `volume.size` than the previous one (compared exactly: `2Gi` → `2000Mi` shrinks).',
  why: 'A persistent volume cannot shrink. The operator compares sizes in whole GiB and, for a smaller one, only logs `cannot shrink persistent volume`; but the StatefulSet’s volume claim template changed, so the StatefulSet is replaced, and pods added later get the smaller volume.',
  exampleOld: 'spec:\n  volume:\n    size: 10Gi\n',
  bad: 'spec:\n  volume:\n    size: 8Gi\n',
  good: 'spec:\n  volume:\n    size: 12Gi\n',
  *check(context) {
    const size = sizeChange(context);
    if (size === undefined || compareQuantities(size.to, size.from) >= 0) return;
    const fromGiB = quantityWholeGiB(size.from);
    const toGiB = quantityWholeGiB(size.to);
    const operator =
      toGiB < fromGiB
        ? `cannot shrink persistent volume — the operator keeps the ${fromGiB} GiB volumes and only logs this`
        : `a persistent volume cannot shrink, and the operator, comparing whole GiB (${fromGiB} → ${toGiB}), ignores the change`;
    yield {
      path: SIZE_PATH,
      message: `volume size ${size.from.text} → ${size.to.text}: ${operator}, while the changed volume claim template replaces the StatefulSet and gives pods added later the smaller size`,
      hint: `write size: ${size.from.text} (or more); to use a smaller volume, clone the cluster into a new one with size: ${size.to.text}`,
    };
  },
};

export const volumeSubGiBGrowth: Rule = {
  id: 'update/volume-sub-gib-growth',
  severity: 'warning',
  summary: 'A larger `volume.size` that stays within the same whole GiB (`1.5Gi` → `1.9Gi`).',
  why: 'The operator compares volume sizes in whole GiB, truncated (`quantityToGigabyte`): `1.5Gi` and `1.9Gi` are both 1 GiB, and anything below 1Gi is 0, so such a growth resizes nothing.',
  exampleOld: 'spec:\n  volume:\n    size: 1.5Gi\n',
  bad: 'spec:\n  volume:\n    size: 1.9Gi\n',
  good: 'spec:\n  volume:\n    size: 2Gi\n',
  *check(context) {
    const size = sizeChange(context);
    if (size === undefined || compareQuantities(size.to, size.from) <= 0) return;
    const whole = quantityWholeGiB(size.from);
    if (quantityWholeGiB(size.to) !== whole) return;
    yield {
      path: SIZE_PATH,
      message: `volume size ${size.from.text} → ${size.to.text} resizes nothing: the operator compares whole GiB, truncated, and both are ${whole} GiB`,
      hint: `write size: ${whole + 1n}Gi or more to grow the volumes`,
    };
  },
};

/**
 * The directory of the volume mounted as PGDATA (`generateVolumeMounts`): subPath, read as a
 * `subPathExpr` when isSubPathExpr is true — which only matters when it holds `$(VAR)` references.
 */
function dataMount(volume: Volume | undefined): { subPath: string; expression: boolean } {
  const subPath = volume?.subPath ?? '';
  return { subPath, expression: volume?.isSubPathExpr === true && subPath.includes('$(') };
}

function describeSubPath(subPath: string): string {
  return subPath === '' ? 'the volume root' : JSON.stringify(subPath);
}

export const subPathChanged: Rule = {
  id: 'update/subpath-changed',
  severity: 'error',
  summary: 'A changed `volume.subPath` (or `isSubPathExpr`, for a subPath with `$(VAR)`) on an UPDATE.',
  why: 'subPath chooses the directory of the volume that is mounted as PGDATA. After the change the pods are rolled and every one of them starts on another directory: the cluster’s data stays behind in the old one.',
  exampleOld: 'spec:\n  volume:\n    subPath: pgdata\n',
  bad: 'spec:\n  volume:\n    subPath: data\n',
  good: 'spec:\n  volume:\n    subPath: pgdata\n',
  *check(context) {
    const change = specChange(context);
    if (change === undefined) return;
    const before = dataMount(change.before.volume);
    const now = dataMount(change.now.volume);
    if (before.subPath !== now.subPath) {
      yield {
        path: child(VOLUME_PATH, 'subPath'),
        message: `subPath ${describeSubPath(before.subPath)} → ${describeSubPath(now.subPath)}: at the next rolling update every pod mounts another directory of its volume as PGDATA, and the cluster’s data stays behind in ${describeSubPath(before.subPath)}`,
        hint:
          before.subPath === ''
            ? 'remove subPath again'
            : `write subPath: ${JSON.stringify(before.subPath)} again`,
      };
    } else if (before.expression !== now.expression) {
      yield {
        path: child(VOLUME_PATH, 'isSubPathExpr'),
        message: `isSubPathExpr changed: subPath ${JSON.stringify(now.subPath)} is now read ${now.expression ? 'as an expression, its $(VAR) references expanded' : 'literally, $(VAR) included'}, so every pod mounts another directory as PGDATA at the next rolling update and the cluster’s data stays behind`,
        hint: `write isSubPathExpr: ${before.expression} again`,
      };
    }
  },
};

/** The operator passes an empty storageClass on as "no class" (the cluster default). */
function describeClass(storageClass: string): string {
  return storageClass === '' ? 'the cluster’s default class' : JSON.stringify(storageClass);
}

export const storageClassChanged: Rule = {
  id: 'update/storage-class-changed',
  severity: 'warning',
  summary: 'A changed `volume.storageClass` on an UPDATE.',
  why: 'The class is part of the StatefulSet’s volume claim template, so the operator replaces the StatefulSet; the existing PersistentVolumeClaims are not touched and keep their class. Only pods added later get volumes of the new class.',
  exampleOld: 'spec:\n  volume:\n    storageClass: gp2\n',
  bad: 'spec:\n  volume:\n    storageClass: gp3\n',
  good: 'spec:\n  volume:\n    storageClass: gp2\n',
  *check(context) {
    const change = specChange(context);
    if (change === undefined) return;
    const before = change.before.volume?.storageClass ?? '';
    const now = change.now.volume?.storageClass ?? '';
    if (before === now) return;
    yield {
      path: child(VOLUME_PATH, 'storageClass'),
      message: `storageClass ${describeClass(before)} → ${describeClass(now)}: the operator replaces the StatefulSet, but the existing PersistentVolumeClaims keep ${describeClass(before)}; only pods added later get ${describeClass(now)}`,
      hint: `${before === '' ? 'remove storageClass again' : `write storageClass: ${before} again`}; to move the data to ${describeClass(now)}, clone the cluster into a new one with that storageClass`,
    };
  },
};

/** A selector without requirements selects the same as none. */
function selectorOf(volume: Volume | undefined): unknown {
  const selector = volume?.selector;
  const matchLabels = Object.keys(selector?.matchLabels ?? {}).length > 0 ? selector?.matchLabels : undefined;
  const matchExpressions =
    (selector?.matchExpressions ?? []).length > 0 ? selector?.matchExpressions : undefined;
  return matchLabels === undefined && matchExpressions === undefined
    ? undefined
    : { matchLabels, matchExpressions };
}

export const selectorChanged: Rule = {
  id: 'update/selector-changed',
  severity: 'warning',
  summary: 'A changed `volume.selector` on an UPDATE.',
  why: 'The selector is part of the StatefulSet’s volume claim template, so the operator replaces the StatefulSet; the existing PersistentVolumeClaims stay bound to the volumes they have. Only pods added later are matched with the new selector.',
  exampleOld: 'spec:\n  volume:\n    selector:\n      matchLabels:\n        tier: fast\n',
  bad: 'spec:\n  volume:\n    selector:\n      matchLabels:\n        tier: bulk\n',
  good: 'spec:\n  volume:\n    selector:\n      matchLabels:\n        tier: fast\n',
  *check(context) {
    const change = specChange(context);
    if (change === undefined) return;
    if (isDeepStrictEqual(selectorOf(change.before.volume), selectorOf(change.now.volume))) return;
    yield {
      path: child(VOLUME_PATH, 'selector'),
      message:
        'volume.selector changed: the operator replaces the StatefulSet, but the existing PersistentVolumeClaims stay bound to their volumes; only pods added later are matched with the new selector',
      hint: 'restore the previous selector; to move the data to other volumes, clone the cluster into a new one with the new selector',
    };
  },
};

/** The clone section as the operator uses it: only with a cluster name does it produce CLONE_* variables. */
function effectiveClone(spec: Spec): unknown {
  const clone = spec.clone;
  return typeof clone?.cluster === 'string' && clone.cluster !== '' ? clone : undefined;
}

function effectiveInitdb(spec: Spec): unknown {
  const initdb = spec.patroni?.initdb;
  return initdb === undefined || Object.keys(initdb).length === 0 ? undefined : initdb;
}

export const bootstrapOnlyChanged: Rule = {
  id: 'update/bootstrap-only-changed',
  severity: 'warning',
  summary: 'A changed `clone` or `patroni.initdb` section on an UPDATE.',
  why: 'Both are used only when the cluster is bootstrapped. They stay in the pod spec (CLONE_* variables, SPILO_CONFIGURATION), so changing or removing them later rolls every pod — and has no effect on the running cluster.',
  exampleOld: 'spec:\n  patroni:\n    initdb:\n      data-checksums: "true"\n',
  bad: 'spec:\n  patroni:\n    initdb:\n      data-checksums: "true"\n      locale: en_US.UTF-8\n',
  good: 'spec:\n  patroni:\n    initdb:\n      data-checksums: "true"\n',
  *check(context) {
    const change = specChange(context);
    if (change === undefined) return;
    if (!isDeepStrictEqual(effectiveClone(change.before), effectiveClone(change.now))) {
      yield {
        path: child('spec', 'clone'),
        message:
          'clone changed after the cluster was bootstrapped: the clone section is used only at bootstrap, but its CLONE_* variables are in the pod spec, so this rolls every pod without any effect',
        hint: 'restore the previous clone section; to restore from another source or point in time, create a new cluster with this clone section',
      };
    }
    if (!isDeepStrictEqual(effectiveInitdb(change.before), effectiveInitdb(change.now))) {
      yield {
        path: child(child('spec', 'patroni'), 'initdb'),
        message:
          'patroni.initdb changed after the cluster was bootstrapped: initdb options apply only when the data directory is created, but they are in the pod spec, so this rolls every pod without any effect',
        hint: 'restore the previous initdb options; to get the new ones, clone the cluster into a new one that has them',
      };
    }
  },
};

/** Where a cluster is made a standby: its standby section, else its STANDBY_WALE_*_PREFIX variable. */
function standbyPath(spec: Spec): string {
  return spec.standby === undefined ? child('spec', 'env') : child('spec', 'standby');
}

export const standbyAdded: Rule = {
  id: 'update/standby-added',
  severity: 'warning',
  summary: 'A `standby` section added to a cluster that was not a standby.',
  why: 'The operator patches Patroni’s standby_cluster configuration on the running cluster: its primary becomes a read-only standby leader that must follow the source, which works only when this cluster’s data came from that source. The operator’s documentation discourages it.',
  exampleOld: 'spec:\n  numberOfInstances: 1\n',
  bad: 'spec:\n  numberOfInstances: 1\n  standby:\n    s3_wal_path: s3://backups/spilo/acid-source/wal/17\n',
  good: 'spec:\n  numberOfInstances: 1\n',
  *check(context) {
    const change = specChange(context);
    if (change === undefined || isStandbyCluster(change.before) || !isStandbyCluster(change.now)) return;
    yield {
      path: standbyPath(change.now),
      message:
        'standby added to a running cluster: the operator reconfigures Patroni so that the primary stops accepting writes and follows the standby source, which fails unless this cluster’s data came from that source',
      hint: 'remove standby again; to get a standby of the source, create a new cluster with this standby section',
    };
  },
};

export const standbyRemoved: Rule = {
  id: 'update/standby-removed',
  severity: 'warning',
  summary: 'The `standby` section removed: the standby cluster is promoted.',
  why: 'Removing the section promotes the cluster: the operator removes Patroni’s standby_cluster configuration, the standby leader becomes a writable primary and stops following its source, and the operator starts syncing users and databases. It cannot be undone — adding standby back to a promoted cluster is discouraged.',
  exampleOld:
    'spec:\n  numberOfInstances: 1\n  standby:\n    s3_wal_path: s3://backups/spilo/acid-source/wal/17\n',
  bad: 'spec:\n  numberOfInstances: 1\n',
  good: 'spec:\n  numberOfInstances: 1\n  standby:\n    s3_wal_path: s3://backups/spilo/acid-source/wal/17\n',
  *check(context) {
    const change = specChange(context);
    if (change === undefined || !isStandbyCluster(change.before) || isStandbyCluster(change.now)) return;
    yield {
      path: standbyPath(change.before),
      message:
        'standby removed: this promotes the cluster — it becomes a writable primary, stops following its source for good, and the operator starts creating its users and databases',
      hint: 'keep the standby section until you mean to promote this cluster (e.g. to switch over to it); promotion cannot be undone',
    };
  },
};

const USERS_PATH = child('spec', 'users');

type FlagList = readonly (string | undefined)[] | undefined;

/** The role attributes of `normalizeUserFlags`, without the NO prefix. */
const ROLE_FLAGS = ['SUPERUSER', 'LOGIN', 'CREATEDB', 'INHERIT', 'REPLICATION', 'BYPASSRLS', 'CREATEROLE'];

function flagTexts(flags: FlagList): string[] {
  return (flags ?? []).filter((flag): flag is string => typeof flag === 'string');
}

function writtenFlags(flags: FlagList): Set<string> {
  return new Set(flagTexts(flags).map((flag) => flag.toUpperCase()));
}

/**
 * The attributes the operator grants (`normalizeUserFlags`): the positive flags written, plus LOGIN
 * unless LOGIN or NOLOGIN is written. NOLOGIN itself is dropped from the list.
 */
function grantedFlags(flags: FlagList): Set<string> {
  const written = writtenFlags(flags);
  const granted = new Set(ROLE_FLAGS.filter((flag) => written.has(flag)));
  if (!written.has('NOLOGIN')) granted.add('LOGIN');
  return granted;
}

/**
 * Attributes granted before and neither granted nor revoked now. The sync only adds the flags missing
 * in the database (`ProduceSyncRequests`), so a flag is revoked only by its NO… form — except LOGIN:
 * NOLOGIN never reaches the sync, so the operator cannot revoke LOGIN at all.
 */
function keptFlags(before: FlagList, now: FlagList): string[] {
  const written = writtenFlags(now);
  const granted = grantedFlags(now);
  return [...grantedFlags(before)].filter(
    (flag) => !granted.has(flag) && (flag === 'LOGIN' || !written.has(`NO${flag}`)),
  );
}

export const flagRemoved: Rule = {
  id: 'update/flag-removed',
  severity: 'warning',
  summary: 'A role flag removed from a user (`[superuser]` → `[]`): the role keeps it.',
  why: 'Flags are additive: the operator only grants the flags a role lacks and never strips one (`pkg/util/users`), so removing `superuser` leaves the role a superuser (#2467). A flag is revoked only by writing its negation, e.g. `nosuperuser`. LOGIN cannot be revoked by the operator at all: it leaves `nologin` out of what it applies to an existing role.',
  exampleOld: 'spec:\n  users:\n    app_user: [superuser]\n',
  bad: 'spec:\n  users:\n    app_user: []\n',
  good: 'spec:\n  users:\n    app_user: [nosuperuser]\n',
  *check(context) {
    const change = specChange(context);
    if (change === undefined) return;
    for (const [name, flags] of Object.entries(change.now.users ?? {})) {
      const before = change.before.users?.[name];
      if (before === undefined) continue;
      const kept = keptFlags(before, flags);
      if (kept.length === 0) continue;
      const revocable = kept.filter((flag) => flag !== 'LOGIN');
      const negations = revocable.map((flag) => `no${flag.toLowerCase()}`);
      const written = flagTexts(flags);
      const hints: string[] = [];
      if (revocable.length > 0) {
        hints.push(
          `write ${negations.join(', ')} to revoke ${revocable.length === 1 ? 'it' : 'them'}: ${name}: [${[...written, ...negations].join(', ')}]`,
        );
      }
      if (kept.includes('LOGIN')) {
        hints.push(`run ALTER ROLE "${name}" NOLOGIN; yourself — the operator never revokes LOGIN`);
      }
      yield {
        path: key(USERS_PATH, name),
        message: `user ${JSON.stringify(name)} no longer lists ${kept.join(', ')}, but the operator never revokes a flag (it only adds missing ones): the role keeps ${kept.length === 1 ? 'it' : 'them'}`,
        hint: hints.join('; '),
      };
    }
  },
};

export const userRemoved: Rule = {
  id: 'update/user-removed',
  severity: 'warning',
  target: 'key',
  summary: 'A user removed from `users`: the role is not dropped.',
  why: 'The operator never drops a role or strips its flags (#2467, #263, #2046): a user removed from the manifest keeps existing in the database, with its flags, memberships and password.',
  exampleOld: 'spec:\n  users:\n    app_user: []\n    report_user: []\n',
  bad: 'spec:\n  users:\n    app_user: []\n',
  good: 'spec:\n  users:\n    app_user: []\n    report_user: []\n',
  *check(context) {
    const change = specChange(context);
    if (change === undefined) return;
    const now = change.now.users ?? {};
    for (const name of Object.keys(change.before.users ?? {})) {
      if (Object.hasOwn(now, name)) continue;
      yield {
        path: key(USERS_PATH, name),
        message: `user ${JSON.stringify(name)} was removed, but the operator never drops a role: it stays in the database with its flags and password`,
        hint: `keep it listed as ${name}: [nologin] and run ALTER ROLE "${name}" NOLOGIN; to bar logins, or drop it yourself (REASSIGN OWNED BY "${name}" TO …; DROP OWNED BY "${name}"; DROP ROLE "${name}";)`,
      };
    }
  },
};

const DATABASE_MAPS = ['databases', 'preparedDatabases'] as const;

export const databaseRemoved: Rule = {
  id: 'update/database-removed',
  severity: 'warning',
  target: 'key',
  summary: 'A database removed from `databases` or `preparedDatabases`: it is not dropped.',
  why: 'The operator only creates databases and changes their owner; removing an entry from the manifest never drops the database, which keeps its data (and, for prepared databases, its roles).',
  exampleOld: 'spec:\n  users:\n    app_user: []\n  databases:\n    app: app_user\n    reports: app_user\n',
  bad: 'spec:\n  users:\n    app_user: []\n  databases:\n    app: app_user\n',
  good: 'spec:\n  users:\n    app_user: []\n  databases:\n    app: app_user\n    reports: app_user\n',
  *check(context) {
    const change = specChange(context);
    if (change === undefined) return;
    for (const field of DATABASE_MAPS) {
      const now = change.now[field] ?? {};
      for (const name of Object.keys(change.before[field] ?? {})) {
        if (Object.hasOwn(now, name)) continue;
        yield {
          path: key(child('spec', field), name),
          message: `database ${JSON.stringify(name)} was removed from ${field}, but the operator never drops a database: it stays, with its data`,
          hint: `to remove it, run DROP DATABASE "${name}"; yourself; otherwise keep the entry so the manifest says what exists`,
        };
      }
    }
  },
};

export const UPDATE_RULES: readonly Rule[] = [
  versionDowngrade,
  versionUpgradeOff,
  volumeShrink,
  volumeSubGiBGrowth,
  subPathChanged,
  storageClassChanged,
  selectorChanged,
  bootstrapOnlyChanged,
  standbyAdded,
  standbyRemoved,
  userRemoved,
  flagRemoved,
  databaseRemoved,
];
