import { CONFIGMAP_DEFAULTS, policyWith, validateDetailed } from '@acid-guard/validator';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  admissionResponse,
  BYPASS_ANNOTATION,
  denial,
  mutateAdmission,
  validateAdmission,
} from '../../webhook/src/admission.js';
import {
  type AdmissionRequest,
  fillTemplate,
  readAdmissionReview,
  responseTemplate,
  reviewResponse,
} from '../../webhook/src/admission-review.js';
import type { PolicySnapshot } from '../../webhook/src/policy-source.js';
import { VerdictCache } from '../../webhook/src/verdict-cache.js';
import {
  fitWarnings,
  MAX_WARNING_BYTES,
  MAX_WARNINGS_BYTES,
  truncateBytes,
} from '../../webhook/src/warning-budget.js';
import { minimalManifest, review } from './harness.js';

const snapshot: PolicySnapshot = {
  policy: CONFIGMAP_DEFAULTS,
  loadedAt: new Date('2026-11-26T09:00:00Z'),
  sources: ['test'],
  warnings: [],
};
const NOW = new Date('2026-11-26T09:00:00Z');
const settings = { allowBypass: false, now: NOW };

function requestOf(options: Parameters<typeof review>[0]): AdmissionRequest {
  return review(options).request as unknown as AdmissionRequest;
}

const conflictingFlags = () => minimalManifest({ users: { app_owner: ['superuser', 'nosuperuser'] } });
const twoErrors = () =>
  minimalManifest({
    users: { app_owner: ['superuser', 'nosuperuser'] },
    postgresql: { version: '17', parameters: { max_connections: 200 } },
  });
const byteLength = (text: string) => Buffer.byteLength(text, 'utf8');

describe('readAdmissionReview: says what is wrong with a body that is no AdmissionReview', () => {
  const valid = review({ object: minimalManifest() });
  it.each([
    ['a list', [], /the body is a list/],
    ['null', null, /the body is null/],
    ['another kind', { ...valid, kind: 'Pod' }, /kind is "Pod", expected "AdmissionReview"/],
    ['another version', { ...valid, apiVersion: 'admission.k8s.io/v2' }, /apiVersion "admission.k8s.io\/v2"/],
    ['no request', { apiVersion: valid.apiVersion, kind: valid.kind }, /request is undefined/],
    [
      'no uid',
      { ...valid, request: { ...valid.request, uid: '' } },
      /request.uid is "", expected a non-empty/,
    ],
    ['a bad operation', { ...valid, request: { ...valid.request, operation: 'PATCH' } }, /request.operation/],
    [
      'CREATE without object',
      { ...valid, request: { ...valid.request, object: null } },
      /request.object is missing/,
    ],
    [
      'DELETE without oldObject',
      { ...valid, request: { ...valid.request, operation: 'DELETE', oldObject: null } },
      /request.oldObject is missing, and DELETE needs it/,
    ],
    [
      'an object that is a list',
      { ...valid, request: { ...valid.request, object: [] } },
      /request.object is a list/,
    ],
  ])('%s', (_name, body, message) => {
    const result = readAdmissionReview(body);
    expect('message' in result && result.message).toMatch(message);
    expect('message' in result && result.message).toMatch(/^not an AdmissionReview: /);
  });

  it('accepts v1 and v1beta1', () => {
    expect(readAdmissionReview(valid)).toHaveProperty('request');
    expect(readAdmissionReview({ ...valid, apiVersion: 'admission.k8s.io/v1beta1' })).toHaveProperty(
      'request',
    );
  });
});

describe('validateAdmission', () => {
  it('allows a valid object with nothing to say', () => {
    const verdict = validateAdmission(requestOf({ object: minimalManifest() }), snapshot, settings);
    expect(verdict).toMatchObject({ allowed: true, result: 'allowed', warnings: [], rules: [] });
    expect(admissionResponse('u-1', verdict)).toEqual({ uid: 'u-1', allowed: true });
  });

  it('puts every error into one 422 denial with a cause per finding', () => {
    const object = twoErrors();
    const errors = validateDetailed(object, { operation: 'CREATE', now: NOW }).findings.filter(
      (f) => f.severity === 'error',
    );
    expect(errors.length).toBe(2);
    const verdict = validateAdmission(requestOf({ object }), snapshot, settings);
    expect(verdict.allowed).toBe(false);
    expect(verdict.status).toMatchObject({ status: 'Failure', code: 422, reason: 'Invalid' });
    expect(verdict.status?.details?.causes.map((c) => c.field)).toEqual(errors.map((e) => e.path));
    expect(verdict.status?.details).toMatchObject({
      name: 'acid-demo',
      kind: 'postgresql',
      group: 'acid.zalan.do',
    });
    for (const error of errors) {
      expect(verdict.status?.message).toContain(`${error.path}: ${error.message}`);
    }
    expect(verdict.status?.message).toMatch(/^postgresql\.acid\.zalan\.do "acid-demo" is invalid: \[/);
    expect(verdict.auditAnnotations['fired-rules']).toBe(
      [...new Set(errors.map((e) => e.ruleId))].sort().join(','),
    );
  });

  it('words a single error without brackets and names the rule and the fix', () => {
    const status = denial(
      [{ ruleId: 'x/y', severity: 'error', path: 'spec.a', message: 'bad', hint: 'write b' }],
      'acid-x',
    );
    expect(status.message).toBe('postgresql.acid.zalan.do "acid-x" is invalid: spec.a: bad; write b (x/y)');
    expect(status.details?.causes).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.a', message: 'bad; write b (x/y)' },
    ]);
  });

  it('turns warning findings into "path: message" warnings, with the hint when it fits', () => {
    const object = minimalManifest({ users: { app_owner: [] }, databases: { app: 'app_ownr' } });
    const verdict = validateAdmission(requestOf({ object }), snapshot, settings);
    expect(verdict.allowed).toBe(true);
    expect(verdict.warnings).toEqual([
      expect.stringMatching(/^spec\.databases\[app\]: owner "app_ownr" .*; did you mean "app_owner"\?$/),
    ]);
  });

  it('always allows an UPDATE that leaves the spec alone, however bad the spec', () => {
    const old = conflictingFlags();
    const object = {
      ...old,
      metadata: { ...(old.metadata as object), finalizers: ['postgres-operator.acid.zalan.do'] },
    };
    const verdict = validateAdmission(
      requestOf({ operation: 'UPDATE', object, oldObject: old }),
      snapshot,
      settings,
    );
    expect(verdict).toMatchObject({ allowed: true, result: 'skipped', skipped: 'spec unchanged' });
  });

  it('validates an UPDATE that changes the spec', () => {
    const verdict = validateAdmission(
      requestOf({ operation: 'UPDATE', object: conflictingFlags(), oldObject: minimalManifest() }),
      snapshot,
      settings,
    );
    expect(verdict.allowed).toBe(false);
  });

  it('skips subresources and other kinds', () => {
    const status = requestOf({ object: conflictingFlags(), subResource: 'status' });
    expect(validateAdmission(status, snapshot, settings)).toMatchObject({
      allowed: true,
      skipped: 'subresource status',
    });
    const pod = {
      ...requestOf({ object: conflictingFlags() }),
      kind: { group: '', version: 'v1', kind: 'Pod' },
    };
    expect(validateAdmission(pod, snapshot, settings)).toMatchObject({ allowed: true, result: 'skipped' });
  });

  describe('DELETE goes through delete protection', () => {
    const protectedSnapshot = {
      ...snapshot,
      policy: policyWith({
        deleteAnnotationDateKey: 'delete-date',
        deleteAnnotationNameKey: 'delete-clustername',
      }),
    };
    it('denies a DELETE without the annotations', () => {
      const verdict = validateAdmission(
        requestOf({ operation: 'DELETE', oldObject: minimalManifest() }),
        protectedSnapshot,
        settings,
      );
      expect(verdict.allowed).toBe(false);
      expect(verdict.status?.details?.causes.map((c) => c.field)).toEqual([
        'metadata.annotations[delete-date]',
        'metadata.annotations[delete-clustername]',
      ]);
    });
    it('allows it with today (UTC) and the name', () => {
      const oldObject = minimalManifest();
      (oldObject.metadata as Record<string, unknown>).annotations = {
        'delete-date': '2026-11-26',
        'delete-clustername': 'acid-demo',
      };
      const verdict = validateAdmission(
        requestOf({ operation: 'DELETE', oldObject }),
        protectedSnapshot,
        settings,
      );
      expect(verdict.allowed).toBe(true);
    });
    it('allows any DELETE when the operator has no delete annotation keys', () => {
      const verdict = validateAdmission(
        requestOf({ operation: 'DELETE', oldObject: conflictingFlags() }),
        snapshot,
        settings,
      );
      expect(verdict.allowed).toBe(true);
    });
  });

  describe('the bypass annotation', () => {
    const bypassed = (reason: string) => {
      const object = conflictingFlags();
      (object.metadata as Record<string, unknown>).annotations = { [BYPASS_ANNOTATION]: reason };
      return object;
    };
    it('is ignored, loudly, when the webhook does not allow bypass', () => {
      const verdict = validateAdmission(requestOf({ object: bypassed('incident 42') }), snapshot, settings);
      expect(verdict.allowed).toBe(false);
      expect(verdict.warnings[0]).toMatch(/acid-guard\/bypass\]: ignored, this webhook does not allow/);
      expect(verdict.auditAnnotations.bypass).toBeUndefined();
    });
    it('allows with a loud warning naming the reason, and the errors as warnings, when allowed', () => {
      const verdict = validateAdmission(requestOf({ object: bypassed('incident 42') }), snapshot, {
        ...settings,
        allowBypass: true,
      });
      expect(verdict).toMatchObject({ allowed: true, result: 'bypassed', errors: 1 });
      expect(verdict.warnings[0]).toMatch(
        /^BYPASS: .*default\/acid-demo.*"incident 42"; 1 error\(s\) not enforced/,
      );
      expect(verdict.warnings[1]).toMatch(/^spec\.users\[app_owner\]\[1\]: invalid flags/);
      expect(verdict.auditAnnotations).toMatchObject({
        bypass: 'incident 42',
        'fired-rules': 'users/conflicting-flags',
      });
    });
    it('needs a reason', () => {
      const verdict = validateAdmission(requestOf({ object: bypassed('  ') }), snapshot, {
        ...settings,
        allowBypass: true,
      });
      expect(verdict.allowed).toBe(false);
      expect(verdict.warnings[0]).toMatch(/a bypass needs a reason/);
    });
  });
});

describe('mutateAdmission', () => {
  it('answers no patch for an object with nothing to change', () => {
    const verdict = mutateAdmission(requestOf({ object: minimalManifest() }), snapshot);
    expect(verdict).toMatchObject({ allowed: true, patchOperations: 0 });
    expect(verdict.patch).toBeUndefined();
  });

  it('answers a base64 JSON Patch and lists what it applied as warnings', () => {
    const object = minimalManifest({ postgresql: { version: 17 } });
    const verdict = mutateAdmission(requestOf({ object }), snapshot);
    expect(verdict.result).toBe('patched');
    const response = admissionResponse('u', verdict);
    expect(response.patchType).toBe('JSONPatch');
    expect(JSON.parse(Buffer.from(response.patch ?? '', 'base64').toString())).toEqual([
      { op: 'replace', path: '/spec/postgresql/version', value: '17' },
    ]);
    expect(verdict.warnings).toEqual([
      expect.stringMatching(/^spec\.postgresql\.version: changed from 17 to "17"/),
    ]);
    expect(verdict.auditAnnotations['defaults-applied']).toBe('spec.postgresql.version');
  });

  it('applies the defaults policy of the snapshot', () => {
    const withDefaults: PolicySnapshot = {
      ...snapshot,
      defaults: { source: 'defaults.yaml', defaults: { enableLogicalBackup: true }, teams: {} },
    };
    const verdict = mutateAdmission(requestOf({ object: minimalManifest() }), withDefaults);
    expect(verdict.warnings).toEqual([
      expect.stringMatching(/^spec\.enableLogicalBackup: set to true \(default from defaults\.yaml\)/),
    ]);
  });

  it('never mutates DELETE or an UPDATE that leaves the spec alone', () => {
    const object = minimalManifest({ postgresql: { version: 17 } });
    expect(
      mutateAdmission(requestOf({ operation: 'DELETE', oldObject: object }), snapshot).patch,
    ).toBeUndefined();
    expect(
      mutateAdmission(
        requestOf({ operation: 'UPDATE', object, oldObject: structuredClone(object) }),
        snapshot,
      ).patch,
    ).toBeUndefined();
  });
});

describe('warnings fit the API server limits', () => {
  it('cuts one long warning to 255 bytes with an ellipsis, never inside a character', () => {
    const cut = truncateBytes('é'.repeat(300), MAX_WARNING_BYTES);
    expect(byteLength(cut)).toBeLessThanOrEqual(MAX_WARNING_BYTES);
    expect(cut.endsWith('…')).toBe(true);
    expect(cut).not.toContain('\uFFFD');
  });

  it('keeps the total within 4,095 bytes and says how many were left out', () => {
    const warnings = Array.from({ length: 100 }, (_, i) => `spec.users[user_${i}]: ${'x'.repeat(80)}`);
    const fitted = fitWarnings(warnings);
    expect(fitted.reduce((n, w) => n + byteLength(w), 0)).toBeLessThanOrEqual(MAX_WARNINGS_BYTES);
    const note = fitted.at(-1) ?? '';
    const leftOut = Number(/and (\d+) more warnings left out/.exec(note)?.[1]);
    expect(fitted.length - 1 + leftOut).toBe(100);
  });

  it('removes line breaks and control characters', () => {
    expect(fitWarnings(['a\nb\tc\u0000d'])).toEqual(['a b c d']);
  });

  it('holds for any list of warnings (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 600 }), { maxLength: 80 }), (warnings) => {
        const fitted = fitWarnings(warnings);
        const total = fitted.reduce((n, w) => n + byteLength(w), 0);
        return (
          total <= MAX_WARNINGS_BYTES &&
          fitted.every((w) => byteLength(w) <= MAX_WARNING_BYTES && !/[\n\r]/.test(w)) &&
          fitted.length <= warnings.length
        );
      }),
      { numRuns: 150 },
    );
  });
});

describe('VerdictCache', () => {
  const cache = new VerdictCache(2);
  const body = (uid: string, name: string) =>
    Buffer.from(JSON.stringify(review({ uid, object: minimalManifest({ teamId: name }) })));

  it('keys by content: not by uid, but by route, day and every byte of the objects', () => {
    const key = cache.key('validate', body('uid-1', 'acid'), 'uid-1', NOW);
    expect(cache.key('validate', body('uid-2', 'acid'), 'uid-2', NOW)).toBe(key);
    expect(cache.key('mutate', body('uid-1', 'acid'), 'uid-1', NOW)).not.toBe(key);
    expect(cache.key('validate', body('uid-1', 'acie'), 'uid-1', NOW)).not.toBe(key);
    expect(cache.key('validate', body('uid-1', 'acid'), 'uid-1', new Date('2026-11-27T00:00:00Z'))).not.toBe(
      key,
    );
    // Wherever the uid occurs as a string, it is taken out.
    const twice = (uid: string) => Buffer.from(JSON.stringify({ request: { uid, note: uid, object: {} } }));
    expect(cache.key('validate', twice('u-1'), 'u-1', NOW)).toBe(
      cache.key('validate', twice('u-2'), 'u-2', NOW),
    );
  });

  it('keeps the most recently used, and forgets everything when the snapshot changes', () => {
    const verdict = validateAdmission(requestOf({ object: minimalManifest() }), snapshot, settings);
    cache.set(snapshot, 'a', verdict);
    cache.set(snapshot, 'b', verdict);
    expect(cache.get(snapshot, 'a')?.verdict).toBe(verdict);
    cache.set(snapshot, 'c', verdict);
    expect(cache.get(snapshot, 'b')).toBeUndefined();
    expect(cache.get(snapshot, 'a')?.verdict).toBe(verdict);
    const next = { ...snapshot };
    expect(cache.get(next, 'a')).toBeUndefined();
    cache.set(next, 'd', verdict);
    expect(cache.size).toBe(1);
    const off = new VerdictCache(0);
    off.set(snapshot, 'a', verdict);
    expect(off.get(snapshot, 'a')).toBeUndefined();
  });
});

describe('response templates', () => {
  it('fill in to exactly the JSON of the response, for any uid', () => {
    const verdict = validateAdmission(requestOf({ object: twoErrors() }), snapshot, settings);
    for (const apiVersion of ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const) {
      const template = responseTemplate(apiVersion, admissionResponse('', verdict));
      for (const uid of ['705ab4f5-6393-11e8-b7cc-42010a800002', 'a"b\\c\u0000d', '']) {
        expect(fillTemplate(template, uid)).toBe(
          JSON.stringify(reviewResponse(apiVersion, admissionResponse(uid, verdict))),
        );
      }
    }
  });
});
