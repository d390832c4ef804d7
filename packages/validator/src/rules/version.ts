import { child } from '../field-path.js';
import type { OperatorPolicy } from '../policy/operator-policy.js';
import type { Rule } from './rule.js';
import type { RuleContext } from './rule-context.js';
import { isStandbyCluster } from './standby.js';

const VERSION_PATH = child(child('spec', 'postgresql'), 'version');
const IMAGE_PATH = child('spec', 'dockerImage');

/** The manifest's version as a number, when the CRD accepts it (the schema reports the others). */
function manifestMajor(context: RuleContext): number | undefined {
  const version = context.object.spec?.postgresql?.version;
  if (typeof version !== 'string' || !context.schema.supportedVersions.includes(version)) return undefined;
  return toMajor(version);
}

/** Go's strconv.Atoi, as `IsBiggerPostgresVersion` compares versions. */
function toMajor(version: string | undefined): number | undefined {
  return version !== undefined && /^[+-]?\d+$/.test(version) ? Number(version) : undefined;
}

/**
 * `GetDesiredMajorVersion`: with `major_version_upgrade_mode: full`, a version below
 * `minimal_major_version` is replaced by `target_major_version` (the manifest is not patched).
 */
function forcedTarget(major: number, policy: OperatorPolicy): number | undefined {
  if (policy.majorVersionUpgradeMode !== 'full') return undefined;
  const minimal = toMajor(policy.minimalMajorVersion);
  const target = toMajor(policy.targetMajorVersion);
  return minimal !== undefined && target !== undefined && major < minimal ? target : undefined;
}

/** The last path segment of an image reference without tag and digest: `reg:5000/a/spilo-16:3.2@sha256:…` → `spilo-16`. */
export function imageName(image: string): string {
  const withoutDigest = image.split('@')[0] ?? '';
  const last = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1);
  const colon = last.indexOf(':');
  return colon < 0 ? last : last.slice(0, colon);
}

/** The newest PostgreSQL major a Spilo image ships, from its name `spilo-<N>`; undefined for other names. */
export function spiloMajor(image: string): number | undefined {
  const match = /(?:^|[-_.])spilo-(\d+)$/.exec(imageName(image));
  return match === null ? undefined : Number(match[1]);
}

export const imageTooOld: Rule = {
  id: 'version/image-too-old',
  severity: 'error',
  summary:
    'A Spilo image `spilo-<N>` (spec.dockerImage, else the operator’s docker_image) older than the PostgreSQL version to run.',
  why: 'A spilo-N image contains PostgreSQL binaries up to major N only. The operator sets PGVERSION to the manifest’s version (or to target_major_version in `full` upgrade mode), Spilo finds no binaries for it, and the pods never start.',
  bad: 'spec:\n  dockerImage: ghcr.io/zalando/spilo-16:3.3-p3\n  postgresql:\n    version: "17"\n',
  good: 'spec:\n  dockerImage: ghcr.io/zalando/spilo-17:4.0-p3\n  postgresql:\n    version: "17"\n',
  *check(context) {
    const major = manifestMajor(context);
    if (major === undefined) return;
    const own = context.object.spec?.dockerImage;
    const fromManifest = typeof own === 'string' && own !== '';
    const image = fromManifest ? own : context.policy.dockerImage;
    const shipped = spiloMajor(image);
    const forced = forcedTarget(major, context.policy);
    const needed = forced ?? major;
    if (shipped === undefined || needed <= shipped) return;
    const why =
      forced === undefined
        ? `version ${major}`
        : `version ${forced} (major_version_upgrade_mode full raises ${major} to target_major_version ${forced})`;
    const source = fromManifest ? 'image' : "the operator's docker_image";
    const defaultSuffices = (spiloMajor(context.policy.dockerImage) ?? 0) >= needed;
    yield {
      path: fromManifest ? IMAGE_PATH : VERSION_PATH,
      message: `${source} ${JSON.stringify(image)} ships PostgreSQL up to ${shipped}, but the cluster needs ${why}`,
      hint: fromManifest
        ? `use a spilo-${needed} image or newer${defaultSuffices ? `, or remove dockerImage to get the operator's ${context.policy.dockerImage}` : ''}`
        : `write version "${shipped}" or lower, or set spec.dockerImage to a spilo-${needed} image or newer`,
    };
  },
};

export const forcedUpgrade: Rule = {
  id: 'version/forced-upgrade',
  severity: 'warning',
  summary: 'A version below the operator’s minimal_major_version while major_version_upgrade_mode is `full`.',
  why: 'The operator then runs target_major_version instead (`overwriting configured major version … to …`) and upgrades the cluster in its next maintenance window, but never writes that back: the manifest keeps claiming the old version.',
  examplePolicy: { majorVersionUpgradeMode: 'full', minimalMajorVersion: '16', targetMajorVersion: '18' },
  bad: 'spec:\n  postgresql:\n    version: "15"\n',
  good: 'spec:\n  postgresql:\n    version: "18"\n',
  *check(context) {
    const major = manifestMajor(context);
    if (major === undefined) return;
    const target = forcedTarget(major, context.policy);
    if (target === undefined) return;
    yield {
      path: VERSION_PATH,
      message: `version ${major} is below minimal_major_version ${context.policy.minimalMajorVersion} and major_version_upgrade_mode is full: the operator upgrades the cluster to ${target} ("overwriting configured major version ${major} to ${target}") while the manifest still says ${major}`,
      hint: `write version "${target}" so the manifest says what runs`,
    };
  },
};

export const standbyUpgrade: Rule = {
  id: 'version/standby-upgrade',
  severity: 'error',
  summary: 'A higher `postgresql.version` on an UPDATE of a standby cluster.',
  why: 'Standby clusters are never upgraded in place: the operator logs `skipping major version upgrade for <cluster> standby cluster. Re-deploy standby cluster with the required Postgres version specified`, while the changed version still rolls the pods. A standby must run the version of its source.',
  exampleOld:
    'spec:\n  numberOfInstances: 1\n  standby:\n    s3_wal_path: s3://backups/spilo/acid-source/wal/16\n  postgresql:\n    version: "16"\n',
  bad: 'spec:\n  numberOfInstances: 1\n  standby:\n    s3_wal_path: s3://backups/spilo/acid-source/wal/16\n  postgresql:\n    version: "17"\n',
  good: 'spec:\n  numberOfInstances: 1\n  standby:\n    s3_wal_path: s3://backups/spilo/acid-source/wal/16\n  postgresql:\n    version: "16"\n',
  *check(context) {
    if (context.operation !== 'UPDATE' || context.old === undefined) return;
    if (!isStandbyCluster(context.object.spec)) return;
    const major = manifestMajor(context);
    const previous = toMajor(context.old.spec?.postgresql?.version);
    // A lower version is a downgrade, reported by its own rule.
    if (major === undefined || previous === undefined || major <= previous) return;
    const name = context.object.metadata?.name ?? 'this cluster';
    yield {
      path: VERSION_PATH,
      message: `version ${previous} → ${major}: standby clusters are never upgraded in place ("skipping major version upgrade for ${name} standby cluster. Re-deploy standby cluster with the required Postgres version specified")`,
      hint: `keep version "${previous}"; to move to ${major}, upgrade the source cluster, then re-create this standby with version "${major}"`,
    };
  },
};

export const VERSION_RULES: readonly Rule[] = [imageTooOld, forcedUpgrade, standbyUpgrade];
