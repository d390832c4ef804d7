import { load } from 'js-yaml';
import { KUBECTL_SCHEMA } from '../source/kubectl-scalars.js';

/** The minimal valid manifest that rule examples are merged into. */
export const EXAMPLE_BASE = `apiVersion: acid.zalan.do/v1
kind: postgresql
metadata:
  name: acid-demo
  namespace: default
spec:
  teamId: acid
  numberOfInstances: 2
  postgresql:
    version: "17"
  volume:
    size: 1Gi
`;

/** The base manifest with a fragment merged in: maps merge key by key, everything else replaces. */
export function exampleManifest(fragment: string): Record<string, unknown> {
  const base = load(EXAMPLE_BASE, { schema: KUBECTL_SCHEMA }) as Record<string, unknown>;
  const patch = fragment.trim() === '' ? undefined : load(fragment, { schema: KUBECTL_SCHEMA });
  return merge(base, patch) as Record<string, unknown>;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function merge(base: unknown, patch: unknown): unknown {
  if (!isMap(base) || !isMap(patch)) return patch === undefined ? base : patch;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) out[key] = merge(base[key], value);
  return out;
}
