import { describe, expect, it } from 'vitest';
import { mutate } from '../../packages/validator/src/mutate/mutate.js';
import { MAX_OBJECT_DEPTH, nestedTooDeep } from '../../packages/validator/src/nesting-depth.js';
import { exampleManifest } from '../../packages/validator/src/rules/example-manifest.js';
import { validateDetailed } from '../../packages/validator/src/validate.js';

/** A chain of `depth` maps, built without recursion. */
function chain(depth: number): Record<string, unknown> {
  const top: Record<string, unknown> = {};
  let at = top;
  for (let i = 1; i < depth; i++) {
    const next: Record<string, unknown> = {};
    at.x = next;
    at = next;
  }
  return top;
}

/** The example manifest with `depth` more levels under spec.postgresql.parameters. */
function deepManifest(depth: number): Record<string, unknown> {
  const manifest = exampleManifest('') as { spec: { postgresql: Record<string, unknown> } };
  manifest.spec.postgresql.parameters = chain(depth);
  return manifest as unknown as Record<string, unknown>;
}

describe('objects nested too deep for the library to walk', () => {
  it('measures depth without recursion and names the field where the too-deep part starts', () => {
    // metadata/spec/postgresql/parameters: the manifest and three maps above the chain.
    expect(nestedTooDeep(deepManifest(MAX_OBJECT_DEPTH - 3))).toBeUndefined();
    expect(nestedTooDeep(deepManifest(MAX_OBJECT_DEPTH - 2))).toBe('spec.postgresql.parameters');
    expect(nestedTooDeep(deepManifest(100_000))).toBe('spec.postgresql.parameters');
  });

  it('validate reports one error instead of overflowing the stack', () => {
    const result = validateDetailed(deepManifest(20_000));
    expect(result.findings).toEqual([
      expect.objectContaining({
        ruleId: 'yaml/syntax',
        severity: 'error',
        path: 'spec.postgresql.parameters',
      }),
    ]);
    expect(result.findings[0]?.message).toMatch(/nested deeper than 200 levels/);
  });

  it('validate judges an UPDATE on the new object alone when the old one is too deep', () => {
    const object = exampleManifest('spec:\n  numberOfInstances: -1\n');
    const result = validateDetailed(object, { operation: 'UPDATE', old: deepManifest(20_000) });
    expect(result.findings.map((f) => f.path)).toContain('spec.numberOfInstances');
  });

  it('a DELETE of such an object goes through delete protection alone', () => {
    expect(validateDetailed(deepManifest(20_000), { operation: 'DELETE' }).findings).toEqual([]);
  });

  it('mutate leaves such an object alone', () => {
    const object = deepManifest(20_000);
    expect(mutate(object)).toEqual({ object, changes: [], patch: [] });
  });
});
