/**
 * The bad-input catalogue (docs/webhook.md, "Bad input and faults"): each kind of bad request gets
 * its defined answer — a well-formed AdmissionReview or a 4xx with a JSON message, never a 500 — and
 * a valid review right after it is answered, over HTTP/1.1 and HTTP/2. What server.test.ts proves
 * already (an empty body, a JSON list, 404s, `__proto__` keys, a 7 MiB review answered) is not
 * repeated here; the statuses it checks for malformed JSON, 413 and 415 are, with the follow-up.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIGMAP_DEFAULTS, lintText, loadDefaultsPolicy, teamDirectoryFrom } from '@acid-guard/validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_DEPTH } from '../../webhook/src/admission-body.js';
import { MAX_OBJECT_DEPTH } from '../../webhook/src/admission-depth.js';
import { BODY_LIMIT } from '../../webhook/src/app.js';
import { FilePolicySource } from '../../webhook/src/policy-source.js';
import {
  decodePatch,
  minimalManifest,
  PROTOCOLS,
  type Protocol,
  type Reply,
  ROOT,
  review,
  stalledConnection,
  startServer,
  type TestServer,
  unfinishedHttp2Headers,
} from './harness.js';

interface ReviewBody {
  apiVersion: string;
  kind: string;
  response: {
    uid: string;
    allowed: boolean;
    status?: { code: number; message: string; details?: { causes: { field?: string; message: string }[] } };
    patch?: string;
    warnings?: string[];
  };
}

/** Short timeouts, so that the slow clients below are closed within a second. */
const TIMEOUTS = { headersMs: 400, requestMs: 2000, idleMs: 5000, checkIntervalMs: 100 };

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ timeouts: TIMEOUTS });
});
afterAll(async () => {
  await server.close();
});

/** A review of a valid manifest is answered normally: the server still serves after bad input. */
async function stillServes(protocol: Protocol): Promise<void> {
  const sent = review({ object: minimalManifest() });
  const reply = await server.post(protocol, '/validate', sent);
  expect(reply.status).toBe(200);
  const body = reply.json<ReviewBody>();
  expect(body.response.uid).toBe(sent.request.uid);
  expect(body.response.allowed).toBe(true);
}

/** A plain HTTP error: the status, and a JSON body that says what is wrong. */
function expectRefusal(reply: Reply, status: number, message: RegExp): void {
  expect(reply.status).toBe(status);
  expect(reply.headers['content-type']).toMatch(/^application\/json/);
  const body = reply.json<{ statusCode: number; error: string; message: string }>();
  expect(body.statusCode).toBe(status);
  expect(body.error).toEqual(expect.any(String));
  expect(body.message).toMatch(message);
}

const validText = () => JSON.stringify(review({ object: minimalManifest() }));
const envelope = () => review({ object: minimalManifest() }) as Record<string, unknown>;
const withRequest = (changes: Record<string, unknown>) => {
  const sent = envelope();
  return JSON.stringify({ ...sent, request: { ...(sent.request as object), ...changes } });
};
const deepMap = (depth: number, leaf = '1') => `${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`;
const deepList = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
/** A valid review whose manifest has a value nested `depth` maps deep at spec.postgresql.parameters. */
const deepReview = (depth: number, operation: 'CREATE' | 'UPDATE' = 'CREATE') => {
  const object = minimalManifest({ postgresql: { version: '17', parameters: '@DEEP@' } });
  const text = JSON.stringify(
    review({ operation, object, oldObject: operation === 'UPDATE' ? object : null }),
  );
  return text.replaceAll('"@DEEP@"', deepMap(depth));
};

/** Bodies the server refuses before judging anything: the answer, and what its message must say. */
const REFUSED: { name: string; body: () => string | Buffer; status: number; message: RegExp }[] = [
  {
    name: 'malformed JSON (cut short)',
    body: () => validText().slice(0, 80),
    status: 400,
    message: /^the body is not valid JSON/,
  },
  {
    name: 'JSON with trailing garbage',
    body: () => `${validText()} }`,
    status: 400,
    message: /^the body is not valid JSON/,
  },
  {
    name: 'JSON that is a string',
    body: () => '"AdmissionReview"',
    status: 400,
    message: /the body is "AdmissionReview", expected a JSON object/,
  },
  {
    name: 'wrong apiVersion',
    body: () => JSON.stringify({ ...envelope(), apiVersion: 'admission.k8s.io/v2' }),
    status: 400,
    message: /apiVersion "admission\.k8s\.io\/v2" is not served; send admission\.k8s\.io\/v1/,
  },
  {
    name: 'no apiVersion',
    body: () => JSON.stringify({ ...envelope(), apiVersion: undefined }),
    status: 400,
    message: /apiVersion undefined is not served/,
  },
  {
    name: 'wrong kind',
    body: () => JSON.stringify({ ...envelope(), kind: 'AdmissionReviewList' }),
    status: 400,
    message: /kind is "AdmissionReviewList", expected "AdmissionReview"/,
  },
  {
    name: 'missing uid',
    body: () => withRequest({ uid: undefined }),
    status: 400,
    message: /request\.uid is undefined, expected a non-empty string/,
  },
  {
    name: 'empty uid',
    body: () => withRequest({ uid: '' }),
    status: 400,
    message: /request\.uid is "", expected a non-empty string/,
  },
  {
    name: 'a number for uid',
    body: () => withRequest({ uid: 42 }),
    status: 400,
    message: /request\.uid is number/,
  },
  {
    name: 'an unknown operation',
    body: () => withRequest({ operation: 'PATCH' }),
    status: 400,
    message: /request\.operation is "PATCH", expected one of CREATE, UPDATE, DELETE, CONNECT/,
  },
  {
    name: 'a CREATE whose object is a string',
    body: () => withRequest({ object: 'apiVersion: acid.zalan.do/v1' }),
    status: 400,
    message: /request\.object is "apiVersion: acid\.zalan\.do\/v1", expected an object/,
  },
  {
    name: 'a body over 7 MiB',
    body: () => JSON.stringify({ ...envelope(), padding: 'x'.repeat(BODY_LIMIT) }),
    status: 413,
    message: /larger than 7340032 bytes/,
  },
  {
    name: 'JSON nested 10,000 lists deep as the whole body',
    body: () => deepList(10_000),
    status: 400,
    message: /^the body nests deeper than 1000 levels: no AdmissionReview does$/,
  },
  {
    name: 'JSON nested 10,000 maps deep as the whole body',
    body: () => deepMap(10_000),
    status: 400,
    message: /^the body nests deeper than 1000 levels/,
  },
  {
    name: 'JSON nested 10,000 maps deep with a __proto__ key at the bottom',
    body: () => deepMap(10_000, '{"__proto__":{"polluted":true}}'),
    status: 400,
    message: /^the body nests deeper than 1000 levels/,
  },
  {
    name: 'a review with an object nested 10,000 levels deep',
    body: () => deepReview(10_000),
    status: 400,
    message: /^the body nests deeper than 1000 levels/,
  },
  {
    name: 'a review nested 10,000 levels deep where nothing reads (request.options)',
    body: () => {
      const sent = envelope();
      return JSON.stringify({ ...sent, request: { ...(sent.request as object), options: '@DEEP@' } }).replace(
        '"@DEEP@"',
        deepMap(10_000),
      );
    },
    status: 400,
    message: /^the body nests deeper than 1000 levels/,
  },
  {
    name: 'JSON nested exactly 1,000 lists deep: read, and no review',
    body: () => deepList(MAX_BODY_DEPTH),
    status: 400,
    message: /^not an AdmissionReview: the body is a list/,
  },
  {
    name: 'JSON nested 1,001 lists deep',
    body: () => deepList(MAX_BODY_DEPTH + 1),
    status: 400,
    message: /^the body nests deeper than 1000 levels/,
  },
  {
    name: 'binary bytes',
    body: () => Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe, 0x00, 0x01, 0x80, 0xc0]),
    status: 400,
    message: /^the body is not valid UTF-8/,
  },
  {
    name: 'a review with invalid UTF-8 inside a string',
    body: () => {
      const [before, after] = validText().split('acid-demo') as [string, string];
      return Buffer.concat([Buffer.from(`${before}acid-`), Buffer.from([0xc3, 0x28]), Buffer.from(after)]);
    },
    status: 400,
    message: /^the body is not valid UTF-8/,
  },
  {
    name: 'a review with a UTF-16 surrogate encoded as UTF-8 (CESU-8)',
    body: () => {
      const [before, after] = validText().split('acid-demo') as [string, string];
      return Buffer.concat([Buffer.from(before), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(after)]);
    },
    status: 400,
    message: /^the body is not valid UTF-8/,
  },
  {
    name: 'valid UTF-8 control bytes',
    body: () => Buffer.from([0x00, 0x01, 0x02, 0x7f]),
    status: 400,
    message: /^the body is not valid JSON/,
  },
  {
    name: 'a review behind a UTF-8 byte order mark',
    body: () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(validText())]),
    status: 400,
    message: /^the body is not valid JSON/,
  },
];

describe.each(PROTOCOLS)(
  'refused bad input over %s: 4xx with a message, then the next review is answered',
  (protocol) => {
    it.each(REFUSED)('$name → $status', async ({ body, status, message }) => {
      const text = body();
      for (const path of ['/validate', '/mutate']) {
        expectRefusal(await server.post(protocol, path, text), status, message);
      }
      await stillServes(protocol);
    });

    it.each([
      'application/yaml',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json-patch+json',
    ])('content type %s → 415', async (type) => {
      for (const path of ['/validate', '/mutate']) {
        const reply = await server.post(protocol, path, validText(), { headers: { 'content-type': type } });
        expectRefusal(reply, 415, /is not supported: send an AdmissionReview as application\/json/);
      }
      await stillServes(protocol);
    });
  },
);

describe.each(PROTOCOLS)('objects nested too deep are judged without recursion (%s)', (protocol) => {
  it(`500 levels inside the object: /validate denies it at the field, /mutate leaves it alone`, async () => {
    const text = deepReview(500);
    const uid = (JSON.parse(text) as { request: { uid: string } }).request.uid;
    const denied = await server.post(protocol, '/validate', text);
    expect(denied.status).toBe(200);
    const verdict = denied.json<ReviewBody>().response;
    expect(verdict.uid).toBe(uid);
    expect(verdict.allowed).toBe(false);
    expect(verdict.status?.code).toBe(422);
    expect(verdict.status?.message).toMatch(
      /is invalid: spec\.postgresql\.parameters: nested deeper than 200 levels/,
    );
    expect(verdict.status?.details?.causes).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.postgresql.parameters', message: expect.any(String) },
    ]);
    const mutated = (await server.post(protocol, '/mutate', text)).json<ReviewBody>().response;
    expect(mutated).toMatchObject({ uid, allowed: true });
    expect(mutated.patch).toBeUndefined();
    expect(mutated.warnings).toEqual([
      expect.stringMatching(/nested deeper than 200 levels.*; not mutated$/),
    ]);
    await stillServes(protocol);
  });

  it('an UPDATE whose old and new specs are both 900 levels deep is judged, not compared', async () => {
    const reply = await server.post(protocol, '/validate', deepReview(900, 'UPDATE'));
    expect(reply.status).toBe(200);
    expect(reply.json<ReviewBody>().response.allowed).toBe(false);
    await stillServes(protocol);
  });

  it('an UPDATE of a stored object nested too deep: the new one is judged on its own', async () => {
    const good = minimalManifest();
    const text = JSON.stringify(
      review({
        operation: 'UPDATE',
        object: { ...good, spec: { ...(good.spec as object), numberOfInstances: 3 } },
        oldObject: minimalManifest({ postgresql: { version: '17', parameters: '@DEEP@' } }),
      }),
    ).replace('"@DEEP@"', deepMap(900));
    const verdict = (await server.post(protocol, '/validate', text)).json<ReviewBody>().response;
    expect(verdict.allowed).toBe(true);
    expect(verdict.warnings?.[0]).toMatch(
      /^stored object: .*nested deeper than 200 levels.*update rules skipped$/,
    );
  });

  it('the limit itself is judged as usual; a DELETE of a deep stored object goes through delete protection', async () => {
    // The object is the first level, spec the second, …: the value at parameters adds the rest.
    const atLimit = (
      await server.post(protocol, '/validate', deepReview(MAX_OBJECT_DEPTH - 3))
    ).json<ReviewBody>();
    expect(atLimit.response.status?.message ?? '').not.toMatch(/nested deeper/);
    const over = (
      await server.post(protocol, '/validate', deepReview(MAX_OBJECT_DEPTH - 2))
    ).json<ReviewBody>();
    expect(over.response.status?.message).toMatch(/nested deeper than 200 levels/);
    const remove = JSON.stringify(
      review({
        operation: 'DELETE',
        oldObject: minimalManifest({ postgresql: { version: '17', parameters: '@DEEP@' } }),
      }),
    ).replace('"@DEEP@"', deepMap(900));
    const deleted = await server.post(protocol, '/validate', remove);
    expect(deleted.status).toBe(200);
    expect(deleted.json<ReviewBody>().response.allowed).toBe(true);
  });

  it('brackets and escaped quotes inside strings are not nesting', async () => {
    const sent = review({ object: minimalManifest() });
    const text = JSON.stringify({
      ...sent,
      request: { ...sent.request, name: '['.repeat(5000), namespace: '\\"{'.repeat(2000) },
    });
    const reply = await server.post(protocol, '/validate', text);
    expect(reply.status).toBe(200);
    expect(reply.json<ReviewBody>().response.uid).toBe(sent.request.uid);
  });

  it('900 levels in a part of the envelope nothing reads (request.options) change nothing', async () => {
    const sent = review({ object: minimalManifest() });
    const text = JSON.stringify({ ...sent, request: { ...sent.request, options: '@DEEP@' } }).replace(
      '"@DEEP@"',
      deepMap(900),
    );
    const reply = await server.post(protocol, '/validate', text);
    expect(reply.status).toBe(200);
    expect(reply.json<ReviewBody>().response).toEqual({ uid: sent.request.uid, allowed: true });
  });
});

// ---------------------------------------------------------------------------------------------------
// YAML alias bombs: the webhook reads JSON, which has no aliases; YAML is read from policy files and
// by `acid-guard lint`, and a billion-laughs document there is refused at once.

/** Nine levels of nine references each: 9^9 (387 million) strings once expanded. */
function billionLaughs(indent: string): string {
  const lines = [`${indent}l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]`];
  for (let i = 1; i <= 8; i++) {
    lines.push(`${indent}l${i}: &l${i} [${Array.from({ length: 9 }, () => `*l${i - 1}`).join(', ')}]`);
  }
  return `${lines.join('\n')}\n`;
}

const MANIFEST_BOMB = `apiVersion: acid.zalan.do/v1
kind: postgresql
metadata:
  name: acid-laughs
  annotations:
${billionLaughs('    ')}spec:
  teamId: acid
  numberOfInstances: 2
  postgresql: {version: "17"}
  volume: {size: 1Gi}
`;

const CONFIGMAP_BOMB = `apiVersion: v1
kind: ConfigMap
metadata:
  name: postgres-operator
data:
${billionLaughs('  ')}`;

/** Runs `fn` and says how long it took. */
function timed<T>(fn: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = fn();
  return { value, ms: performance.now() - started };
}

describe('YAML alias bombs', () => {
  it('lintText on a billion-laughs manifest finishes at once with a yaml/alias-expansion error', () => {
    const { value, ms } = timed(() => lintText(MANIFEST_BOMB));
    expect(ms).toBeLessThan(1000);
    expect(value.errors).toBe(1);
    expect(value.findings[0]).toMatchObject({
      ruleId: 'yaml/alias-expansion',
      severity: 'error',
      location: { line: 1 },
    });
  });

  it('`acid-guard lint` on the file exits 1 with the finding, within seconds', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'acid-guard-bomb-'));
    try {
      writeFileSync(join(folder, 'laughs.yaml'), MANIFEST_BOMB);
      const started = Date.now();
      const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) =>
        execFile(
          process.execPath,
          [
            join(ROOT, 'packages/validator/bin/acid-guard.cjs'),
            'lint',
            '--format',
            'json',
            join(folder, 'laughs.yaml'),
          ],
          { timeout: 10_000 },
          (error, out) =>
            resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout: out }),
        ),
      );
      expect(code).toBe(1);
      expect(stdout).toContain('yaml/alias-expansion');
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('the policy loaders refuse a billion-laughs file at once, naming the file', () => {
    for (const load of [
      () =>
        loadDefaultsPolicy(
          `apiVersion: acid-guard/v1\nkind: DefaultsPolicy\nspec:\n  defaults:\n${billionLaughs('    ')}`,
          'defaults.yaml',
        ),
      () =>
        teamDirectoryFrom(
          [{ text: `teams:\n${billionLaughs('  ')}`, source: 'teams.yaml' }],
          CONFIGMAP_DEFAULTS,
        ),
    ]) {
      const { ms } = timed(() =>
        expect(load).toThrow(/^(defaults|teams)\.yaml:1:1: aliases expand this document/),
      );
      expect(ms).toBeLessThan(1000);
    }
  });

  it('a ConfigMap policy file with a billion laughs: the webhook does not start on it, and a reload to it keeps the policy in use', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'acid-guard-bomb-'));
    const file = join(folder, 'operator.yaml');
    try {
      writeFileSync(file, CONFIGMAP_BOMB);
      const refused = new FilePolicySource({ operatorConfig: file }, { watch: false });
      await expect(refused.start()).rejects.toThrow(`${file}:1:1: aliases expand this document`);

      writeFileSync(
        file,
        'apiVersion: v1\nkind: ConfigMap\ndata:\n  delete_annotation_date_key: delete-date\n',
      );
      const source = new FilePolicySource({ operatorConfig: file }, { watch: false });
      const loaded = await startServer({ policySource: source });
      try {
        writeFileSync(file, CONFIGMAP_BOMB);
        const started = Date.now();
        await source.reload();
        expect(Date.now() - started).toBeLessThan(1000);
        expect(source.current()?.policy.deleteAnnotationDateKey).toBe('delete-date');
        expect(await loaded.metrics.text()).toMatch(/policy_reloads_total\{result="failure"\} 1/);
        const remove = await loaded.post(
          'http2',
          '/validate',
          review({ operation: 'DELETE', oldObject: minimalManifest() }),
        );
        expect(remove.json<ReviewBody>().response.allowed).toBe(false);
      } finally {
        await loaded.close();
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it.each(PROTOCOLS)(
    'a billion-laughs text in an annotation value is only a string to the webhook (%s)',
    async (protocol) => {
      const object = minimalManifest();
      (object.metadata as Record<string, unknown>).annotations = { 'example.com/notes': CONFIGMAP_BOMB };
      const started = Date.now();
      for (const path of ['/validate', '/mutate']) {
        const sent = review({ object });
        const reply = await server.post(protocol, path, sent);
        expect(reply.status).toBe(200);
        expect(reply.json<ReviewBody>().response).toMatchObject({ uid: sent.request.uid, allowed: true });
        if (path === '/mutate') expect(decodePatch(reply.json<ReviewBody>().response)).toEqual([]);
      }
      expect(Date.now() - started).toBeLessThan(2000);
    },
  );
});

// ---------------------------------------------------------------------------------------------------
// Slow clients. timeouts.test.ts proves the HTTP/1.1 header and request timeouts (408) and the
// HTTP/2 stream timeout one client at a time; here several stall at every stage at once, a review
// is answered meanwhile, and each is closed after the header timeout.

describe('slow clients that never finish their headers', () => {
  it('are closed after the header timeout at every stage, while reviews go on being answered', async () => {
    const limitMs = 3000;
    const stalled = [
      // TCP only: the TLS handshake never starts (handshake timeout = header timeout).
      ...Array.from({ length: 3 }, () => stalledConnection(server.port, { layer: 'tcp', limitMs })),
      // TLS done, HTTP/1.1 headers cut short.
      ...Array.from({ length: 3 }, () =>
        stalledConnection(server.port, {
          layer: 'http1',
          ca: server.ca,
          bytes: 'POST /validate HTTP/1.1\r\nHost: x\r\nContent-Ty',
          limitMs,
        }),
      ),
      // TLS done, HTTP/2 negotiated, nothing sent: not even the client preface.
      ...Array.from({ length: 3 }, () =>
        stalledConnection(server.port, { layer: 'h2', ca: server.ca, limitMs }),
      ),
      // HTTP/2: a HEADERS frame whose header block never ends (no END_HEADERS, no CONTINUATION).
      ...Array.from({ length: 3 }, () =>
        stalledConnection(server.port, {
          layer: 'h2',
          ca: server.ca,
          bytes: unfinishedHttp2Headers(),
          limitMs,
        }),
      ),
    ];
    try {
      for (const protocol of PROTOCOLS) await stillServes(protocol);
      const results = await Promise.all(stalled.map((connection) => connection.closed));
      for (const { ms } of results) {
        expect(ms).toBeGreaterThanOrEqual(TIMEOUTS.headersMs - 50);
        expect(ms).toBeLessThan(TIMEOUTS.headersMs + 1500);
      }
      // HTTP/1.1 gets its answer before the close.
      for (const { received } of results.slice(3, 6)) {
        expect(received.toString('latin1')).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
      }
      for (const protocol of PROTOCOLS) await stillServes(protocol);
    } finally {
      for (const connection of stalled) connection.destroy();
    }
  });
});

describe('after the whole catalogue', () => {
  it('no request ended in a handler error', async () => {
    const metrics = await server.metrics.text();
    expect(metrics).not.toMatch(/acid_guard_webhook_handler_errors_total\{[^}]*\} [1-9]/);
    expect(metrics).not.toMatch(/result="error"\} [1-9]/);
    expect(server.logs.lines.filter((line) => (line.level as number) >= 50)).toEqual([]);
  });
});
