// `npm run soak`: the built webhook under a steady load for a long time. Open loop at SOAK_RATE
// requests/s (default 500) over HTTPS keep-alive connections for SOAK_SECONDS (default 600), half to
// /validate and half to /mutate, with AdmissionReviews of 1,500 different clusters (more than the
// verdict cache holds) of which every tenth is denied. Counts every answer that is not a complete 200
// AdmissionReview for its uid, samples the server's resident memory every 10 s, and compares the end
// with the end of the warm-up (the first 60 s, or a tenth of a shorter run). Bounded: it stops after
// SOAK_SECONDS plus 30 s for the last answers whatever happens. Exit code 1 when a target is missed.

import { readFileSync } from 'node:fs';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import { admissionReview, exampleFile, rssMb, startWebhook } from './webhook-bench.mjs';

const RATE = Number(process.env.SOAK_RATE ?? 500);
const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const CONNECTIONS = 10;
const WARM_UP = Math.min(60, Math.max(1, Math.round(SECONDS / 10)));
const SAMPLE_EVERY = Math.min(10, Math.max(1, Math.round(SECONDS / 20)));
const MAX_GROWTH = 0.1;

const manifest = parse(readFileSync(exampleFile, 'utf8'));
const bodies = Array.from({ length: 1500 }, (_, i) => {
  const review = admissionReview(manifest, `${manifest.metadata.name}-${i}`);
  review.request.uid = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  // Every tenth cluster is one the webhook denies: an instance count the CRD refuses.
  if (i % 10 === 0) review.request.object.spec.numberOfInstances = -1;
  return { uid: review.request.uid, text: JSON.stringify(review) };
});

const webhook = await startWebhook();
const target = new URL(webhook.url);
const agent = new https.Agent({ keepAlive: true, maxSockets: CONNECTIONS, rejectUnauthorized: false });
const counts = { sent: 0, ok: 0, denied: 0, failed: 0 };
const failures = new Map();
const latencies = [];

function fail(reason) {
  counts.failed++;
  failures.set(reason, (failures.get(reason) ?? 0) + 1);
}

function send(path, body, due) {
  return new Promise((resolve) => {
    const request = https.request(
      {
        host: target.hostname,
        port: target.port,
        path,
        method: 'POST',
        agent,
        timeout: 10_000,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body.text) },
      },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => {
          latencies.push(performance.now() - due);
          if (response.statusCode !== 200) return resolve(fail(`HTTP ${response.statusCode}`));
          try {
            const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')).response;
            if (answer?.uid !== body.uid) return resolve(fail('wrong uid'));
            if (answer.allowed === false) counts.denied++;
            counts.ok++;
          } catch {
            fail('not JSON');
          }
          resolve();
        });
        response.on('error', (error) => resolve(fail(error.code ?? error.message)));
      },
    );
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', (error) => resolve(fail(error.code ?? error.message)));
    request.end(body.text);
  });
}

const memory = [];
console.log(
  `soak: ${RATE} req/s for ${SECONDS} s (warm-up ${WARM_UP} s) over ${CONNECTIONS} HTTPS keep-alive connections to the built webhook; /validate and /mutate alternate; 1,500 clusters, every tenth denied`,
);
const start = performance.now();
const interval = 1000 / RATE;
const total = RATE * SECONDS;
const pending = new Set();
let nextSample = 0;
while (counts.sent < total) {
  const elapsed = performance.now() - start;
  const due = Math.min(total, Math.floor(elapsed / interval) + 1);
  for (; counts.sent < due; counts.sent++) {
    const i = counts.sent;
    const promise = send(
      i % 2 === 0 ? '/validate' : '/mutate',
      bodies[i % bodies.length],
      start + i * interval,
    );
    pending.add(promise);
    promise.then(() => pending.delete(promise));
  }
  if (elapsed >= nextSample * 1000) {
    const rss = rssMb(webhook.child.pid);
    memory.push({ second: Math.round(elapsed / 1000), rss });
    if (nextSample > 0 && nextSample % 60 === 0) {
      console.log(
        `  ${nextSample} s: ${counts.sent} sent, ${counts.ok} answered, ${counts.failed} failed, RSS ${rss.toFixed(0)} MB, ${pending.size} in flight`,
      );
    }
    nextSample += SAMPLE_EVERY;
  }
  await sleep(1);
}
await Promise.race([Promise.all(pending), sleep(30_000)]);
const endRss = rssMb(webhook.child.pid);
memory.push({ second: Math.round((performance.now() - start) / 1000), rss: endRss });
webhook.child.kill('SIGTERM');
agent.destroy();

const lost = counts.sent - counts.ok - counts.failed;
const afterWarmUp = memory.find((m) => m.second >= WARM_UP) ?? memory[0];
const peak = Math.max(...memory.filter((m) => m.second >= WARM_UP).map((m) => m.rss));
const growth = (endRss - afterWarmUp.rss) / afterWarmUp.rss;
latencies.sort((a, b) => a - b);
const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
const errorsMet = counts.failed === 0 && lost === 0;
const memoryMet = growth < MAX_GROWTH;
console.log(
  `result: ${counts.sent} requests, ${counts.ok} complete answers (${counts.denied} denials), ${counts.failed} errors${failures.size ? ` (${[...failures].map(([k, v]) => `${k}: ${v}`).join(', ')})` : ''}, ${lost} unanswered (target zero errors: ${errorsMet ? 'met' : 'NOT met'})`,
);
console.log(
  `latency (from when each request was due): p50 ${at(0.5).toFixed(1)} ms, p99 ${at(0.99).toFixed(1)} ms, p99.9 ${at(0.999).toFixed(1)} ms, max ${at(1).toFixed(1)} ms`,
);
console.log(
  `resident memory: ${afterWarmUp.rss.toFixed(0)} MB after warm-up (${afterWarmUp.second} s), peak ${peak.toFixed(0)} MB, ${endRss.toFixed(0)} MB at the end: growth ${(growth * 100).toFixed(1)}% (target < ${MAX_GROWTH * 100}%: ${memoryMet ? 'met' : 'NOT met'})`,
);
console.log(`memory samples (s:MB): ${memory.map((m) => `${m.second}:${m.rss.toFixed(0)}`).join(' ')}`);
process.exitCode = errorsMet && memoryMet ? 0 : 1;
