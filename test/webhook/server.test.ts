import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CONFIGMAP_DEFAULTS,
  loadDefaultsPolicy,
  mutate,
  policyWith,
  validateDetailed,
} from '@acid-guard/validator';
import jsonpatch, { type Operation } from 'fast-json-patch';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BODY_LIMIT, createWebhook } from '../../webhook/src/app.js';
import { createDevCertificate } from '../../webhook/src/dev-certificate.js';
import { WebhookMetrics } from '../../webhook/src/metrics.js';
import {
  FilePolicySource,
  type PolicySnapshot,
  type PolicySource,
  StaticPolicySource,
} from '../../webhook/src/policy-source.js';
import { servingCertificate } from '../../webhook/src/tls.js';
import {
  decodePatch,
  minimalManifest,
  operatorExamples,
  ownExamples,
  PROTOCOLS,
  type Protocol,
  requestHttp1,
  review,
  startServer,
  type TestServer,
} from './harness.js';

interface ReviewBody {
  apiVersion: string;
  kind: string;
  response: {
    uid: string;
    allowed: boolean;
    status?: { code: number; reason: string; message: string; details?: { causes: { field?: string }[] } };
    patchType?: string;
    patch?: string;
    warnings?: string[];
    auditAnnotations?: Record<string, string>;
  };
}

const DEFAULTS_TEXT = `apiVersion: acid-guard/v1
kind: DefaultsPolicy
metadata:
  name: platform-defaults
spec:
  defaults:
    enableLogicalBackup: true
    resources:
      requests:
        cpu: 250m
        memory: 512Mi
      limits:
        cpu: "1"
        memory: 1Gi
  teams:
    acid:
      numberOfInstances: 3
`;

const examples = [
  ...operatorExamples().map((e) => ({ ...e, file: `operator ${e.file}` })),
  ...ownExamples('good').map((e) => ({ ...e, file: `examples/good/${e.file}` })),
];
const badExamples = ownExamples('bad');

/** What the library says about an object: the webhook must say the same. */
function libraryErrors(object: unknown, operation: 'CREATE' | 'UPDATE' | 'DELETE' = 'CREATE', old?: unknown) {
  const { findings } = validateDetailed(object, { operation, ...(old !== undefined && { old }) });
  return {
    errors: findings.filter((f) => f.severity === 'error'),
    warnings: findings.filter((f) => f.severity === 'warning'),
  };
}

let server: TestServer;
let defaultsSnapshot: Partial<PolicySnapshot>;

beforeAll(async () => {
  defaultsSnapshot = {
    policy: policyWith({
      deleteAnnotationDateKey: 'delete-date',
      deleteAnnotationNameKey: 'delete-clustername',
    }),
    defaults: loadDefaultsPolicy(DEFAULTS_TEXT, 'defaults.yaml'),
  };
  server = await startServer({ snapshot: defaultsSnapshot, clock: () => new Date('2026-11-26T12:00:00Z') });
});

afterAll(async () => {
  await server.close();
});

it('has the operator examples and our fixtures to work with', () => {
  expect(examples.length).toBeGreaterThanOrEqual(2);
  expect(badExamples.length).toBeGreaterThanOrEqual(3);
});

describe.each(PROTOCOLS)('over %s', (protocol: Protocol) => {
  const post = (path: string, body: unknown) => server.post(protocol, path, body);

  it('negotiates the protocol and answers health and readiness', async () => {
    const health = await server.post(protocol, '/healthz', undefined, { method: 'GET', body: undefined });
    expect(health.alpn).toBe(protocol === 'http2' ? 'h2' : 'http/1.1');
    expect(health.json()).toEqual({ status: 'ok' });
    const ready = await server.post(protocol, '/readyz', undefined, { method: 'GET', body: undefined });
    expect(ready.status).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready' });
  });

  it.each(examples)('CREATE of $file: allowed, uid echoed, the library’s warnings', async ({ manifest }) => {
    const sent = review({ object: manifest });
    const reply = await post('/validate', sent);
    expect(reply.status).toBe(200);
    const body = reply.json<ReviewBody>();
    expect(body.apiVersion).toBe('admission.k8s.io/v1');
    expect(body.kind).toBe('AdmissionReview');
    expect(body.response.uid).toBe(sent.request.uid);
    const { errors, warnings } = libraryErrors(manifest);
    expect(errors).toEqual([]);
    expect(body.response.allowed).toBe(true);
    expect(body.response.warnings ?? []).toHaveLength(warnings.length);
  });

  it.each(badExamples)(
    'CREATE of examples/bad/$file: the same errors as the library, in one denial',
    async ({ manifest }) => {
      const body = (await post('/validate', review({ object: manifest }))).json<ReviewBody>();
      const { errors } = libraryErrors(manifest);
      expect(body.response.allowed).toBe(errors.length === 0);
      if (errors.length === 0) return;
      expect(body.response.status).toMatchObject({ code: 422, reason: 'Invalid' });
      expect(body.response.status?.details?.causes).toHaveLength(errors.length);
      for (const error of errors) expect(body.response.status?.message).toContain(error.message);
    },
  );

  it('UPDATE: unchanged spec always allowed; a changed one validated', async () => {
    const bad = minimalManifest({ users: { app_owner: ['superuser', 'nosuperuser'] } });
    const withFinalizer = { ...bad, metadata: { ...(bad.metadata as object), finalizers: ['x'] } };
    const unchanged = (
      await post('/validate', review({ operation: 'UPDATE', object: withFinalizer, oldObject: bad }))
    ).json<ReviewBody>();
    expect(unchanged.response).toEqual({ uid: expect.any(String), allowed: true });
    const changed = (
      await post('/validate', review({ operation: 'UPDATE', object: bad, oldObject: minimalManifest() }))
    ).json<ReviewBody>();
    expect(changed.response.allowed).toBe(false);
    expect(changed.response.status?.details?.causes.map((c) => c.field)).toEqual([
      'spec.users[app_owner][1]',
    ]);
  });

  it('DELETE goes through delete protection (date in UTC, name)', async () => {
    const plain = minimalManifest();
    const denied = (
      await post('/validate', review({ operation: 'DELETE', oldObject: plain }))
    ).json<ReviewBody>();
    expect(denied.response.allowed).toBe(false);
    expect(denied.response.status?.details?.causes.map((c) => c.field)).toEqual([
      'metadata.annotations[delete-date]',
      'metadata.annotations[delete-clustername]',
    ]);
    const annotated = {
      ...plain,
      metadata: {
        ...(plain.metadata as object),
        annotations: { 'delete-date': '2026-11-26', 'delete-clustername': 'acid-demo' },
      },
    };
    const allowed = (
      await post('/validate', review({ operation: 'DELETE', oldObject: annotated }))
    ).json<ReviewBody>();
    expect(allowed.response.allowed).toBe(true);
    const mutated = (
      await post('/mutate', review({ operation: 'DELETE', oldObject: plain }))
    ).json<ReviewBody>();
    expect(mutated.response).toEqual({ uid: expect.any(String), allowed: true });
  });

  it('dryRun requests are answered exactly like the others', async () => {
    const object = minimalManifest({ users: { app_owner: ['superuser', 'nosuperuser'] } });
    for (const path of ['/validate', '/mutate']) {
      const real = (await post(path, review({ object, uid: 'same' }))).json<ReviewBody>();
      const dry = (await post(path, review({ object, uid: 'same', dryRun: true }))).json<ReviewBody>();
      expect(dry).toEqual(real);
    }
  });

  it('answers a v1beta1 review as v1beta1', async () => {
    const sent = review({ object: minimalManifest(), apiVersion: 'admission.k8s.io/v1beta1' });
    const body = (await post('/validate', sent)).json<ReviewBody>();
    expect(body.apiVersion).toBe('admission.k8s.io/v1beta1');
    expect(body.response.uid).toBe(sent.request.uid);
  });

  it.each(examples)(
    '/mutate of $file: the patch applies and the result validates, and mutating again changes nothing',
    async ({ manifest }) => {
      const body = (await post('/mutate', review({ object: manifest }))).json<ReviewBody>();
      expect(body.response.allowed).toBe(true);
      const expected = mutate(manifest, { defaults: defaultsSnapshot.defaults });
      const patch = decodePatch(body.response) as Operation[];
      expect(body.response.patchType).toBe(expected.patch.length > 0 ? 'JSONPatch' : undefined);
      expect(body.response.warnings ?? []).toHaveLength(expected.changes.length);
      expect(jsonpatch.validate(patch, manifest)).toBeUndefined();
      const patched = jsonpatch.applyPatch(structuredClone(manifest), patch, true, false).newDocument;
      expect(patched).toEqual(expected.object);
      expect(libraryErrors(patched).errors).toEqual([]);
      const again = (await post('/mutate', review({ object: patched }))).json<ReviewBody>();
      expect(again.response.patch).toBeUndefined();
    },
  );

  it('/mutate applies the defaults policy (global and the team’s) and lists each change as a warning', async () => {
    const object = minimalManifest();
    delete (object.spec as Record<string, unknown>).numberOfInstances;
    const body = (await post('/mutate', review({ object }))).json<ReviewBody>();
    const patch = decodePatch(body.response) as Operation[];
    const patched = jsonpatch.applyPatch(structuredClone(object), patch, true, false).newDocument;
    expect(patched.spec).toMatchObject({
      enableLogicalBackup: true,
      numberOfInstances: 3,
      resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
    });
    expect(body.response.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^spec\.numberOfInstances: set to 3 \(default for team acid from platform-defaults/,
        ),
        expect.stringMatching(/^spec\.enableLogicalBackup: set to true \(default from platform-defaults/),
      ]),
    );
    expect(body.response.auditAnnotations?.['defaults-applied']).toMatch(/spec\.numberOfInstances/);
    expect(libraryErrors(patched).errors).toEqual([]);
  });

  it.each(badExamples)(
    '/mutate of examples/bad/$file: the patch applies and adds no error',
    async ({ manifest }) => {
      const body = (await post('/mutate', review({ object: manifest }))).json<ReviewBody>();
      const patch = decodePatch(body.response) as Operation[];
      expect(jsonpatch.validate(patch, manifest)).toBeUndefined();
      const patched = jsonpatch.applyPatch(structuredClone(manifest), patch, true, false).newDocument;
      const before = new Set(libraryErrors(manifest).errors.map((e) => `${e.ruleId} ${e.path}`));
      const after = libraryErrors(patched).errors.map((e) => `${e.ruleId} ${e.path}`);
      expect(after.filter((e) => !before.has(e))).toEqual([]);
      expect(patch.every((operation) => operation.op === 'add' || operation.op === 'replace')).toBe(true);
    },
  );

  it('/mutate repairs types the CRD schema would reject, and the result passes /validate', async () => {
    const object = minimalManifest({ postgresql: { version: 17, parameters: { max_connections: 100 } } });
    const before = (await post('/validate', review({ object }))).json<ReviewBody>();
    expect(before.response.allowed).toBe(false);
    const mutated = (await post('/mutate', review({ object }))).json<ReviewBody>();
    const patched = jsonpatch.applyPatch(
      structuredClone(object),
      decodePatch(mutated.response) as Operation[],
      true,
      false,
    ).newDocument;
    expect((patched.spec as { postgresql: unknown }).postgresql).toEqual({
      version: '17',
      parameters: { max_connections: '100' },
    });
    expect(mutated.response.auditAnnotations?.['defaults-applied']).toContain('spec.postgresql.version');
    const after = (await post('/validate', review({ object: patched }))).json<ReviewBody>();
    expect(after.response.allowed).toBe(true);
  });
});

describe('bad requests', () => {
  const valid = JSON.stringify(review({ object: minimalManifest() }));

  it.each(PROTOCOLS)('wrong content type → 415 (%s)', async (protocol) => {
    const reply = await server.post(protocol, '/validate', valid, {
      headers: { 'content-type': 'text/plain' },
    });
    expect(reply.status).toBe(415);
    expect(reply.json().message).toMatch(
      /content type "text\/plain" is not supported: send an AdmissionReview/,
    );
  });

  it.each(PROTOCOLS)('a body above 7 MiB → 413 (%s)', async (protocol) => {
    const big = JSON.stringify({ ...review({ object: minimalManifest() }), padding: 'x'.repeat(BODY_LIMIT) });
    const reply = await server.post(protocol, '/validate', big);
    expect(reply.status).toBe(413);
    expect(reply.json().message).toMatch(/larger than 7340032 bytes/);
  });

  it.each(PROTOCOLS)('a large review under 7 MiB (two 3 MB objects) is answered (%s)', async (protocol) => {
    const huge = minimalManifest({ env: [{ name: 'BIG', value: 'x'.repeat(3_000_000) }] });
    const reply = await server.post(
      protocol,
      '/validate',
      review({ operation: 'UPDATE', object: huge, oldObject: huge }),
    );
    expect(reply.status).toBe(200);
    expect(reply.json<ReviewBody>().response.allowed).toBe(true);
  });

  it.each(PROTOCOLS)('malformed JSON → 400 without echoing the body (%s)', async (protocol) => {
    const reply = await server.post(
      protocol,
      '/validate',
      '{"clone": {"s3_secret_access_key": SECRET-VALUE-1}}',
    );
    expect(reply.status).toBe(400);
    expect(reply.json().message).toBe('the body is not valid JSON: send an AdmissionReview as JSON');
    expect(reply.text).not.toContain('SECRET-VALUE-1');
    expect(server.logs.raw).not.toContain('SECRET-VALUE-1');
  });

  it.each([
    ['an empty body', ''],
    ['a JSON list', '[]'],
    ['another kind', JSON.stringify({ ...JSON.parse(valid), kind: 'ConfigMap' })],
    ['no uid', JSON.stringify({ ...JSON.parse(valid), request: { operation: 'CREATE' } })],
  ])('%s → 400 with a clear message', async (_name, body) => {
    const reply = await server.post('http1', '/mutate', body);
    expect(reply.status).toBe(400);
    expect(reply.json().message).toMatch(/^(not an AdmissionReview: |the body is empty)/);
  });

  it('an unknown path → 404, a GET of /validate → 404', async () => {
    expect((await server.post('http1', '/admit', valid)).status).toBe(404);
    expect(
      (await server.post('http1', '/validate', undefined, { method: 'GET', body: undefined })).status,
    ).toBe(404);
  });
});

describe('many warnings stay within the API server’s limits', () => {
  it.each(PROTOCOLS)('each under 256 bytes, all under 4,096 (%s)', async (protocol) => {
    const users = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`app_user_${i}`, []]));
    const rotation = Array.from({ length: 120 }, (_, i) => `unknown_user_with_a_rather_long_name_${i}`);
    const object = minimalManifest({ users, usersWithSecretRotation: rotation });
    expect(libraryErrors(object).warnings.length).toBeGreaterThan(100);
    const body = (await server.post(protocol, '/validate', review({ object }))).json<ReviewBody>();
    const warnings = body.response.warnings ?? [];
    expect(warnings.every((w) => Buffer.byteLength(w) < 256)).toBe(true);
    expect(warnings.reduce((n, w) => n + Buffer.byteLength(w), 0)).toBeLessThan(4096);
    expect(warnings.at(-1)).toMatch(/more warnings left out/);
  });
});

describe('logs', () => {
  it('one line per review with uid, namespace, name, operation, allowed and duration; no secret values', async () => {
    const object = minimalManifest({
      clone: {
        cluster: 'acid-source',
        timestamp: '2026-11-01T00:00:00+00:00',
        s3_wal_path: 's3://bucket/spilo/acid-source/wal',
        s3_access_key_id: 'AKIA-SECRET-ID-2',
        s3_secret_access_key: 'SECRET-VALUE-2',
      },
    });
    const sent = review({ object });
    await server.post('http2', '/validate', sent);
    const line = server.logs.lines.find((l) => l.uid === sent.request.uid);
    expect(line).toMatchObject({
      msg: 'admission review',
      route: 'validate',
      namespace: 'default',
      name: 'acid-demo',
      operation: 'CREATE',
      allowed: expect.any(Boolean),
      durationMs: expect.any(Number),
    });
    expect(server.logs.raw).not.toContain('SECRET-VALUE-2');
    expect(server.logs.raw).not.toContain('AKIA-SECRET-ID-2');
  });
});

describe('robustness and metrics', () => {
  it('an exception in a handler is logged, counted and answered with 500; the server carries on', async () => {
    // A policy source that throws once, as a broken live source might.
    const broken = new StaticPolicySource();
    let explode = false;
    broken.current = () => {
      if (explode) {
        explode = false;
        throw new Error('informer cache exploded');
      }
      return StaticPolicySource.prototype.current.call(broken);
    };
    const failing = await startServer({ policySource: broken });
    explode = true;
    try {
      const first = await failing.post('http2', '/validate', review({ object: minimalManifest() }));
      expect(first.status).toBe(500);
      expect(first.json().message).toMatch(/informer cache exploded/);
      const second = await failing.post('http2', '/validate', review({ object: minimalManifest() }));
      expect(second.status).toBe(200);
      const metrics = await failing.metrics.text();
      expect(metrics).toMatch(/acid_guard_webhook_handler_errors_total\{route="validate"\} 1/);
      expect(metrics).toMatch(
        /acid_guard_webhook_requests_total\{route="validate",operation="CREATE",result="error"\} 1/,
      );
      expect(failing.logs.lines.some((l) => l.msg === 'admission handler failed')).toBe(true);
    } finally {
      await failing.close();
    }
  });

  it('/metrics: requests by route, operation and result, latency, in flight, policy age, certificate expiry', async () => {
    const reply = await server.post('http1', '/metrics', undefined, { method: 'GET', body: undefined });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^text\/plain/);
    const text = reply.text;
    expect(text).toMatch(
      /acid_guard_webhook_requests_total\{route="validate",operation="CREATE",result="allowed"\} \d+/,
    );
    expect(text).toMatch(
      /acid_guard_webhook_requests_total\{route="validate",operation="DELETE",result="denied"\} \d+/,
    );
    expect(text).toMatch(
      /acid_guard_webhook_requests_total\{route="mutate",operation="CREATE",result="patched"\} \d+/,
    );
    expect(text).toMatch(
      /acid_guard_webhook_requests_total\{route="validate",operation="unknown",result="invalid"\} \d+/,
    );
    expect(text).toMatch(
      /acid_guard_webhook_request_duration_seconds_bucket\{le="0\.01",route="validate"\} \d+/,
    );
    expect(text).toMatch(/acid_guard_webhook_requests_in_flight\{route="validate"\} 0/);
    expect(text).toMatch(/acid_guard_webhook_policy_age_seconds \d/);
    const expiry = Number(/acid_guard_webhook_certificate_expiry_timestamp_seconds (\d+)/.exec(text)?.[1]);
    expect(expiry * 1000).toBe(server.certificate.notAfter.getTime());
    expect(text).toMatch(/acid_guard_webhook_verdict_cache_requests_total\{result="hit"\} [1-9]/);
  });

  it('the verdict cache answers identical content the same, with the request’s own uid', async () => {
    const object = minimalManifest({ users: { app_owner: ['superuser', 'nosuperuser'] } });
    const [a, b] = [randomUUID(), randomUUID()];
    const first = (await server.post('http1', '/validate', review({ object, uid: a }))).json<ReviewBody>();
    const second = (await server.post('http1', '/validate', review({ object, uid: b }))).json<ReviewBody>();
    expect(second.response.uid).toBe(b);
    expect({ ...second.response, uid: a }).toEqual(first.response);
    const cached = server.logs.lines.filter((l) => l.uid === b);
    expect(cached[0]?.cached).toBe(true);
  });
});

describe('readiness', () => {
  it('is ready once the policy is loaded, and admission requests wait for it (503)', async () => {
    let load: (snapshot: PolicySnapshot) => void = () => {};
    const loaded = new Promise<PolicySnapshot>((resolve) => {
      load = resolve;
    });
    let snapshot: PolicySnapshot | undefined;
    const slow: PolicySource = {
      start: async () => {
        snapshot = await loaded;
        return snapshot;
      },
      current: () => snapshot,
      onReload: () => {},
      close: async () => {},
    };
    const certificate = createDevCertificate();
    const webhook = createWebhook({
      certificate: servingCertificate(certificate.cert, certificate.key),
      policySource: slow,
      logger: false,
      metrics: new WebhookMetrics({ processMetrics: false }),
    });
    const started = webhook.start({ host: '127.0.0.1', port: 0 });
    try {
      await vi.waitFor(() => expect(webhook.server.listening).toBe(true));
      const port = (webhook.server.address() as AddressInfo).port;
      const get = (path: string) => requestHttp1(port, path, { ca: certificate.cert });
      expect((await get('/healthz')).status).toBe(200);
      const unready = await get('/readyz');
      expect(unready.status).toBe(503);
      expect(unready.json()).toEqual({ status: 'not ready', reason: 'policy not loaded yet' });
      const early = await requestHttp1(port, '/validate', {
        ca: certificate.cert,
        body: JSON.stringify(review({ object: minimalManifest() })),
      });
      expect(early.status).toBe(503);
      load({ policy: CONFIGMAP_DEFAULTS, loadedAt: new Date(), sources: ['test'], warnings: [] });
      await started;
      expect((await get('/readyz')).status).toBe(200);
    } finally {
      await webhook.shutdown({ timeoutMs: 1000 });
    }
  });

  it('start() rejects when the policy files cannot be used', async () => {
    const file = join(tmpdir(), `acid-guard-broken-${process.pid}.yaml`);
    writeFileSync(file, 'kind: Deployment\n');
    const source = new FilePolicySource({ operatorConfig: file }, { watch: false });
    const certificate = createDevCertificate();
    const webhook = createWebhook({
      certificate: servingCertificate(certificate.cert, certificate.key),
      policySource: source,
      logger: false,
      metrics: new WebhookMetrics({ processMetrics: false }),
    });
    await expect(webhook.start({ host: '127.0.0.1', port: 0 })).rejects.toThrow(/expected a ConfigMap/);
    expect(source.current()).toBeUndefined();
    await webhook.shutdown({ timeoutMs: 1000 });
  });
});

describe('body parsing', () => {
  it('drops __proto__ keys instead of passing them on', async () => {
    const object = minimalManifest();
    const text = JSON.stringify(review({ object })).replace(
      '"spec":{',
      '"spec":{"__proto__":{"teamId":"evil"},',
    );
    expect(text).toContain('__proto__');
    const reply = await server.post('http1', '/validate', text);
    expect(reply.status).toBe(200);
    expect(reply.json<ReviewBody>().response.allowed).toBe(true);
  });

  it('refuses a body without content type (415) and accepts a charset', async () => {
    const none = await server.post('http2', '/validate', '{}', { headers: { 'content-type': '' } });
    expect(none.status).toBe(415);
    const valid = JSON.stringify(review({ object: minimalManifest() }));
    const charset = await server.post('http1', '/validate', valid, {
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(charset.status).toBe(200);
  });
});
