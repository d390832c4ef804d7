import { describe, expect, it } from 'vitest';
import { policyWith } from '../../packages/validator/src/policy/operator-policy.js';
import { exampleManifest } from '../../packages/validator/src/rules/example-manifest.js';
import { validate } from '../../packages/validator/src/validate.js';

const protectedPolicy = policyWith({
  deleteAnnotationDateKey: 'delete-date',
  deleteAnnotationNameKey: 'delete-clustername',
});
const now = new Date('2026-11-26T23:59:59Z');
const deleting = (fragment: string, policy = protectedPolicy) =>
  validate(exampleManifest(fragment), { operation: 'DELETE', policy, now });

describe('delete protection', () => {
  it('refuses a DELETE without the annotations, with the operator’s messages', () => {
    expect(deleting('').map((f) => f.message)).toEqual([
      'annotation delete-date not set in manifest to allow cluster deletion',
      'annotation delete-clustername not set in manifest to allow cluster deletion',
    ]);
  });

  it('compares the date in UTC and the name exactly', () => {
    const findings = deleting(
      'metadata:\n  annotations:\n    delete-date: "2026-11-27"\n    delete-clustername: acid-other\n',
    );
    expect(findings.map((f) => [f.path, f.message])).toEqual([
      [
        'metadata.annotations[delete-date]',
        'annotation delete-date not matching the current date: got 2026-11-27, expected 2026-11-26',
      ],
      [
        'metadata.annotations[delete-clustername]',
        'annotation delete-clustername not matching the cluster name: got acid-other, expected acid-demo',
      ],
    ]);
  });

  it('allows a DELETE with both annotations right', () => {
    expect(
      deleting(
        'metadata:\n  annotations:\n    delete-date: "2026-11-26"\n    delete-clustername: acid-demo\n',
      ),
    ).toEqual([]);
  });

  it('checks only the configured key', () => {
    const dateOnly = policyWith({ deleteAnnotationDateKey: 'delete-date' });
    expect(deleting('metadata:\n  annotations:\n    delete-date: "2026-11-26"\n', dateOnly)).toEqual([]);
  });

  it('does nothing when the operator configures no protection', () => {
    expect(deleting('', policyWith())).toEqual([]);
  });

  it('judges nothing else on DELETE: a broken manifest can always be deleted', () => {
    const findings = validate(
      { ...exampleManifest(''), spec: { users: { Bad_User: ['superuser', 'nosuperuser'] } } },
      { operation: 'DELETE', policy: policyWith(), now },
    );
    expect(findings).toEqual([]);
  });

  it('is not judged on CREATE (a linted file is not being deleted)', () => {
    expect(
      validate(exampleManifest(''), { policy: protectedPolicy, now }).map((f) => f.ruleId),
    ).not.toContain('delete/protection');
  });
});
