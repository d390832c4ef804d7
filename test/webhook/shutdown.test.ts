import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { Http2Client, minimalManifest, ROOT, requestHttp1, review, send, startServer } from './harness.js';

const body = () => JSON.stringify(review({ object: minimalManifest() }));

/** A promise and the function that settles it: the second half of a request body waits for it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('graceful shutdown (in process)', () => {
  it('unready at once, finishes the requests in flight over HTTP/1.1 and HTTP/2, then stops accepting', async () => {
    const server = await startServer();
    const { port, ca } = server;
    const h2 = new Http2Client(port, ca);
    // Warm the session, so that the in-flight stream is on an established HTTP/2 connection.
    expect((await h2.request('/healthz')).status).toBe(200);
    const release = gate();
    const inFlight1 = requestHttp1(port, '/validate', { ca, body: body(), pauseBodyUntil: release.opened });
    const inFlight2 = h2.request('/validate', { body: body(), pauseBodyUntil: release.opened });
    await sleep(50); // both requests have sent their headers and half their body

    const shutdown = server.webhook.shutdown({ delayMs: 200, timeoutMs: 3000 });
    expect(server.webhook.state).toBe('draining');
    const ready = await send('http1', port, '/readyz', { ca });
    expect(ready.status).toBe(503);
    expect(ready.json()).toEqual({ status: 'not ready', reason: 'shutting down' });

    release.open();
    const [reply1, reply2] = await Promise.all([inFlight1, inFlight2]);
    expect(reply1.status).toBe(200);
    expect(reply1.json<{ response: { allowed: boolean } }>().response.allowed).toBe(true);
    expect(reply1.headers.connection).toBe('close');
    expect(reply2.status).toBe(200);
    expect(reply2.alpn).toBe('h2');

    expect(await shutdown).toEqual({ forced: false });
    expect(server.webhook.state).toBe('closed');
    await expect(send('http1', port, '/healthz', { ca })).rejects.toThrow(/ECONNREFUSED/);
    await h2.close();
  });

  it('closes what is still open once the timeout has passed', async () => {
    const server = await startServer();
    const never = gate();
    const stuck = requestHttp1(server.port, '/validate', {
      ca: server.ca,
      body: body(),
      pauseBodyUntil: never.opened,
    });
    stuck.catch(() => {});
    await sleep(50);
    const started = Date.now();
    expect(await server.webhook.shutdown({ timeoutMs: 300 })).toEqual({ forced: true });
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(stuck).rejects.toThrow();
    never.open();
  });
});

/** The webhook as a process, in development mode, on a free port. */
async function spawnWebhook(
  args: string[],
): Promise<{ child: ChildProcess; port: number; ca: string; folder: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'webhook/src/main.ts', '--dev', '--port', '0', '--log-level', 'info', ...args],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const ready = await vi.waitFor(
    () => {
      const match = /--cacert (\S+) .* https:\/\/127\.0\.0\.1:(\d+)\/validate/.exec(stderr);
      if (!match || !stdout.includes('"msg":"ready"'))
        throw new Error(`not ready yet:\n${stdout}\n${stderr}`);
      return { ca: match[1] as string, port: Number(match[2]) };
    },
    { timeout: 15_000, interval: 50 },
  );
  const { readFileSync } = await import('node:fs');
  const folder = ready.ca.replace(/\/tls\.crt$/, '');
  return { child, port: ready.port, ca: readFileSync(ready.ca, 'utf8'), folder };
}

function exited(child: ChildProcess): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, ms: Date.now() - started })));
}

describe('SIGTERM (the process)', () => {
  it('drains: unready during the delay, answers the request in flight, exits 0 and removes the dev folder', async () => {
    const { child, port, ca, folder } = await spawnWebhook([
      '--shutdown-delay',
      '300ms',
      '--shutdown-timeout',
      '5s',
    ]);
    try {
      const client = new Http2Client(port, ca);
      expect((await client.request('/healthz')).status).toBe(200);
      const release = gate();
      const inFlight = client.request('/validate', { body: body(), pauseBodyUntil: release.opened });
      await sleep(50);
      const exit = exited(child);
      child.kill('SIGTERM');
      await vi.waitFor(async () => expect((await send('http1', port, '/readyz', { ca })).status).toBe(503), {
        timeout: 2000,
        interval: 20,
      });
      release.open();
      const reply = await inFlight;
      expect(reply.status).toBe(200);
      expect(reply.json<{ response: { allowed: boolean } }>().response.allowed).toBe(true);
      const { code, ms } = await exit;
      expect(code).toBe(0);
      expect(ms).toBeLessThan(5000);
      expect(existsSync(folder)).toBe(false);
      await client.close().catch(() => {});
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('exits within its bound (code 1) when a request never finishes', async () => {
    const { child, port, ca } = await spawnWebhook(['--shutdown-timeout', '400ms']);
    try {
      const never = gate();
      const stuck = requestHttp1(port, '/validate', { ca, body: body(), pauseBodyUntil: never.opened });
      stuck.catch(() => {});
      await sleep(50);
      const exit = exited(child);
      child.kill('SIGTERM');
      const { code, ms } = await exit;
      expect(code).toBe(1);
      expect(ms).toBeLessThan(3000);
      never.open();
    } finally {
      child.kill('SIGKILL');
    }
  });
});
