/**
 * Faults under load (issue 8, part 4): the serving certificate rotated while requests run over
 * HTTP/1.1 and HTTP/2; SIGTERM to the built process while requests run; the policy file flapping
 * between good and broken versions; a broken policy file at start-up.
 *
 * What the other suites prove already, and is not repeated: tls-reload.test.ts — one rotation with
 * requests two at a time, a half-written pair refused; shutdown.test.ts — one request in flight per
 * protocol answered during a drain (in process and as a process), the bound on a drain that hangs;
 * policy-source.test.ts — one broken reload keeps the policy; server.test.ts — `start()` rejects on a
 * broken file. Every load below is bounded in requests and in time.
 */
import { randomUUID, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createWebhook } from '../../webhook/src/app.js';
import { createDevCertificate, type DevCertificate } from '../../webhook/src/dev-certificate.js';
import { WebhookMetrics } from '../../webhook/src/metrics.js';
import {
  FilePolicySource,
  type PolicySnapshot,
  type ReloadEvent,
  StaticPolicySource,
} from '../../webhook/src/policy-source.js';
import { readServingCertificate } from '../../webhook/src/tls.js';
import {
  Http2Client,
  LogCapture,
  MountedVolume,
  minimalManifest,
  type Protocol,
  type Reply,
  type RequestOptions,
  requestHttp1,
  review,
  runBuiltWebhook,
  send,
  startBuiltWebhook,
  startServer,
  type WebhookProcess,
} from './harness.js';

let cleanup: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

const fingerprint = (certificate: DevCertificate) => new X509Certificate(certificate.cert).fingerprint256;

interface Outcome {
  uid: string;
  /** How the request went: on its own new connection, or on a long-lived HTTP/2 session. */
  client: 'http1' | 'http2' | 'session';
  startedAt: number;
  reply?: Reply;
  error?: Error;
}

/** A request with a fresh uid: the review's uid, and the outcome once it settled. */
async function attempt(
  client: Outcome['client'],
  sendIt: (body: string) => Promise<Reply>,
  object = minimalManifest(),
): Promise<Outcome> {
  const uid = randomUUID();
  const startedAt = performance.now();
  try {
    return { uid, client, startedAt, reply: await sendIt(JSON.stringify(review({ object, uid }))) };
  } catch (error) {
    return { uid, client, startedAt, error: error as Error };
  }
}

/** A complete answer to `uid`: HTTP 200 and a whole AdmissionReview with that uid. */
function complete(outcome: Outcome): boolean {
  const reply = outcome.reply;
  if (reply === undefined || reply.status !== 200) return false;
  try {
    return reply.json<{ response: { uid: string } }>().response.uid === outcome.uid;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------

describe('certificate rotation under load', () => {
  it('three rotations while 8 clients send 600 requests over HTTP/1.1 and HTTP/2: none fails, new connections get the new certificate', async () => {
    const certificates = [
      createDevCertificate(),
      createDevCertificate(),
      createDevCertificate(),
      createDevCertificate(),
    ];
    const [first] = certificates as [DevCertificate];
    const ca = certificates.map((c) => c.cert);
    const volume = new MountedVolume({ 'tls.crt': first.cert, 'tls.key': first.key });
    cleanup.push(() => volume.remove());
    const webhook = createWebhook({
      certificate: readServingCertificate(volume.path('tls.crt'), volume.path('tls.key')),
      certificateFiles: {
        cert: volume.path('tls.crt'),
        key: volume.path('tls.key'),
        debounceMs: 20,
        pollMs: 200,
      },
      policySource: new StaticPolicySource(),
      logger: { level: 'info', stream: new LogCapture() },
      metrics: new WebhookMetrics({ processMetrics: false }),
    });
    const { port } = await webhook.start({ host: '127.0.0.1', port: 0 });
    cleanup.push(() => webhook.shutdown({ timeoutMs: 2000 }));

    // Two HTTP/2 sessions opened before any rotation and kept to the end, as the API server keeps them.
    const sessions = [new Http2Client(port, ca), new Http2Client(port, ca)];
    for (const session of sessions) cleanup.push(() => session.close());

    const TOTAL = 600;
    const deadline = Date.now() + 20_000;
    const outcomes: Outcome[] = [];
    /** When each certificate became the one in use (performance.now()), by index. */
    const inUseFrom: number[] = [performance.now()];
    let issued = 0;
    const worker = async (client: Outcome['client'], index: number) => {
      while (issued < TOTAL && Date.now() < deadline) {
        issued++;
        const session = sessions[index % sessions.length] as Http2Client;
        outcomes.push(
          await attempt(client, (body) =>
            client === 'session'
              ? session.request('/validate', { body })
              : send(client, port, '/validate', { ca, body }),
          ),
        );
      }
    };
    // Rotates at 100, 250 and 400 requests issued, each time once the previous rotation took effect.
    const rotate = async () => {
      for (const [k, at] of [100, 250, 400].entries()) {
        const next = certificates[k + 1] as DevCertificate;
        while (issued < at && Date.now() < deadline) await sleep(2);
        volume.update({ 'tls.crt': next.cert, 'tls.key': next.key });
        while (webhook.certificate.fingerprint !== fingerprint(next) && Date.now() < deadline) await sleep(2);
        inUseFrom.push(performance.now());
      }
    };
    await Promise.all([
      rotate(),
      ...[0, 1, 2].map((i) => worker('http1', i)),
      ...[0, 1, 2].map((i) => worker('http2', i)),
      ...[0, 1].map((i) => worker('session', i)),
    ]);

    expect(outcomes.filter((o) => o.error !== undefined).map((o) => o.error?.message)).toEqual([]);
    expect(outcomes.filter((o) => !complete(o))).toEqual([]);
    expect(outcomes).toHaveLength(TOTAL);
    expect(inUseFrom).toHaveLength(4);
    // A new connection opened after certificate k was in use presents k or a later one, never an older one.
    const order = certificates.map(fingerprint);
    for (const outcome of outcomes.filter((o) => o.client !== 'session')) {
      const current = inUseFrom.filter((from) => from < outcome.startedAt).length - 1;
      expect(order.indexOf(outcome.reply?.fingerprint ?? '')).toBeGreaterThanOrEqual(current);
    }
    // Every certificate was served to new connections, over both protocols.
    for (const client of ['http1', 'http2'] as const) {
      const served = new Set(outcomes.filter((o) => o.client === client).map((o) => o.reply?.fingerprint));
      expect(served.size).toBe(4);
    }
    // The sessions opened first kept their connection, and with it the first certificate.
    const onSessions = outcomes.filter((o) => o.client === 'session');
    expect(onSessions.length).toBeGreaterThan(50);
    expect(new Set(onSessions.map((o) => o.reply?.fingerprint))).toEqual(new Set([fingerprint(first)]));
    expect(await webhook.metrics.text()).toMatch(/certificate_reloads_total\{result="success"\} 3/);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('SIGTERM under load (the built process)', () => {
  it('answers every request it accepted, completely, and exits 0', async () => {
    const proc: WebhookProcess = await startBuiltWebhook([
      '--shutdown-delay',
      '400ms',
      '--shutdown-timeout',
      '5s',
    ]);
    cleanup.push(() => proc.child.kill('SIGKILL'));
    const { port, ca } = proc;
    let exited = false;
    const exit = proc.exited.then((result) => {
      exited = true;
      return result;
    });
    const outcomes: Outcome[] = [];
    const deadline = Date.now() + 15_000;
    const MAX_PER_WORKER = 1500;
    let signalled = 0;

    /** New connection per request (the kubelet's and most clients' way). */
    const fresh = async (protocol: Protocol, slowBody: boolean) => {
      for (let i = 0; i < MAX_PER_WORKER && !exited && Date.now() < deadline; i++) {
        const options = (body: string): RequestOptions => ({
          ca,
          body,
          // Some requests hold back half their body for 150 ms: in flight when the signal comes.
          ...(slowBody && { pauseBodyUntil: sleep(150) }),
        });
        outcomes.push(await attempt(protocol, (body) => send(protocol, port, '/validate', options(body))));
      }
    };
    /** One HTTP/2 session for many requests, opened again when it goes (the API server's way). */
    const session = async () => {
      let client: Http2Client | undefined;
      for (let i = 0; i < MAX_PER_WORKER && !exited && Date.now() < deadline; i++) {
        if (client === undefined || client.session.closed || client.session.destroyed) {
          client = new Http2Client(port, ca);
        }
        const current = client;
        outcomes.push(await attempt('session', (body) => current.request('/validate', { body })));
      }
      await client?.close().catch(() => {});
    };
    /** Requests begun during the shutdown delay whose bodies end after it: in flight as the listener closes. */
    const acrossTheClose: Promise<Outcome>[] = [];
    const signal = async () => {
      // Under load for a while first.
      while (outcomes.length < 150 && Date.now() < deadline) await sleep(5);
      signalled = performance.now();
      proc.child.kill('SIGTERM');
      await sleep(100);
      const late = () => sleep(700);
      const early = new Http2Client(port, ca);
      for (const protocol of ['http1', 'http2', 'http1', 'http2'] as const) {
        acrossTheClose.push(
          attempt(protocol, (body) =>
            send(protocol, port, '/validate', { ca, body, pauseBodyUntil: late() }),
          ),
        );
      }
      for (let i = 0; i < 2; i++) {
        acrossTheClose.push(
          attempt('session', (body) => early.request('/validate', { body, pauseBodyUntil: late() })),
        );
      }
      await Promise.all(acrossTheClose);
      await early.close().catch(() => {});
    };
    await Promise.all([
      signal(),
      fresh('http1', false),
      fresh('http1', true),
      fresh('http2', false),
      fresh('http2', true),
      session(),
      session(),
      session(),
    ]);
    const { code } = await exit;

    // What the server accepted: every review it judged (its log line names the uid).
    const judged = new Set(
      proc
        .logs()
        .filter((l) => l.msg === 'admission review')
        .map((l) => l.uid as string),
    );
    const answered = outcomes.filter(complete);
    const failed = outcomes.filter((o) => !complete(o));
    // No accepted request dropped: each one the server judged came back whole to its client.
    expect(failed.filter((o) => judged.has(o.uid)).map((o) => o.error?.message ?? o.reply?.status)).toEqual(
      [],
    );
    // A request either got its whole answer, or failed at the connection, before the server took it.
    expect(failed.filter((o) => o.reply !== undefined)).toEqual([]);
    for (const o of answered) expect(judged.has(o.uid)).toBe(true);
    const inFlight = await Promise.all(acrossTheClose);
    expect(inFlight).toHaveLength(6);
    expect(inFlight.filter((o) => !complete(o)).map((o) => o.error?.message ?? o.reply?.status)).toEqual([]);
    expect(code).toBe(0);
    // The drain: requests were still answered after the signal, during the delay, on every client.
    for (const client of ['http1', 'http2', 'session'] as const) {
      expect(answered.filter((o) => o.client === client && o.startedAt > signalled).length).toBeGreaterThan(
        0,
      );
    }
    expect(answered.length).toBeGreaterThan(150);
    expect(proc.logs().find((l) => l.msg === 'shut down')).toMatchObject({ forced: false });
  });
});

// ---------------------------------------------------------------------------------------------------

const configMap = (dateKey: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: postgres-operator
data:
  delete_annotation_date_key: ${dateKey}
`;

const BROKEN: Record<string, string | undefined> = {
  'a YAML syntax error': 'apiVersion: v1\nkind: ConfigMap\ndata:\n  delete_annotation_date_key: [unclosed\n',
  'another kind': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: postgres-operator\n',
  'an alias bomb': `apiVersion: v1\nkind: ConfigMap\ndata:\n${Array.from(
    { length: 9 },
    (_, i) =>
      `  l${i}: &l${i} [${i === 0 ? '"lol"' : Array.from({ length: 9 }, () => `*l${i - 1}`).join(', ')}]`,
  ).join('\n')}\n`,
  // The volume without the file: its key was removed from the ConfigMap.
  'a missing file': undefined,
};

describe('the policy source flapping', () => {
  it('keeps the last good policy through 80 swaps between good and broken files; requests never see another', async () => {
    const volume = new MountedVolume({ 'operator.yaml': configMap('delete-date-0') });
    cleanup.push(() => volume.remove());
    const source = new FilePolicySource(
      { operatorConfig: volume.path('operator.yaml') },
      { debounceMs: 5, pollMs: 50 },
    );
    const events: ReloadEvent[] = [];
    source.onReload((event) => events.push(event));
    const server = await startServer({ policySource: source });
    cleanup.push(() => server.close());

    const good = new Set(['delete-date-0']);
    let flapping = true;
    const answers: { status: number; field?: string; allowed?: boolean }[] = [];
    const readiness: number[] = [];
    const remove = () => JSON.stringify(review({ operation: 'DELETE', oldObject: minimalManifest() }));
    /** DELETEs of an unannotated manifest: denied at the date key of the policy in use. */
    const client = async (protocol: Protocol) => {
      const h2 = protocol === 'http2' ? new Http2Client(server.port, server.ca) : undefined;
      for (let i = 0; i < 2000 && flapping; i++) {
        const reply = h2
          ? await h2.request('/validate', { body: remove() })
          : await requestHttp1(server.port, '/validate', { ca: server.ca, body: remove() });
        const response =
          reply.status === 200
            ? reply.json<{
                response: { allowed: boolean; status?: { details?: { causes: { field?: string }[] } } };
              }>().response
            : undefined;
        answers.push({
          status: reply.status,
          allowed: response?.allowed,
          field: response?.status?.details?.causes[0]?.field,
        });
        if (i % 10 === 0)
          readiness.push((await send(protocol, server.port, '/readyz', { ca: server.ca })).status);
      }
      await h2?.close();
    };
    const flap = async () => {
      const kinds = Object.keys(BROKEN);
      for (let swap = 1; swap <= 80; swap++) {
        if (swap % 2 === 0) {
          const key = `delete-date-${swap}`;
          good.add(key);
          volume.update({ 'operator.yaml': configMap(key) });
        } else {
          const text = BROKEN[kinds[((swap - 1) / 2) % kinds.length] as string];
          volume.update(text === undefined ? {} : { 'operator.yaml': text });
        }
        // 5 to 40 ms between swaps: some are read, some are swapped away before the debounce ends.
        await sleep(5 + ((swap * 7) % 36));
      }
      // End on a broken version, and let the source settle on it.
      volume.update({ 'operator.yaml': BROKEN['a YAML syntax error'] as string });
      await sleep(300);
      flapping = false;
    };
    await Promise.all([flap(), client('http1'), client('http2'), client('http2')]);

    expect(answers.length).toBeGreaterThan(100);
    // Never a 503, never the built-in policy (no delete protection: allowed), never a key not written.
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(answers.filter((a) => a.allowed !== false)).toEqual([]);
    const keys = new Set(answers.map((a) => /^metadata\.annotations\[(.+)\]$/.exec(a.field ?? '')?.[1]));
    expect([...keys].filter((key) => key === undefined || !good.has(key))).toEqual([]);
    expect(keys.size).toBeGreaterThan(2);
    expect(readiness.every((status) => status === 200)).toBe(true);

    // Both kinds of reload happened, and the policy in use is the last one that loaded.
    const loaded = events.filter((e): e is { snapshot: PolicySnapshot } => 'snapshot' in e);
    expect(loaded.length).toBeGreaterThan(5);
    expect(events.filter((e) => 'error' in e).length).toBeGreaterThan(5);
    expect(events.at(-1)).toHaveProperty('error');
    expect(source.current()).toBe(loaded.at(-1)?.snapshot);
    const last = source.current()?.policy.deleteAnnotationDateKey as string;
    const now = (await server.post('http2', '/validate', remove())).json<{
      response: { status: { details: { causes: { field: string }[] } } };
    }>();
    expect(now.response.status.details.causes[0]?.field).toBe(`metadata.annotations[${last}]`);

    // And it still follows the file: a good version after the flapping is taken.
    volume.update({ 'operator.yaml': configMap('delete-date-final') });
    const deadline = Date.now() + 3000;
    while (
      source.current()?.policy.deleteAnnotationDateKey !== 'delete-date-final' &&
      Date.now() < deadline
    ) {
      await sleep(10);
    }
    expect(source.current()?.policy.deleteAnnotationDateKey).toBe('delete-date-final');
  });
});

// ---------------------------------------------------------------------------------------------------

describe('a policy file with errors at start-up', () => {
  const folder = mkdtempSync(join(tmpdir(), 'acid-guard-faults-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    writeFileSync(join(folder, name), text);
    return join(folder, name);
  };
  const cases: { name: string; args: () => string[]; says: RegExp }[] = [
    {
      name: '--operator-config with a YAML syntax error',
      args: () => ['--operator-config', file('syntax.yaml', BROKEN['a YAML syntax error'] as string)],
      says: /syntax\.yaml:\d+:\d+: YAML syntax error/,
    },
    {
      name: '--operator-config of another kind',
      args: () => ['--operator-config', file('kind.yaml', BROKEN['another kind'] as string)],
      says: /kind\.yaml:\d+:\d+: expected a ConfigMap, an OperatorConfiguration .* got kind Deployment/,
    },
    {
      name: '--operator-config with an alias bomb',
      args: () => ['--operator-config', file('bomb.yaml', BROKEN['an alias bomb'] as string)],
      says: /bomb\.yaml:1:1: aliases expand this document to more than/,
    },
    {
      name: '--operator-config that does not exist',
      args: () => ['--operator-config', join(folder, 'missing.yaml')],
      says: /ENOENT: no such file or directory, open '.*missing\.yaml'/,
    },
    {
      name: '--defaults that is no DefaultsPolicy',
      args: () => ['--defaults', file('defaults.yaml', 'apiVersion: acid-guard/v1\nkind: DefaultsPolicy\n')],
      says: /defaults\.yaml:\d+:\d+: spec: required field "spec" is missing/,
    },
    {
      name: '--teams that is no teams file',
      args: () => ['--teams', file('teams.yaml', 'kind: Deployment\n')],
      says: /teams\.yaml:\d+:\d+: expected a PostgresTeam/,
    },
  ];

  it.each(cases)('$name: exit 2 at once, one line naming the file', async ({ args, says }) => {
    const outcome = await runBuiltWebhook(['--dev', '--port', '0', ...args()], 15_000);
    expect(outcome.code).toBe(2);
    expect(outcome.ms).toBeLessThan(10_000);
    const lines = outcome.stdout.split('\n').filter((line) => line.trim() !== '');
    const fatal = lines.filter((line) => line.includes('"level":60'));
    expect(fatal).toHaveLength(1);
    const message = JSON.parse(fatal[0] as string) as { msg: string; error: string };
    expect(message.msg).toBe('cannot start');
    expect(message.error).toMatch(says);
    expect(message.error).toContain(folder);
    const said = outcome.stderr
      .split('\n')
      .filter((line) => line.startsWith('acid-guard-webhook: cannot start: '));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(says);
    // It never became ready, and development mode left nothing to use behind.
    expect(outcome.stdout).not.toContain('"msg":"ready"');
    expect(outcome.stderr).not.toMatch(/--cacert/);
  });
});
