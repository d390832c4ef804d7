// Webhook benchmarks: autocannon over HTTPS (HTTP/1.1, 10 connections) with a ~6 KB AdmissionReview of
// the operator's complete example, against /validate and /mutate of the built webhook, and — in the
// same run, on the same machine — against a bare fastify route on the same kind of server (HTTP/2 with
// HTTP/1.1 fallback, TLS 1.2+, the same body parsed as JSON) that answers a fixed response: the
// framework's ceiling. Servers run in child processes, autocannon in this one. Prints figures and
// ratios; never fails on absolute numbers.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import https from 'node:https';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'webhook/bin/acid-guard-webhook.js');
const here = fileURLToPath(import.meta.url);

const referenceExample = join(
  root,
  '..',
  'shared',
  'reference',
  'examples',
  'complete-postgres-manifest.yaml',
);
const ownExample = join(root, 'examples', 'good', 'acid-orders.yaml');
export const exampleFile = existsSync(referenceExample) ? referenceExample : ownExample;

/** Seconds per measurement at a fixed rate; throughput runs take half of it, five rounds each. */
const DURATION = Number(process.env.WEBHOOK_BENCH_SECONDS ?? 10);
const CONNECTIONS = 10;
const MEMORY_REQUESTS = 100_000;

/** managedFields' fieldsV1 for an object: `f:` for every map member, as the API server records them. */
function fieldsOf(value) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([key, child]) => [`f:${key}`, fieldsOf(child)]));
}

/** What the API server sends for `kubectl apply` of the example: last-applied annotation, managedFields. */
export function admissionReview(manifest, name = manifest.metadata.name) {
  const applied = { ...manifest, metadata: { ...manifest.metadata, name, namespace: 'default' } };
  const object = structuredClone(applied);
  object.metadata = {
    ...object.metadata,
    annotations: {
      ...object.metadata.annotations,
      'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify(applied)}\n`,
    },
    managedFields: [
      {
        manager: 'kubectl-client-side-apply',
        operation: 'Update',
        apiVersion: 'acid.zalan.do/v1',
        time: '2026-11-26T09:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': {
            'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} },
          },
          'f:spec': fieldsOf(applied.spec),
        },
      },
    ],
  };
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
      kind: { group: 'acid.zalan.do', version: 'v1', kind: 'postgresql' },
      resource: { group: 'acid.zalan.do', version: 'v1', resource: 'postgresqls' },
      requestKind: { group: 'acid.zalan.do', version: 'v1', kind: 'postgresql' },
      requestResource: { group: 'acid.zalan.do', version: 'v1', resource: 'postgresqls' },
      name,
      namespace: 'default',
      operation: 'CREATE',
      userInfo: {
        username: 'kubernetes-admin',
        groups: ['system:masters', 'system:authenticated'],
      },
      object,
      oldObject: null,
      dryRun: false,
      options: {
        kind: 'CreateOptions',
        apiVersion: 'meta.k8s.io/v1',
        fieldManager: 'kubectl-client-side-apply',
      },
    },
  };
}

function waitForLine(child, pattern, what) {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${seen}`)), 20_000);
    child.stderr.on('data', (chunk) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}:\n${seen}`)));
  });
}

/** The webhook as it runs in production (the built bundle), development certificate, logs to /dev/null. */
export async function startWebhook(extraArgs = []) {
  const child = spawn(process.execPath, [bin, '--dev', '--port', '0', ...extraArgs], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const match = await waitForLine(child, /https:\/\/127\.0\.0\.1:(\d+)\/validate/, 'the webhook');
  return { child, url: `https://127.0.0.1:${match[1]}` };
}

/** The ceiling: this file run with --bare-server. */
async function startBare() {
  const child = spawn(process.execPath, [here, '--bare-server'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const match = await waitForLine(child, /bare listening on (\d+)/, 'the bare server');
  return { child, url: `https://127.0.0.1:${match[1]}` };
}

async function bareServer() {
  const [{ default: Fastify }, { createDevCertificate }] = await Promise.all([
    import('fastify'),
    import(join(root, 'webhook/dist/index.js')),
  ]);
  const { cert, key } = createDevCertificate();
  const app = Fastify({
    http2: true,
    https: { allowHTTP1: true, cert, key, minVersion: 'TLSv1.2' },
    logger: false,
    bodyLimit: 7 * 1024 * 1024,
  });
  const fixed = {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: { uid: 'x', allowed: true },
  };
  app.post('/bare', async () => fixed);
  await app.listen({ host: '127.0.0.1', port: 0 });
  process.stderr.write(`bare listening on ${app.server.address().port}\n`);
}

export function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
}

function cannon(options) {
  return autocannon({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections: CONNECTIONS,
    tlsOptions: { rejectUnauthorized: false },
    ...options,
  });
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function throughput(target, body, seconds) {
  const cpuBefore = cpuSeconds(target.pid);
  const result = await cannon({ url: target.url, body, duration: seconds });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${target.url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  }
  const cpuPerRequest = (cpuSeconds(target.pid) - cpuBefore) / result.requests.total;
  return { rps: result.requests.average, cpuPerRequest };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Throughput of each target in interleaved rounds (so that all see the same machine load); medians. */
async function interleaved(targets, body, rounds, seconds) {
  for (const target of targets) await throughput(target, body, 2); // warm-up: JIT, TLS, caches
  const samples = new Map(targets.map((t) => [t.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const target of targets) samples.get(target.name).push(await throughput(target, body, seconds));
  }
  return new Map(
    [...samples].map(([name, runs]) => [
      name,
      {
        rps: median(runs.map((r) => r.rps)),
        cpuPerRequest: median(runs.map((r) => r.cpuPerRequest)),
        samples: runs.map((r) => r.rps),
      },
    ]),
  );
}

/**
 * Latency at a steady 500 requests/s over 10 keep-alive connections, open loop: one request every
 * 2 ms whatever the answers do, each timed from when it was due (so queueing counts). autocannon's own
 * rate limit sends each connection's quota for the second back to back, which measures bursts.
 */
async function latencyAtRate(url, body, rate = 500, seconds = DURATION) {
  const agent = new https.Agent({ keepAlive: true, maxSockets: CONNECTIONS, rejectUnauthorized: false });
  const target = new URL(url);
  const send = (due, latencies) =>
    new Promise((resolve, reject) => {
      const request = https.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          response.resume();
          response.on('end', () => {
            if (response.statusCode !== 200) reject(new Error(`status ${response.statusCode}`));
            latencies.push(performance.now() - due);
            resolve();
          });
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  const run = async (duration) => {
    const latencies = [];
    const pending = [];
    const total = rate * duration;
    const interval = 1000 / rate;
    const start = performance.now();
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
      for (; sent < due; sent++) pending.push(send(start + sent * interval, latencies));
      await sleep(1);
    }
    await Promise.all(pending);
    return latencies.sort((a, b) => a - b);
  };
  await run(2); // warm-up
  const latencies = await run(seconds);
  agent.destroy();
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { p50: at(0.5), p99: at(0.99), max: latencies.at(-1), count: latencies.length };
}

export async function runWebhookBenchmarks() {
  if (!existsSync(join(root, 'webhook/dist/main.js'))) {
    execFileSync(process.execPath, [join(root, 'webhook/build.mjs')], { stdio: 'inherit' });
  }
  const manifest = parse(readFileSync(exampleFile, 'utf8'));
  const body = JSON.stringify(admissionReview(manifest));
  console.log(
    `webhook: AdmissionReview (CREATE by kubectl apply) of ${exampleFile.replace(`${root}/`, '')}: ${(body.length / 1024).toFixed(1)} KiB; autocannon HTTP/1.1 over TLS, ${CONNECTIONS} connections, servers in child processes`,
  );

  const bare = await startBare();
  const webhook = await startWebhook();
  const uncached = await startWebhook(['--cache-size', '0']);
  try {
    const rounds = 5;
    const seconds = Math.max(1, Math.round(DURATION / 2));
    const results = await interleaved(
      [
        { name: 'ceiling', url: `${bare.url}/bare`, pid: bare.child.pid },
        { name: 'validate', url: `${webhook.url}/validate`, pid: webhook.child.pid },
        { name: 'mutate', url: `${webhook.url}/mutate`, pid: webhook.child.pid },
        { name: 'validate, no cache', url: `${uncached.url}/validate`, pid: uncached.child.pid },
        { name: 'mutate, no cache', url: `${uncached.url}/mutate`, pid: uncached.child.pid },
      ],
      body,
      rounds,
      seconds,
    );
    const ceiling = results.get('ceiling');
    console.log(
      `throughput, median of ${rounds} interleaved ${seconds} s runs each (the ceiling: a bare fastify route on the same kind of server, same body parsed, fixed answer); server CPU per request from /proc:`,
    );
    for (const [name, { rps, cpuPerRequest, samples }] of results) {
      const share = name === 'ceiling' ? '' : ` → ${((rps / ceiling.rps) * 100).toFixed(0)}% of the ceiling`;
      const target =
        name === 'validate' ? ` (target ≥ 85%: ${rps / ceiling.rps >= 0.85 ? 'met' : 'NOT met'})` : '';
      const relative =
        name === 'ceiling'
          ? ''
          : `, ${((cpuPerRequest / ceiling.cpuPerRequest) * 100).toFixed(0)}% of the ceiling's`;
      console.log(
        `  ${name.padEnd(19)} ${rps.toFixed(0).padStart(6)} req/s${share}${target}; server CPU ${(cpuPerRequest * 1e6).toFixed(0)} µs/request${relative}   [runs: ${samples.map((x) => x.toFixed(0)).join(', ')} req/s]`,
      );
    }

    const rate = await latencyAtRate(`${webhook.url}/validate`, body);
    const rateUncached = await latencyAtRate(`${uncached.url}/validate`, body);
    const rateMutate = await latencyAtRate(`${webhook.url}/mutate`, body);
    const rateBare = await latencyAtRate(`${bare.url}/bare`, body);
    const ms = (x) => `${x.toFixed(1)} ms`;
    console.log(
      `latency at a steady 500 req/s over ${CONNECTIONS} keep-alive connections (${rate.count} requests, timed from when each was due): /validate p50 ${ms(rate.p50)}, p99 ${ms(rate.p99)}, max ${ms(rate.max)} (target p99 ≤ 10 ms: ${rate.p99 <= 10 ? 'met' : 'NOT met'}); without cache p99 ${ms(rateUncached.p99)} (max ${ms(rateUncached.max)}); /mutate p99 ${ms(rateMutate.p99)}; bare route p99 ${ms(rateBare.p99)}`,
    );

    // Memory: 100,000 reviews of 1,500 different clusters (more than the cache holds), on the uncached
    // and the cached server.
    const variants = Array.from({ length: 1500 }, (_, i) =>
      JSON.stringify(admissionReview(manifest, `${manifest.metadata.name}-${i}`)),
    );
    const memory = async (server) => {
      const before = rssMb(server.child.pid);
      let next = 0;
      const result = await cannon({
        url: `${server.url}/validate`,
        amount: MEMORY_REQUESTS,
        requests: [
          {
            setupRequest: (request) => {
              request.body = variants[next++ % variants.length];
              return request;
            },
          },
        ],
      });
      await sleep(500);
      return {
        before,
        after: rssMb(server.child.pid),
        total: result.requests.total,
        rps: result.requests.average,
      };
    };
    const cachedMemory = await memory(webhook);
    const uncachedMemory = await memory(uncached);
    for (const [name, m] of [
      ['cache on (1,000 verdicts)', cachedMemory],
      ['cache off', uncachedMemory],
    ]) {
      console.log(
        `resident memory after ${m.total} more reviews of 1,500 different clusters, ${name}: ${m.after.toFixed(0)} MB (before the run ${m.before.toFixed(0)} MB; ${m.rps.toFixed(0)} req/s) (target ≤ 150 MB: ${m.after <= 150 ? 'met' : 'NOT met'})`,
      );
    }
    return { throughput: Object.fromEntries(results), rate, rateUncached, cachedMemory, uncachedMemory };
  } finally {
    for (const server of [bare, webhook, uncached]) server.child.kill('SIGTERM');
  }
}

if (process.argv[1] === here) {
  if (process.argv[2] === '--bare-server') await bareServer();
  else await runWebhookBenchmarks();
}
