import { child, index } from '../field-path.js';
import type { Postgresql } from '../generated/postgresql.types.js';
import { isDns1123Label } from '../kubernetes/names.js';
import type { Problem, Rule } from './rule.js';
import type { Loose } from './rule-context.js';

/** Rules about sidecars and initContainers (operator-behaviour.md b.14). */

const POSTGRES_CONTAINER = 'postgres';
/** Variables the operator puts before a sidecar's own env; same names (any case) in the manifest are dropped. */
const SIDECAR_OPERATOR_ENV = ['POD_NAME', 'POD_NAMESPACE', 'POSTGRES_USER', 'POSTGRES_PASSWORD'];

interface PodContainer {
  kind: 'sidecar' | 'init container';
  /** The name the pod gets: unnamed sidecars become `sidecar-<index>`. */
  name: string;
  /** Whether the name is written in the manifest. */
  named: boolean;
  /** Field path of the list item. */
  path: string;
  image: string | undefined;
}

/** The sidecars and init containers of the manifest, as the operator names them. */
export function podContainers(object: Loose<Postgresql>): PodContainer[] {
  const containers: PodContainer[] = [];
  (object.spec?.sidecars ?? []).forEach((sidecar, i) => {
    // Under a v1 CRD sidecars are free-form: only a string name counts as a name.
    if (sidecar === null || typeof sidecar !== 'object') return;
    const named = typeof sidecar.name === 'string' && sidecar.name !== '';
    const name = named ? (sidecar.name as string) : `sidecar-${i}`;
    containers.push({ kind: 'sidecar', name, named, path: index('spec.sidecars', i), image: sidecar.image });
  });
  (object.spec?.initContainers ?? []).forEach((container, i) => {
    if (typeof container?.name !== 'string') return; // the CRD requires it
    const path = index('spec.initContainers', i);
    containers.push({
      kind: 'init container',
      name: container.name,
      named: true,
      path,
      image: container.image,
    });
  });
  return containers;
}

const missingImage: Rule = {
  id: 'containers/missing-image',
  severity: 'error',
  summary: 'A sidecar or init container without image.',
  why: 'The CRD does not require it, but the operator does: "invalid sidecar containers: container \'exporter\': image is required" — the StatefulSet cannot be generated.',
  bad: 'spec:\n  sidecars:\n    - name: exporter\n',
  good: 'spec:\n  sidecars:\n    - name: exporter\n      image: quay.io/prometheuscommunity/postgres-exporter:v0.15.0\n',
  *check(context) {
    for (const container of podContainers(context.object)) {
      if (container.image) continue;
      const list = container.kind === 'sidecar' ? 'sidecar containers' : 'init containers';
      yield {
        path: container.image === undefined ? container.path : child(container.path, 'image'),
        message: `invalid ${list}: container '${container.name}': image is required`,
        hint: 'add image: <registry>/<image>:<tag>',
      };
    }
  },
};

const namedPostgres: Rule = {
  id: 'containers/named-postgres',
  severity: 'error',
  summary: 'A sidecar or init container named `postgres`.',
  why: "The operator's own Spilo container is called postgres and is not de-duplicated against the manifest: the pod would have two containers of the same name, which Kubernetes refuses.",
  bad: 'spec:\n  sidecars:\n    - name: postgres\n      image: busybox\n',
  good: 'spec:\n  sidecars:\n    - name: postgres-helper\n      image: busybox\n',
  *check(context) {
    for (const container of podContainers(context.object)) {
      if (container.name !== POSTGRES_CONTAINER) continue;
      yield {
        path: child(container.path, 'name'),
        message: `${container.kind} named "postgres": the operator's own database container has that name, and Kubernetes refuses a pod with two`,
        hint: 'choose another name, e.g. postgres-exporter',
      };
    }
  },
};

const duplicateName: Rule = {
  id: 'containers/duplicate-name',
  severity: 'error',
  summary:
    'Two sidecars or init containers with the same name (unnamed sidecars count as `sidecar-<index>`).',
  why: 'Of two sidecars with one name the operator keeps the first and drops the other ("a sidecar is specified twice"); an init container sharing a name with any container makes Kubernetes refuse the pod.',
  bad: 'spec:\n  sidecars:\n    - name: exporter\n      image: busybox\n    - name: exporter\n      image: busybox\n',
  good: 'spec:\n  sidecars:\n    - name: exporter\n      image: busybox\n    - name: log-shipper\n      image: busybox\n',
  *check(context) {
    const seen = new Map<string, PodContainer>();
    for (const container of podContainers(context.object)) {
      const first = seen.get(container.name);
      if (first === undefined) {
        seen.set(container.name, container);
        continue;
      }
      const bothSidecars = first.kind === 'sidecar' && container.kind === 'sidecar';
      const consequence = bothSidecars
        ? 'the operator keeps the first and silently drops this sidecar'
        : 'Kubernetes refuses a pod with two containers of one name';
      const defaulted = container.named ? '' : ` (the name given to unnamed sidecar ${container.path})`;
      yield {
        path: container.named ? child(container.path, 'name') : container.path,
        message: `container name "${container.name}"${defaulted} is already used by ${first.path}: ${consequence}`,
        hint: 'give every sidecar and init container a distinct name',
      };
    }
  },
};

const invalidName: Rule = {
  id: 'containers/invalid-name',
  severity: 'error',
  summary: 'A sidecar or init container name that is not a DNS-1123 label.',
  why: 'Kubernetes container names are lower-case RFC 1123 labels of at most 63 characters; the operator passes the name on and the API server refuses the StatefulSet.',
  bad: 'spec:\n  sidecars:\n    - name: Log_Shipper\n      image: busybox\n',
  good: 'spec:\n  sidecars:\n    - name: log-shipper\n      image: busybox\n',
  *check(context) {
    for (const container of podContainers(context.object)) {
      if (!container.named || isDns1123Label(container.name)) continue;
      yield {
        path: child(container.path, 'name'),
        message: `${container.kind} name "${container.name}" is not a DNS-1123 label: Kubernetes refuses the pod`,
        hint: 'use lower-case letters, digits and "-", starting and ending with a letter or digit, at most 63 characters',
      };
    }
  },
};

const sidecarsDisabled: Rule = {
  id: 'containers/sidecars-disabled',
  severity: 'error',
  summary: 'Sidecars in a manifest while the operator runs with enable_sidecars: false.',
  why: 'Creating the cluster fails with "sidecar containers specified but disabled in configuration"; on an existing cluster the sync warns that the next StatefulSet creation would fail.',
  examplePolicy: { enableSidecars: false },
  bad: 'spec:\n  sidecars:\n    - name: exporter\n      image: busybox\n',
  good: 'spec:\n  sidecars: []\n',
  *check(context) {
    const sidecars = context.object.spec?.sidecars ?? [];
    if (context.policy.enableSidecars || sidecars.length === 0) return;
    yield {
      path: 'spec.sidecars',
      message: 'sidecar containers specified but disabled in configuration (enable_sidecars: false)',
      hint: 'remove spec.sidecars, or ask the operator admins to set enable_sidecars: true',
    };
  },
};

const initContainersDisabled: Rule = {
  id: 'containers/init-containers-disabled',
  severity: 'error',
  summary: 'initContainers in a manifest while the operator runs with enable_init_containers: false.',
  why: 'Creating the cluster fails with "initContainers specified but disabled in configuration"; on an existing cluster the sync warns that the next StatefulSet creation would fail.',
  examplePolicy: { enableInitContainers: false },
  bad: 'spec:\n  initContainers:\n    - name: init\n      image: busybox\n',
  good: 'spec:\n  initContainers: []\n',
  *check(context) {
    const initContainers = context.object.spec?.initContainers ?? [];
    if (context.policy.enableInitContainers || initContainers.length === 0) return;
    yield {
      path: 'spec.initContainers',
      message: 'initContainers specified but disabled in configuration (enable_init_containers: false)',
      hint: 'remove spec.initContainers, or ask the operator admins to set enable_init_containers: true',
    };
  },
};

/** Each sidecar env entry with its path, for the env rules. */
function* sidecarEnv(object: Loose<Postgresql>): Iterable<{ sidecar: number; entry: number; name: string }> {
  for (const [sidecar, spec] of (object.spec?.sidecars ?? []).entries()) {
    for (const [entry, env] of (spec?.env ?? []).entries()) {
      if (env?.name !== undefined) yield { sidecar, entry, name: env.name };
    }
  }
}

function envPath(sidecar: number, entry: number): string {
  return child(index(child(index('spec.sidecars', sidecar), 'env'), entry), 'name');
}

const duplicateSidecarEnv: Rule = {
  id: 'containers/duplicate-sidecar-env',
  severity: 'warning',
  summary: "The same variable name twice in a sidecar's env (compared case-insensitively).",
  why: 'The CRD declares no list keys for sidecar env, so the API server accepts duplicates; the operator keeps the first entry of a name (in any case) and silently drops the later ones.',
  bad: 'spec:\n  sidecars:\n    - name: exporter\n      image: busybox\n      env:\n        - name: DATA_SOURCE_URI\n          value: localhost:5432\n        - name: DATA_SOURCE_URI\n          value: 127.0.0.1:5432\n',
  good: 'spec:\n  sidecars:\n    - name: exporter\n      image: busybox\n      env:\n        - name: DATA_SOURCE_URI\n          value: localhost:5432\n',
  *check(context) {
    const firsts = new Map<string, number>();
    for (const { sidecar, entry, name } of sidecarEnv(context.object)) {
      const key = `${sidecar}\u0000${name.toUpperCase()}`;
      const first = firsts.get(key);
      if (first === undefined) {
        firsts.set(key, entry);
        continue;
      }
      yield {
        path: envPath(sidecar, entry),
        message: `env ${name} is already defined in env[${first}] of this sidecar: the operator keeps the first and drops this one`,
        hint: 'keep one entry per variable name',
      };
    }
  },
};

const reservedSidecarEnv: Rule = {
  id: 'containers/reserved-sidecar-env',
  severity: 'warning',
  summary:
    'A sidecar env variable the operator sets itself: POD_NAME, POD_NAMESPACE, POSTGRES_USER, POSTGRES_PASSWORD.',
  why: "The operator puts these in front of every sidecar's env and de-duplicates case-insensitively, first wins: the manifest's value is silently dropped.",
  bad: 'spec:\n  sidecars:\n    - name: exporter\n      image: busybox\n      env:\n        - name: POSTGRES_USER\n          value: exporter\n',
  good: 'spec:\n  sidecars:\n    - name: exporter\n      image: busybox\n      env:\n        - name: DATA_SOURCE_USER\n          value: exporter\n',
  *check(context) {
    for (const { sidecar, entry, name } of sidecarEnv(context.object)) {
      if (!SIDECAR_OPERATOR_ENV.includes(name.toUpperCase())) continue;
      yield {
        path: envPath(sidecar, entry),
        message: `the operator sets ${name.toUpperCase()} for every sidecar itself (superuser name/password, pod name/namespace) and ignores this entry`,
        hint: 'remove it, or use another variable name for your own value',
      } satisfies Problem;
    }
  },
};

export const CONTAINERS_RULES: readonly Rule[] = [
  missingImage,
  namedPostgres,
  duplicateName,
  invalidName,
  sidecarsDisabled,
  initContainersDisabled,
  duplicateSidecarEnv,
  reservedSidecarEnv,
];
