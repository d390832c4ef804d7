import { describe, expect, it } from 'vitest';
import type { Finding } from '../../packages/validator/src/finding.js';
import { exampleManifest } from '../../packages/validator/src/rules/example-manifest.js';
import { validate } from '../../packages/validator/src/validate.js';

const schemaOnly = (findings: Finding[]) =>
  findings.filter((f) => f.ruleId.startsWith('schema/') || f.ruleId.startsWith('document/'));
const check = (fragment: string) => schemaOnly(validate(exampleManifest(fragment)));

describe('schema findings in plain words', () => {
  it('names the supported versions for an unsupported one', () => {
    expect(check('spec:\n  postgresql:\n    version: "13"\n')).toEqual([
      {
        ruleId: 'schema/enum',
        severity: 'error',
        path: 'spec.postgresql.version',
        message: 'PostgreSQL version "13" is not supported; supported: 14, 15, 16, 17, 18',
        hint: 'set a supported version in quotes, e.g. version: "18"',
      },
    ]);
  });

  it('reports one finding per problem: a number where a string is wanted is not also an enum miss', () => {
    const findings = check('spec:\n  postgresql:\n    version: 17\n');
    expect(findings.map((f) => f.ruleId)).toEqual(['schema/not-a-string']);
    expect(findings[0]?.hint).toBe('write the value in quotes, e.g. "17"');
  });

  it('explains a standby section without a source, once', () => {
    expect(check('spec:\n  standby:\n    standby_port: "5433"\n')).toEqual([
      expect.objectContaining({
        ruleId: 'schema/invalid',
        path: 'spec.standby',
        message: 'needs at least one of: s3_wal_path, gs_wal_path, standby_host',
      }),
    ]);
  });

  it('explains two WAL paths at once', () => {
    const findings = check('spec:\n  standby:\n    s3_wal_path: s3://a\n    gs_wal_path: gs://b\n');
    expect(findings.map((f) => f.message)).toEqual(['must not set s3_wal_path and gs_wal_path together']);
  });

  it('suggests the near field for a typo, and the right place for a misplaced field', () => {
    expect(check('spec:\n  teamID: acid\n')[0]).toMatchObject({
      ruleId: 'schema/unknown-field',
      path: 'spec.teamID',
      hint: 'did you mean "teamId"?',
    });
    expect(check('spec:\n  storageClass: fast\n')[0]?.hint).toBe('did you mean spec.volume.storageClass?');
    expect(check('spec:\n  postgresql:\n    shared_buffers: 1GB\n')[0]?.hint).toMatch(
      /belong under postgresql.parameters/,
    );
  });

  it('says what replaced a field operator v2 removed', () => {
    expect(check('spec:\n  useLoadBalancer: true\n')[0]).toMatchObject({
      ruleId: 'schema/removed-field',
      hint: 'use enableMasterLoadBalancer: true',
    });
  });

  it('distinguishes a vanished map entry (error) from a field without value (warning)', () => {
    const findings = check('spec:\n  databases:\n    app:\n  enableLogicalBackup:\n');
    expect(findings.map((f) => [f.ruleId, f.severity, f.path])).toEqual([
      ['schema/null-entry', 'error', 'spec.databases[app]'],
      ['schema/null-field', 'warning', 'spec.enableLogicalBackup'],
    ]);
  });

  it('keeps nulls where the CRD allows them (nullable lists)', () => {
    expect(check('spec:\n  allowedSourceRanges:\n')).toEqual([]);
  });

  it('reports a null required field as dropped and then missing', () => {
    const findings = check('spec:\n  teamId:\n');
    expect(findings.map((f) => f.ruleId)).toEqual(['schema/null-field', 'schema/required']);
  });

  it('says when a number does not fit the int32 the operator decodes', () => {
    expect(check('spec:\n  masterNodePort: 3000000000\n')[0]).toMatchObject({
      ruleId: 'schema/range',
      message: '3000000000 does not fit a 32-bit integer: the operator cannot decode the manifest',
    });
  });

  it('uses Kubernetes paths for map keys, list items and embedded types', () => {
    const findings = check(
      'spec:\n  users:\n    app: [Superuser]\n  initContainers:\n    - name: init\n      image: busybox\n      ports:\n        - containerPort: http\n',
    );
    expect(findings.map((f) => f.path)).toEqual([
      'spec.users[app][0]',
      'spec.initContainers[0].ports[0].containerPort',
    ]);
  });

  it('flags metadata typos too (ObjectMeta is spelled out)', () => {
    expect(check('metadata:\n  label:\n    app: x\n')[0]).toMatchObject({
      path: 'metadata.label',
      hint: 'did you mean "labels"?',
    });
  });

  it('checks kind and apiVersion', () => {
    const findings = schemaOnly(
      validate({ ...exampleManifest(''), kind: 'PostgreSQL', apiVersion: 'acid.zalan.do/v1beta1' }),
    );
    expect(findings.map((f) => f.ruleId)).toEqual(['document/kind-case', 'document/api-version']);
  });

  it('never changes the object it is given (rules and cleaning work on their own copy)', () => {
    const deepFreeze = (value: unknown): unknown => {
      if (value !== null && typeof value === 'object') {
        for (const child of Object.values(value)) deepFreeze(child);
        Object.freeze(value);
      }
      return value;
    };
    for (const fragment of [
      '',
      'spec:\n  teamID: acid\n  users:\n    app:\n  postgresql:\n    version: 17\n',
      'spec:\n  resources:\n    requests:\n      cpu: "2"\n    limits:\n      cpu: "1"\n',
    ]) {
      const object = deepFreeze(exampleManifest(fragment));
      const before = JSON.stringify(object);
      expect(() => validate(object)).not.toThrow();
      expect(validate(object).some((f) => f.ruleId === 'internal/rule-failed')).toBe(false);
      expect(JSON.stringify(object)).toBe(before);
    }
  });

  it('never throws, whatever it is given', () => {
    for (const input of [null, 42, 'text', [], [1, 2], { spec: 'x' }, { spec: { users: 'x' } }]) {
      expect(() => validate(input)).not.toThrow();
      expect(validate(input).length).toBeGreaterThan(0);
    }
  });
});
