/**
 * LiveSchema: what the webhook judges with, given what its informer knows of the postgresql CRD.
 * Pure; the webhook around it is tested in cluster-crd-schema.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../packages/validator/src/cluster/resource-types.js';
import { shippedSchemas } from '../../packages/validator/src/schema/operator-versions.js';
import { LiveSchema } from '../../webhook/src/cluster/live-schema.js';
import { crdWithCelRule, customCrd, REFERENCE_CRDS_PRESENT, referenceCrd } from '../cluster/fixtures.js';

/** The CRD as an informer holds it: with uid and generation, as the API server sets them. */
function stored(crd: Record<string, unknown>, generation: number, uid = 'crd-uid'): KubeObject {
  const metadata = crd.metadata as Record<string, unknown>;
  return {
    ...crd,
    metadata: {
      ...metadata,
      name: String(metadata.name),
      uid,
      generation,
      resourceVersion: `${generation}0`,
    },
  } as unknown as KubeObject;
}

describe('LiveSchema', () => {
  it('decides nothing before the CRD was listed or refused', async () => {
    expect(new LiveSchema(await shippedSchemas()).read({ kind: 'pending' })).toBeUndefined();
  });

  it('falls back to the built-in schema when the CRD cannot be read or is missing', async () => {
    const live = new LiveSchema(await shippedSchemas());
    const refused = live.read({ kind: 'unreadable', error: new Error('GET …: 403 Forbidden: no') });
    expect(refused).toEqual({
      reading: {
        schema: undefined,
        source: 'builtin',
        description: 'built-in schema (operator v2.0.1)',
        fingerprint: 'builtin',
      },
      problem: { input: 'unreadable', detail: 'cannot be read: GET …: 403 Forbidden: no' },
    });
    const missing = live.read({ kind: 'listed', object: undefined });
    expect(missing?.reading.source).toBe('builtin');
    expect(missing?.problem).toEqual({
      input: 'missing',
      detail: 'not found: the postgres-operator registers it when it starts',
    });
  });

  it('compiles each version of the CRD once, and keeps the last good one through problems', async () => {
    const live = new LiveSchema(await shippedSchemas());
    const first = live.read({ kind: 'listed', object: stored(customCrd(['12', '13']), 1) });
    expect(first?.problem).toBeUndefined();
    expect(first?.reading).toMatchObject({
      source: 'cluster',
      description: 'CRD postgresqls.acid.zalan.do of the cluster',
      fingerprint: 'cluster crd-uid/1',
    });
    expect(first?.reading.release).toBeUndefined();
    expect(first?.reading.schema?.supportedVersions).toEqual(['12', '13']);
    // The same version again (a status update): the very same compiled schema.
    const again = live.read({ kind: 'listed', object: stored(customCrd(['12', '13']), 1) });
    expect(again?.reading.schema).toBe(first?.reading.schema);

    const broken = live.read({ kind: 'listed', object: stored(crdWithCelRule(customCrd(['12', '13'])), 2) });
    expect(broken?.reading.schema).toBe(first?.reading.schema);
    expect(broken?.reading.fingerprint).toBe('cluster crd-uid/1');
    expect(broken?.problem).toEqual({
      input: 'crd-uid/2',
      detail: expect.stringMatching(
        /^cannot be used: the CRD has CEL validation rules \(x-kubernetes-validations at \.spec\)/,
      ),
    });
    const gone = live.read({ kind: 'listed', object: undefined });
    expect(gone?.reading.schema).toBe(first?.reading.schema);
    expect(gone?.problem?.input).toBe('missing');

    const fixed = live.read({ kind: 'listed', object: stored(customCrd(['13', '14']), 3) });
    expect(fixed?.problem).toBeUndefined();
    expect(fixed?.reading.schema?.supportedVersions).toEqual(['13', '14']);
    expect(fixed?.reading.fingerprint).toBe('cluster crd-uid/3');
  });

  it.skipIf(!REFERENCE_CRDS_PRESENT)('recognises the operator’s own CRD of a shipped release', async () => {
    const live = new LiveSchema(await shippedSchemas());
    const read = live.read({ kind: 'listed', object: stored(referenceCrd('1.15.1'), 1) });
    expect(read?.reading).toMatchObject({
      source: 'cluster',
      release: '1.15.1',
      description: 'CRD postgresqls.acid.zalan.do of the cluster (that of operator v1.15.1, precompiled)',
    });
    expect(read?.reading.schema?.supportedVersions).toEqual(['13', '14', '15', '16', '17']);
  });
});
