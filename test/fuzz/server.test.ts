/**
 * Random AdmissionReviews through the running server (issue 8, part 2, server half): valid envelopes
 * around mutated and arbitrary objects, broken envelopes, arbitrary JSON, arbitrary text and bytes,
 * POSTed to /validate and /mutate over HTTP/2 (one session, as the API server keeps one) and HTTP/1.1.
 * Never a 500 and never a crash: every answer is either a well-formed AdmissionReview — the version
 * and uid sent, a boolean `allowed`, a status message when denied, on /mutate a JSON Patch that
 * applies to the object, and the same verdict as the admission functions give in process — or a 400
 * with a JSON message, exactly when the body is no answerable review (not UTF-8, not JSON, nested
 * deeper than the server reads, or no AdmissionReview). Bounded: a fixed number of runs
 * per property and a time limit each; the whole file takes a few seconds.
 */
import { policyWith } from '@acid-guard/validator';
import fc from 'fast-check';
import jsonpatch, { type Operation } from 'fast-json-patch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admissionResponse, mutateAdmission, validateAdmission } from '../../webhook/src/admission.js';
import { MAX_BODY_DEPTH, parseBody } from '../../webhook/src/admission-body.js';
import { isReviewProblem, readAdmissionReview } from '../../webhook/src/admission-review.js';
import { type PolicySnapshot, StaticPolicySource } from '../../webhook/src/policy-source.js';
import {
  decodePatch,
  Http2Client,
  minimalManifest,
  ownExamples,
  type Reply,
  requestHttp1,
  startServer,
  type TestServer,
} from '../webhook/harness.js';

const NOW = new Date('2026-11-26T12:00:00Z');
const RUNS = 300;
/** Per property: fast-check stops generating after this long and the runs so far count. */
const TIME_LIMIT_MS = 8000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let server: TestServer;
let snapshot: PolicySnapshot;
let h2: Http2Client;

beforeAll(async () => {
  const source = new StaticPolicySource({
    policy: policyWith({
      deleteAnnotationDateKey: 'delete-date',
      deleteAnnotationNameKey: 'delete-clustername',
    }),
  });
  server = await startServer({ policySource: source, clock: () => NOW, logger: false });
  snapshot = source.current() as PolicySnapshot;
  h2 = new Http2Client(server.port, server.ca);
});

afterAll(async () => {
  await h2.close();
  await server.close();
});

// ---------------------------------------------------------------------------------------------------
// What to send

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Segment = string | number;

const seeds: Json[] = [
  minimalManifest() as Json,
  ...ownExamples('good').map((e) => e.manifest as Json),
  ...ownExamples('bad').map((e) => e.manifest as Json),
];

/** Every path of a value, root first; iterative, at most `limit` of them. */
function pathsOf(value: Json, limit = 400): Segment[][] {
  const paths: Segment[][] = [];
  const stack: [Json, Segment[]][] = [[value, []]];
  for (let item = stack.pop(); item !== undefined && paths.length < limit; item = stack.pop()) {
    const [node, path] = item;
    paths.push(path);
    if (node === null || typeof node !== 'object') continue;
    for (const [key, child] of Object.entries(node)) {
      stack.push([child, [...path, Array.isArray(node) ? Number(key) : key]]);
    }
  }
  return paths;
}

const EDITS = ['set', 'delete', 'null', 'wrap', 'stringify', 'empty'] as const;
type Edit = { at: number; action: (typeof EDITS)[number]; value: Json };

/** Applies edits to a copy: each picks a node of the current value and changes it. */
function edited(seed: Json, edits: readonly Edit[]): Json {
  let root = structuredClone(seed);
  for (const { at, action, value } of edits) {
    const paths = pathsOf(root);
    const path = paths[at % paths.length] as Segment[];
    const current = path.reduce<Json>(
      (node, segment) => (node as Record<Segment, Json>)[segment] as Json,
      root,
    );
    const replacement: Json | undefined =
      action === 'set'
        ? value
        : action === 'null'
          ? null
          : action === 'wrap'
            ? [current]
            : action === 'stringify'
              ? JSON.stringify(current)
              : action === 'empty'
                ? Array.isArray(current)
                  ? []
                  : {}
                : undefined;
    if (path.length === 0) {
      root = replacement ?? null;
      continue;
    }
    const parent = path
      .slice(0, -1)
      .reduce<Json>((node, segment) => (node as Record<Segment, Json>)[segment] as Json, root) as Record<
      Segment,
      Json
    >;
    const last = path.at(-1) as Segment;
    if (replacement !== undefined) parent[last] = replacement;
    else if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  }
  return root;
}

const json = fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<Json>;
const edit: fc.Arbitrary<Edit> = fc.record({ at: fc.nat(), action: fc.constantFrom(...EDITS), value: json });
const mutatedManifest = fc
  .tuple(fc.constantFrom(...seeds), fc.array(edit, { maxLength: 5 }))
  .map(([seed, edits]) => edited(seed, edits));
const anObject = fc.oneof(
  { weight: 6, arbitrary: mutatedManifest },
  { weight: 1, arbitrary: json },
  { weight: 1, arbitrary: fc.constant(null) },
);

/** Where a value nested this many maps deep goes in (as text: building it as an object would overflow). */
const DEEP = '"@deep@"';
const deepMap = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** The envelope the API server sends, with arbitrary parts where it lets users choose. */
const envelope = fc
  .record({
    apiVersion: fc.constantFrom('admission.k8s.io/v1', 'admission.k8s.io/v1beta1'),
    uid: fc.oneof({ weight: 4, arbitrary: fc.uuid() }, { weight: 1, arbitrary: fc.string({ minLength: 1 }) }),
    operation: fc.constantFrom('CREATE', 'UPDATE', 'UPDATE', 'DELETE', 'CONNECT'),
    object: anObject,
    oldObject: anObject,
    subResource: fc.option(fc.constantFrom('status', 'scale'), { freq: 8 }),
    kind: fc.oneof(
      { weight: 8, arbitrary: fc.constant({ group: 'acid.zalan.do', version: 'v1', kind: 'postgresql' }) },
      { weight: 1, arbitrary: fc.constant({ group: '', version: 'v1', kind: 'ConfigMap' }) },
    ),
    name: fc.option(fc.string(), { freq: 4 }),
    dryRun: fc.boolean(),
  })
  .map(({ apiVersion, subResource, name, ...request }) => ({
    apiVersion,
    kind: 'AdmissionReview',
    request: {
      ...request,
      ...(subResource !== null && { subResource }),
      ...(name !== null && { name }),
      namespace: 'default',
      userInfo: { username: 'fuzz' },
    },
  }));

/** A valid envelope, its objects sometimes nested past the limit (inserted as text). */
const validReview = fc
  .tuple(envelope, fc.option(fc.constantFrom(150, 197, 198, 260, 995, 996, 10_000), { freq: 6 }))
  .map(([review, depth]) => {
    if (depth === null) return JSON.stringify(review);
    const object = structuredClone(minimalManifest()) as Record<string, Record<string, unknown>>;
    (object.spec as Record<string, unknown>).postgresql = { version: '17', parameters: '@deep@' };
    const text = JSON.stringify({ ...review, request: { ...review.request, object, oldObject: object } });
    return text.replaceAll(DEEP, deepMap(depth));
  });

const CORRUPTIBLE = [
  ['apiVersion'],
  ['kind'],
  ['request'],
  ['request', 'uid'],
  ['request', 'operation'],
  ['request', 'object'],
  ['request', 'oldObject'],
  ['request', 'name'],
  ['request', 'namespace'],
  ['request', 'subResource'],
  ['request', 'kind'],
] as const;

/** A valid envelope with one field removed or replaced by any JSON. */
const brokenReview = fc
  .tuple(envelope, fc.constantFrom(...CORRUPTIBLE), fc.option(json, { freq: 3 }))
  .map(([review, path, value]) => {
    const copy = structuredClone(review) as unknown as Record<string, Record<string, unknown>>;
    const parent = path.length === 1 ? copy : (copy.request as Record<string, unknown>);
    const key = path.at(-1) as string;
    if (value === null) delete parent[key];
    else (parent as Record<string, unknown>)[key] = value;
    return JSON.stringify(copy);
  });

const anyBody: fc.Arbitrary<string | Buffer> = fc.oneof(
  { weight: 6, arbitrary: validReview },
  { weight: 3, arbitrary: brokenReview },
  { weight: 1, arbitrary: json.map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)) },
  // A valid review with a few bytes changed: broken UTF-8, broken JSON, or still valid.
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        validReview,
        fc.array(
          fc.tuple(
            fc.noBias(fc.nat({ max: 100_000 })),
            // Bytes that break UTF-8 (a lone continuation, a cut sequence, a surrogate's lead, 0xff),
            // or JSON (quote, backslash, brace, NUL), or anything.
            fc.oneof(
              fc.constantFrom(0x80, 0xc3, 0xed, 0xff, 0x22, 0x5c, 0x7b, 0x00),
              fc.integer({ min: 0, max: 255 }),
            ),
          ),
          { minLength: 1, maxLength: 3 },
        ),
      )
      .map(([text, flips]) => {
        const bytes = Buffer.from(text);
        for (const [at, byte] of flips) bytes[at % bytes.length] = byte;
        return bytes;
      }),
  },
);

// ---------------------------------------------------------------------------------------------------
// What must come back

type Route = '/validate' | '/mutate';

interface ReviewAnswer {
  apiVersion: string;
  kind: string;
  response: {
    uid: string;
    allowed: boolean;
    status?: { code: number; message: string };
    patchType?: string;
    patch?: string;
  };
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Collections on the longest path from the root (the root counting as one). Iterative. */
function depthOf(root: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[root, 1]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [value, depth] = item;
    if (value === null || typeof value !== 'object') continue;
    deepest = Math.max(deepest, depth);
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * The review in a body, as RFC 8259 reads it: UTF-8 (checked here on its own, not by the server's
 * code), JSON; then the server's reading of it, which must agree and drops `__proto__` keys.
 */
function readReview(bytes: Buffer): ReturnType<typeof readAdmissionReview> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(UTF8.decode(bytes));
  } catch {
    return undefined;
  }
  if (depthOf(value) > MAX_BODY_DEPTH) return undefined;
  const parsed = parseBody(bytes);
  expect(parsed).toHaveProperty('value');
  return 'value' in parsed ? readAdmissionReview(parsed.value) : undefined;
}

function expectAnswer(route: Route, body: string | Buffer, reply: Reply): void {
  expect(reply.status, reply.text).not.toBe(500);
  expect(reply.headers['content-type']).toMatch(/^application\/json/);
  const review = readReview(Buffer.from(body));
  if (review === undefined || isReviewProblem(review)) {
    expect(reply.status).toBe(400);
    const refusal = reply.json<{ statusCode: number; error: string; message: string }>();
    expect(refusal.statusCode).toBe(400);
    expect(refusal.message).toMatch(/^(not an AdmissionReview: |the body )/);
    return;
  }
  expect(reply.status).toBe(200);
  const answer = reply.json<ReviewAnswer>();
  expect(answer.apiVersion).toBe(review.apiVersion);
  expect(answer.kind).toBe('AdmissionReview');
  const { response } = answer;
  expect(response.uid).toBe(review.request.uid);
  expect(typeof response.allowed).toBe('boolean');
  if (!response.allowed) {
    expect(response.status?.code).toBe(422);
    expect(response.status?.message).toMatch(/ is invalid: ./);
  }
  if (route === '/mutate') {
    expect(response.allowed).toBe(true);
    if (response.patch !== undefined) {
      expect(response.patchType).toBe('JSONPatch');
      const patch = decodePatch(response) as Operation[];
      const object = review.request.object;
      expect(jsonpatch.validate(patch, object)).toBeUndefined();
      expect(() => jsonpatch.applyPatch(structuredClone(object), patch, true, false)).not.toThrow();
    }
  }
  // The verdict the admission functions give in process. Only for uids as the API server makes
  // them: the verdict cache blanks the uid wherever it occurs, so a short made-up uid that also
  // occurs in the object may share a cached verdict with another body.
  if (UUID.test(review.request.uid)) {
    const verdict =
      route === '/validate'
        ? validateAdmission(review.request, snapshot, { allowBypass: false, now: NOW })
        : mutateAdmission(review.request, snapshot);
    expect(response).toEqual(admissionResponse(review.request.uid, verdict));
  }
}

const asserted = { count: 0, byStatus: new Map<number, number>() };

async function sendBoth(protocol: 'http1' | 'http2', body: string | Buffer): Promise<void> {
  for (const route of ['/validate', '/mutate'] as const) {
    const options = { body, ca: server.ca };
    const reply =
      protocol === 'http2'
        ? await h2.request(route, options)
        : await requestHttp1(server.port, route, options);
    expectAnswer(route, body, reply);
    asserted.count++;
    asserted.byStatus.set(reply.status, (asserted.byStatus.get(reply.status) ?? 0) + 1);
  }
}

const settings = { numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false };

describe('fuzz: the running server answers every body with a review or a 400', () => {
  it('valid envelopes around mutated manifests and arbitrary objects (HTTP/2)', async () => {
    await fc.assert(
      fc.asyncProperty(validReview, (body) => sendBoth('http2', body)),
      { ...settings, numRuns: RUNS * 2 },
    );
  });

  it('broken envelopes, arbitrary JSON, text and bytes (HTTP/2)', async () => {
    await fc.assert(
      fc.asyncProperty(anyBody, (body) => sendBoth('http2', body)),
      settings,
    );
  });

  it('all of it over HTTP/1.1, a connection each', async () => {
    await fc.assert(
      fc.asyncProperty(anyBody, (body) => sendBoth('http1', body)),
      { ...settings, numRuns: RUNS / 3 },
    );
  });

  it('the server still serves afterwards, with no handler error on record', async () => {
    // Every kind of answer was seen: reviews and refusals.
    expect(asserted.count).toBeGreaterThan(200);
    expect(asserted.byStatus.get(200)).toBeGreaterThan(50);
    expect(asserted.byStatus.get(400)).toBeGreaterThan(20);
    expect([...asserted.byStatus.keys()].sort()).toEqual([200, 400]);
    const health = await h2.request('/healthz');
    expect(health.status).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    const fresh = await requestHttp1(server.port, '/healthz', { ca: server.ca });
    expect(fresh.status).toBe(200);
    const metrics = await server.metrics.text();
    expect(metrics).not.toMatch(/acid_guard_webhook_handler_errors_total\{[^}]*\} [1-9]/);
  });
});
