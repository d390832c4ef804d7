/**
 * Renders the kustomizations under deploy/ with `kubectl kustomize` (kubectl's built-in kustomize, as
 * `kubectl apply -k` uses it) and reads the objects. A machine without kubectl cannot render: the
 * suites that need it skip, and say so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const ROOT = join(import.meta.dirname, '..', '..');
export const DEPLOY = join(ROOT, 'deploy');

/** Every kustomization a user applies: the base and each overlay. */
export const KUSTOMIZATIONS: readonly string[] = [
  'deploy/base',
  ...readdirSync(join(DEPLOY, 'overlays'), { withFileTypes: true })
    .filter(
      (entry) =>
        entry.isDirectory() && existsSync(join(DEPLOY, 'overlays', entry.name, 'kustomization.yaml')),
    )
    .map((entry) => `deploy/overlays/${entry.name}`)
    .sort(),
];

/** The fields every rendered object has; the rest is read through the kind's own type. */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

const KUBECTL = process.env.KUBECTL ?? 'kubectl';

/** Why kubectl cannot render here, or undefined when it can. */
export function kubectlMissing(): string | undefined {
  const probe = spawnSync(KUBECTL, ['version', '--client', '--output=json'], {
    encoding: 'utf8',
    timeout: 15_000,
  });
  if (probe.error !== undefined) return `${KUBECTL} cannot be run (${probe.error.message})`;
  if (probe.status !== 0) return `${KUBECTL} version --client failed: ${probe.stderr.trim()}`;
  return undefined;
}

const rendered = new Map<string, KubernetesObject[]>();

/** The objects `kubectl kustomize <dir>` renders (cached per directory). */
export function render(dir: string): KubernetesObject[] {
  const cached = rendered.get(dir);
  if (cached !== undefined) return cached;
  const result = spawnSync(KUBECTL, ['kustomize', join(ROOT, dir)], {
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`kubectl kustomize ${dir} failed: ${result.error?.message ?? result.stderr.trim()}`);
  }
  const objects = parseAllDocuments(result.stdout).map((document) => {
    if (document.errors.length > 0) throw new Error(`${dir}: ${document.errors[0]?.message}`);
    return document.toJSON() as KubernetesObject;
  });
  rendered.set(dir, objects);
  return objects;
}

/** One object by kind (and name); throws when it is not there, so that a test says what is missing. */
export function find<T>(objects: readonly KubernetesObject[], kind: string, name?: string): T {
  const matches = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (matches.length !== 1) {
    throw new Error(`expected one ${kind}${name ? ` named ${name}` : ''}, found ${matches.length}`);
  }
  return matches[0] as T;
}

export function findAll<T>(objects: readonly KubernetesObject[], kind: string): T[] {
  return objects.filter((o) => o.kind === kind) as T[];
}

export const describeObject = (o: KubernetesObject): string =>
  `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;

export const fromRoot = (path: string): string => relative(ROOT, path);
