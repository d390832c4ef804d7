import { child, index } from '../field-path.js';
import type { AdditionalVolume, Postgresql } from '../generated/postgresql.types.js';
import { isDns1123Label } from '../kubernetes/names.js';
import { closest } from '../suggest.js';
import { podContainers } from './containers.js';
import type { Rule } from './rule.js';
import type { Loose, RuleContext } from './rule-context.js';
import { tlsVolumes } from './tls.js';

/** Rules about spec.additionalVolumes (operator-behaviour.md b.15). */

const PGDATA_MOUNT = '/home/postgres/pgdata';
const SHM_MOUNT = '/dev/shm';
const ALL_CONTAINERS = 'all';

/** Volume names the operator gives its own pod volumes. */
const OPERATOR_VOLUME_NAMES: Readonly<Record<string, string>> = {
  pgdata: 'the data volume (PVC)',
  dshm: 'the /dev/shm volume',
  'postgresql-run': 'the socket volume shared with sidecars',
};

/** Every field of core/v1 VolumeSource, as the JSON names them. */
const VOLUME_SOURCE_TYPES = [
  'hostPath',
  'emptyDir',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'persistentVolumeClaim',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'downwardAPI',
  'fc',
  'azureFile',
  'configMap',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'projected',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
  'image',
] as const;
type VolumeSourceType = (typeof VOLUME_SOURCE_TYPES)[number];

/** Fields Kubernetes requires inside some source types ("Required value"). */
const REQUIRED_SOURCE_FIELDS: Partial<Record<VolumeSourceType, readonly string[]>> = {
  persistentVolumeClaim: ['claimName'],
  configMap: ['name'],
  secret: ['secretName'],
  hostPath: ['path'],
  nfs: ['server', 'path'],
  csi: ['driver'],
};

type Entry = Readonly<Record<string, unknown>>;

function isEntry(value: unknown): value is Entry {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The operator decodes with Go's encoding/json, which matches keys case-insensitively:
 * `PersistentVolumeClaim` works like `persistentVolumeClaim` (b.1).
 */
function sourceType(key: string): VolumeSourceType | undefined {
  const lower = key.toLowerCase();
  return VOLUME_SOURCE_TYPES.find((type) => type.toLowerCase() === lower);
}

function fieldOf(entry: Entry, field: string): unknown {
  const exact = entry[field];
  if (exact !== undefined) return exact;
  const key = Object.keys(entry).find((k) => k.toLowerCase() === field.toLowerCase());
  return key === undefined ? undefined : entry[key];
}

interface IndexedVolume {
  volume: Loose<AdditionalVolume>;
  path: string;
}

function additionalVolumes(object: Loose<Postgresql>): IndexedVolume[] {
  const volumes: IndexedVolume[] = [];
  (object.spec?.additionalVolumes ?? []).forEach((volume, i) => {
    if (volume !== undefined) volumes.push({ volume, path: index('spec.additionalVolumes', i) });
  });
  return volumes;
}

/** Mount paths compared as the container runtime sees them: trailing slashes do not matter. */
function normalisedMountPath(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') || '/' : path;
}

/** Containers that get the mount: no targets = postgres only; `all` = every container (not init containers). */
function targetsPostgres(volume: Loose<AdditionalVolume>): boolean {
  const targets = volume.targetContainers ?? [];
  return targets.length === 0 || targets.includes('postgres') || targets.includes(ALL_CONTAINERS);
}

function shmMounted(context: RuleContext): boolean {
  return context.object.spec?.enableShmVolume === true || context.policy.enableShmVolume;
}

const duplicateName: Rule = {
  id: 'volumes/duplicate-name',
  severity: 'error',
  summary: 'Two additionalVolumes with the same name.',
  why: 'Each entry becomes a pod volume of that name; Kubernetes refuses a pod with two volumes of one name, so the StatefulSet cannot be created or updated.',
  bad: 'spec:\n  additionalVolumes:\n    - name: scratch\n      mountPath: /scratch\n      volumeSource:\n        emptyDir: {}\n    - name: scratch\n      mountPath: /cache\n      volumeSource:\n        emptyDir: {}\n',
  good: 'spec:\n  additionalVolumes:\n    - name: scratch\n      mountPath: /scratch\n      volumeSource:\n        emptyDir: {}\n    - name: cache\n      mountPath: /cache\n      volumeSource:\n        emptyDir: {}\n',
  *check(context) {
    const firsts = new Map<string, string>();
    for (const { volume, path } of additionalVolumes(context.object)) {
      if (volume.name === undefined) continue;
      const first = firsts.get(volume.name);
      if (first === undefined) {
        firsts.set(volume.name, path);
        continue;
      }
      yield {
        path: child(path, 'name'),
        message: `volume name "${volume.name}" is already used by ${first}: Kubernetes refuses a pod with two volumes of one name`,
        hint: 'give every additional volume its own name',
      };
    }
  },
};

const reservedName: Rule = {
  id: 'volumes/reserved-name',
  severity: 'error',
  summary:
    'An additional volume named like a volume of the operator: pgdata, dshm, postgresql-run or a TLS secret.',
  why: 'The operator adds these volumes to the pod itself (the TLS secrets as volumes named after the secret); a second volume of the same name makes Kubernetes refuse the pod.',
  bad: 'spec:\n  additionalVolumes:\n    - name: pgdata\n      mountPath: /backup\n      volumeSource:\n        emptyDir: {}\n',
  good: 'spec:\n  additionalVolumes:\n    - name: backup\n      mountPath: /backup\n      volumeSource:\n        emptyDir: {}\n',
  *check(context) {
    const reserved = new Map(Object.entries(OPERATOR_VOLUME_NAMES));
    for (const tls of tlsVolumes(context.object))
      reserved.set(tls.name, `the TLS volume from tls.${tls.field}`);
    for (const { volume, path } of additionalVolumes(context.object)) {
      const usage = volume.name === undefined ? undefined : reserved.get(volume.name);
      if (usage === undefined) continue;
      yield {
        path: child(path, 'name'),
        message: `volume name "${volume.name}" is taken by ${usage}, which the operator adds to every pod: Kubernetes refuses two volumes of one name`,
        hint: 'choose another name for this volume',
      };
    }
  },
};

const invalidName: Rule = {
  id: 'volumes/invalid-name',
  severity: 'error',
  summary: 'An additional volume name that is not a DNS-1123 label.',
  why: 'Pod volume names are lower-case RFC 1123 labels of at most 63 characters; the API server refuses the StatefulSet.',
  bad: 'spec:\n  additionalVolumes:\n    - name: Scratch_Space\n      mountPath: /scratch\n      volumeSource:\n        emptyDir: {}\n',
  good: 'spec:\n  additionalVolumes:\n    - name: scratch-space\n      mountPath: /scratch\n      volumeSource:\n        emptyDir: {}\n',
  *check(context) {
    for (const { volume, path } of additionalVolumes(context.object)) {
      if (volume.name === undefined || isDns1123Label(volume.name)) continue;
      yield {
        path: child(path, 'name'),
        message: `volume name "${volume.name}" is not a DNS-1123 label: Kubernetes refuses the pod`,
        hint: 'use lower-case letters, digits and "-", starting and ending with a letter or digit, at most 63 characters',
      };
    }
  },
};

const duplicateMountPath: Rule = {
  id: 'volumes/duplicate-mount-path',
  severity: 'error',
  summary: 'Two additionalVolumes with the same mountPath.',
  why: 'The operator skips the later volume ("volume … cannot be mounted to the same path as …"); if that entry lists targetContainers, their mounts are still added and Kubernetes refuses the pod, otherwise the volume is silently missing.',
  bad: 'spec:\n  additionalVolumes:\n    - name: scratch\n      mountPath: /data\n      volumeSource:\n        emptyDir: {}\n    - name: cache\n      mountPath: /data\n      volumeSource:\n        emptyDir: {}\n',
  good: 'spec:\n  additionalVolumes:\n    - name: scratch\n      mountPath: /data\n      volumeSource:\n        emptyDir: {}\n    - name: cache\n      mountPath: /cache\n      volumeSource:\n        emptyDir: {}\n',
  *check(context) {
    const firsts = new Map<string, string>();
    for (const { volume, path } of additionalVolumes(context.object)) {
      if (volume.mountPath === undefined) continue;
      const mountPath = normalisedMountPath(volume.mountPath);
      if (mountPath === PGDATA_MOUNT) continue; // skipped without being recorded (volumes/pgdata-mount-path)
      const first = firsts.get(mountPath);
      if (first === undefined) {
        firsts.set(mountPath, path);
        continue;
      }
      yield {
        path: child(path, 'mountPath'),
        message: `mountPath ${volume.mountPath} is already used by ${first}: "volume cannot be mounted to the same path" — the operator skips this volume`,
        hint: 'mount each volume at its own path',
      };
    }
  },
};

const pgdataMountPath: Rule = {
  id: 'volumes/pgdata-mount-path',
  severity: 'error',
  summary: 'An additional volume mounted on the data directory /home/postgres/pgdata.',
  why: 'The operator refuses to mount over the data volume ("cannot mount volume on postgresql data directory") and skips the volume; explicit targetContainers still get a mount of the missing volume, which Kubernetes refuses.',
  bad: 'spec:\n  additionalVolumes:\n    - name: data\n      mountPath: /home/postgres/pgdata\n      volumeSource:\n        emptyDir: {}\n',
  good: 'spec:\n  additionalVolumes:\n    - name: data\n      mountPath: /home/postgres/extra\n      volumeSource:\n        emptyDir: {}\n',
  *check(context) {
    for (const { volume, path } of additionalVolumes(context.object)) {
      if (volume.mountPath === undefined || normalisedMountPath(volume.mountPath) !== PGDATA_MOUNT) continue;
      yield {
        path: child(path, 'mountPath'),
        message: `cannot mount volume on postgresql data directory ${PGDATA_MOUNT}: the operator skips this volume`,
        hint: 'mount it elsewhere, e.g. /home/postgres/extra',
      };
    }
  },
};

const operatorMountPath: Rule = {
  id: 'volumes/operator-mount-path',
  severity: 'error',
  summary:
    'An additional volume mounted where the operator mounts its own: /tls, /tlsca (TLS) or /dev/shm in the postgres container.',
  why: 'The TLS secrets are added after additionalVolumes, so a volume on /tls or /tlsca makes the operator skip the TLS secret (same-path rule) and Postgres reads certificates from the wrong volume; a second mount on /dev/shm in the postgres container makes Kubernetes refuse the pod.',
  bad: 'spec:\n  additionalVolumes:\n    - name: shm\n      mountPath: /dev/shm\n      volumeSource:\n        emptyDir:\n          medium: Memory\n',
  good: 'spec:\n  enableShmVolume: true\n',
  *check(context) {
    const taken = new Map<string, string>();
    for (const tls of tlsVolumes(context.object))
      taken.set(tls.mountPath, `the TLS Secret from tls.${tls.field}`);
    for (const { volume, path } of additionalVolumes(context.object)) {
      if (volume.mountPath === undefined) continue;
      const mountPath = normalisedMountPath(volume.mountPath);
      const tlsUse = taken.get(mountPath);
      if (tlsUse !== undefined) {
        yield {
          path: child(path, 'mountPath'),
          message: `mountPath ${mountPath} is where the operator mounts ${tlsUse}; it is added after additionalVolumes, so the operator skips the TLS volume`,
          hint: `mount this volume elsewhere; the operator mounts the TLS secrets at ${mountPath} itself`,
        };
      } else if (mountPath === SHM_MOUNT && shmMounted(context) && targetsPostgres(volume)) {
        yield {
          path: child(path, 'mountPath'),
          message: `the operator already mounts a memory volume on ${SHM_MOUNT} in the postgres container (enable_shm_volume): Kubernetes refuses a second mount there`,
          hint: 'remove this volume: the operator provides /dev/shm (spec.enableShmVolume)',
        };
      }
    }
  },
};

const mixedAllTarget: Rule = {
  id: 'volumes/mixed-all-target',
  severity: 'error',
  summary: 'targetContainers mixes "all" with container names.',
  why: 'The operator only warns ("target containers could be either "all" or a list of containers, mixing those is not allowed") and mounts anyway: the named containers get the volume twice at one path, which Kubernetes refuses.',
  bad: 'spec:\n  additionalVolumes:\n    - name: scratch\n      mountPath: /scratch\n      targetContainers: [all, postgres]\n      volumeSource:\n        emptyDir: {}\n',
  good: 'spec:\n  additionalVolumes:\n    - name: scratch\n      mountPath: /scratch\n      targetContainers: [all]\n      volumeSource:\n        emptyDir: {}\n',
  *check(context) {
    for (const { volume, path } of additionalVolumes(context.object)) {
      const targets = volume.targetContainers ?? [];
      const at = targets.indexOf(ALL_CONTAINERS);
      if (at < 0 || targets.length === 1) continue;
      yield {
        path: index(child(path, 'targetContainers'), at),
        message:
          'target containers could be either "all" or a list of containers, mixing those is not allowed: the named containers would get the volume twice',
        hint: 'write targetContainers: [all], or list only container names',
      };
    }
  },
};

const unknownTarget: Rule = {
  id: 'volumes/unknown-target',
  severity: 'warning',
  summary:
    'targetContainers names a container that gets no mount: not postgres, not a sidecar of the manifest.',
  why: 'The operator mounts additional volumes only into the postgres container and sidecars; names that match none (typos, init containers) are silently ignored (#1273), so the volume is not mounted where expected.',
  bad: 'spec:\n  additionalVolumes:\n    - name: scratch\n      mountPath: /scratch\n      targetContainers: [postgress]\n      volumeSource:\n        emptyDir: {}\n',
  good: 'spec:\n  additionalVolumes:\n    - name: scratch\n      mountPath: /scratch\n      targetContainers: [postgres]\n      volumeSource:\n        emptyDir: {}\n',
  *check(context) {
    const containers = podContainers(context.object);
    const sidecars = new Set(containers.filter((c) => c.kind === 'sidecar').map((c) => c.name));
    const initContainers = new Set(containers.filter((c) => c.kind === 'init container').map((c) => c.name));
    for (const { volume, path } of additionalVolumes(context.object)) {
      for (const [i, target] of (volume.targetContainers ?? []).entries()) {
        if (
          target === undefined ||
          target === 'postgres' ||
          target === ALL_CONTAINERS ||
          sidecars.has(target)
        )
          continue;
        yield {
          path: index(child(path, 'targetContainers'), i),
          message: initContainers.has(target)
            ? `"${target}" is an init container: the operator mounts additional volumes only into postgres and the sidecars, so this target is ignored`
            : `no container "${target}" in this manifest: the operator ignores the name, unless it is a sidecar from the operator configuration`,
          hint: targetHint(target, [...sidecars]),
        };
      }
    }
  },
};

function targetHint(target: string, sidecars: readonly string[]): string {
  const suggestion = closest(target, ['postgres', ALL_CONTAINERS, ...sidecars]);
  if (suggestion !== undefined) return `did you mean ${suggestion}?`;
  const names = ['postgres', ...sidecars].join(', ');
  return `name one of the containers that get mounts (${names}), or all`;
}

const invalidSource: Rule = {
  id: 'volumes/invalid-source',
  severity: 'error',
  summary:
    'volumeSource that is not exactly one core/v1 volume source (emptyDir, configMap, secret, persistentVolumeClaim, …) with its required fields.',
  why: 'The CRD keeps volumeSource free-form; the operator decodes it into a core/v1 VolumeSource (keys case-insensitively, unknown keys dropped) and Kubernetes refuses a volume with no type ("must specify a volume type"), with two types, or without a required field such as claimName.',
  bad: 'spec:\n  additionalVolumes:\n    - name: scratch\n      mountPath: /scratch\n      volumeSource:\n        emtpyDir: {}\n',
  good: 'spec:\n  additionalVolumes:\n    - name: scratch\n      mountPath: /scratch\n      volumeSource:\n        emptyDir: {}\n',
  *check(context) {
    for (const { volume, path } of additionalVolumes(context.object)) {
      const source: unknown = volume.volumeSource;
      if (!isEntry(source)) continue; // the CRD requires an object
      const sourcePath = child(path, 'volumeSource');
      const types: { key: string; type: VolumeSourceType }[] = [];
      const unknownKeys: string[] = [];
      for (const key of Object.keys(source)) {
        const type = sourceType(key);
        if (type === undefined) unknownKeys.push(key);
        else if (!types.some((t) => t.type === type)) types.push({ key, type });
      }
      const consequence =
        types.length === 0
          ? ', and no volume source type is left: Kubernetes refuses the volume ("must specify a volume type")'
          : '';
      for (const key of unknownKeys) {
        const suggestion = closest(key, VOLUME_SOURCE_TYPES);
        yield {
          path: child(sourcePath, key),
          message: `"${key}" is not a core/v1 volume source type: the operator drops it when it decodes the manifest${consequence}`,
          hint:
            suggestion === undefined
              ? `use one of ${VOLUME_SOURCE_TYPES.join(', ')}`
              : `did you mean ${suggestion}?`,
        };
      }
      if (types.length === 0) {
        if (unknownKeys.length > 0) continue;
        yield {
          path: sourcePath,
          message:
            'volumeSource names no volume source type: Kubernetes refuses the volume ("must specify a volume type")',
          hint: 'write exactly one source, e.g. emptyDir: {}, configMap: {name: …} or persistentVolumeClaim: {claimName: …}',
        };
        continue;
      }
      if (types.length > 1) {
        yield {
          path: sourcePath,
          message: `volumeSource names ${types.length} source types (${types.map((t) => t.key).join(', ')}): Kubernetes refuses the volume ("may not specify more than 1 volume type")`,
          hint: 'one additional volume per source; split them into separate entries',
        };
        continue;
      }
      yield* sourceContentProblems(source, types[0] as { key: string; type: VolumeSourceType }, sourcePath);
    }
  },
};

function* sourceContentProblems(
  source: Entry,
  { key, type }: { key: string; type: VolumeSourceType },
  sourcePath: string,
): Iterable<{ path: string; message: string; hint: string }> {
  const content = source[key];
  if (!isEntry(content)) {
    yield {
      path: child(sourcePath, key),
      message: `${key} must be a map: the operator cannot decode the manifest otherwise`,
      hint: `write ${key}: {} or ${key}: with its fields below`,
    };
    return;
  }
  for (const field of REQUIRED_SOURCE_FIELDS[type] ?? []) {
    const value = fieldOf(content, field);
    if (typeof value === 'string' && value !== '') continue;
    yield {
      path: child(sourcePath, key),
      message: `${key}.${field} is required: Kubernetes refuses the volume`,
      hint: `add ${field}: <value> under ${key}`,
    };
  }
}

/** The claimName of a persistentVolumeClaim source, matching keys as the operator's decoder does. */
function claimNameOf(source: unknown): string | undefined {
  if (!isEntry(source)) return undefined;
  const key = Object.keys(source).find((k) => sourceType(k) === 'persistentVolumeClaim');
  const claim = key === undefined ? undefined : source[key];
  const name = isEntry(claim) ? fieldOf(claim, 'claimName') : undefined;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

const pvcMountedTwice: Rule = {
  id: 'volumes/pvc-mounted-twice',
  severity: 'warning',
  summary: 'The same PersistentVolumeClaim in two additionalVolumes entries.',
  why: 'Two pod volumes backed by one claim are a known deployment failure (#2118); mount the claim in one entry, for several containers through targetContainers.',
  bad: 'spec:\n  additionalVolumes:\n    - name: shared-a\n      mountPath: /a\n      volumeSource:\n        persistentVolumeClaim:\n          claimName: shared\n    - name: shared-b\n      mountPath: /b\n      volumeSource:\n        persistentVolumeClaim:\n          claimName: shared\n',
  good: 'spec:\n  additionalVolumes:\n    - name: shared\n      mountPath: /shared\n      volumeSource:\n        persistentVolumeClaim:\n          claimName: shared\n',
  *check(context) {
    const firsts = new Map<string, string>();
    for (const { volume, path } of additionalVolumes(context.object)) {
      const claimName = claimNameOf(volume.volumeSource);
      if (claimName === undefined) continue;
      const first = firsts.get(claimName);
      if (first === undefined) {
        firsts.set(claimName, path);
        continue;
      }
      yield {
        path: child(path, 'volumeSource'),
        message: `PersistentVolumeClaim "${claimName}" is already mounted by ${first}: two volumes of one claim fail to deploy (#2118)`,
        hint: 'mount the claim in one entry and list every container that needs it in targetContainers',
      };
    }
  },
};

export const ADDITIONAL_VOLUMES_RULES: readonly Rule[] = [
  duplicateName,
  reservedName,
  invalidName,
  duplicateMountPath,
  pgdataMountPath,
  operatorMountPath,
  mixedAllTarget,
  unknownTarget,
  invalidSource,
  pvcMountedTwice,
];
