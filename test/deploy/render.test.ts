/**
 * Every kustomization under deploy/ renders, and every object it renders is valid for its kind:
 * values against the Kubernetes (or cert-manager) schema, field names against the kind's interface.
 */
import { describe, expect, it } from 'vitest';
import { fieldProblems } from './field-names.js';
import {
  describeObject,
  find,
  KUSTOMIZATIONS,
  type KubernetesObject,
  kubectlMissing,
  render,
} from './kustomize.js';
import { CHECKED_BY_HAND, SCHEMAS, schemaKey } from './schemas.js';

const missing = kubectlMissing();
if (missing !== undefined) {
  console.warn(`test/deploy: skipping the rendering checks: ${missing}; install kubectl to run them`);
}

describe.skipIf(missing !== undefined)('deploy/ renders with kubectl kustomize', () => {
  it('finds the base and the overlays', () => {
    expect(KUSTOMIZATIONS).toContain('deploy/base');
    expect(KUSTOMIZATIONS).toContain('deploy/overlays/fail-open');
    expect(KUSTOMIZATIONS).toContain('deploy/overlays/monitoring');
  });

  describe.each(KUSTOMIZATIONS)('%s', (dir) => {
    it('renders objects that all have a name and no duplicate', () => {
      const objects = render(dir);
      expect(objects.length).toBeGreaterThanOrEqual(18);
      const keys = objects.map(describeObject);
      expect(new Set(keys).size).toBe(keys.length);
      for (const object of objects) expect(object.metadata.name, describeObject(object)).toMatch(/\S/);
    });

    it('renders only kinds with a known schema', () => {
      const unknown = render(dir)
        .map(schemaKey)
        .filter((key) => SCHEMAS[key] === undefined && !CHECKED_BY_HAND.includes(key));
      expect(unknown).toEqual([]);
    });

    it('renders objects that are valid for their kind', () => {
      const invalid: string[] = [];
      for (const object of render(dir)) {
        const schema = SCHEMAS[schemaKey(object)];
        if (schema === undefined) continue;
        try {
          schema.validator(object).validate();
        } catch (error) {
          invalid.push(`${describeObject(object)}: ${(error as Error).message}`);
        }
      }
      expect(invalid).toEqual([]);
    });

    it('renders only field names and literal values the kinds know', () => {
      expect(fieldProblems(render(dir))).toEqual([]);
    });
  });

  describe('the checks can fail', () => {
    const deployment = (): KubernetesObject =>
      structuredClone(find<KubernetesObject>(render('deploy/base'), 'Deployment'));

    it('reports a value of the wrong type', () => {
      const broken = deployment();
      (broken.spec as { replicas: unknown }).replicas = 'two';
      expect(() => SCHEMAS[schemaKey(broken)]?.validator(broken).validate()).toThrow(
        /replicas must be integer/,
      );
    });

    it('reports a misspelt field, which the schema alone lets through', () => {
      const broken = deployment();
      const container = (broken.spec as { template: { spec: { containers: Record<string, unknown>[] } } })
        .template.spec.containers[0];
      if (container === undefined) throw new Error('the Deployment has no container');
      container.readinesProbe = container.readinessProbe;
      delete container.readinessProbe;
      expect(() => SCHEMAS[schemaKey(broken)]?.validator(broken).validate()).not.toThrow();
      const problems = fieldProblems([broken]);
      expect(problems).toHaveLength(1);
      expect(problems[0]?.object).toBe('Deployment acid-guard/acid-guard-webhook');
      expect(problems[0]?.message).toMatch(/TS2353: .*readinesProbe/);
    });
  });
});
