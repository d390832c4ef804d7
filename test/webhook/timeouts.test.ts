import { connect } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { Http2Client, startServer } from './harness.js';

/** Opens an HTTP/1.1 connection, sends `text`, and returns what comes back until the server closes it. */
function slowClient(port: number, ca: string, text: string): Promise<{ received: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let received = '';
    const socket = connect({ host: '127.0.0.1', port, ca, ALPNProtocols: ['http/1.1'] }, () =>
      socket.write(text),
    );
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
    });
    socket.on('close', () => resolve({ received, ms: Date.now() - started }));
    socket.on('error', reject);
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`still open after 5 s; received: ${received}`));
    }, 5000).unref();
  });
}

describe('timeouts', () => {
  it('closes a connection whose headers never end (header timeout)', async () => {
    const server = await startServer({ timeouts: { headersMs: 300, requestMs: 2000, checkIntervalMs: 100 } });
    try {
      const { received, ms } = await slowClient(
        server.port,
        server.ca,
        'POST /validate HTTP/1.1\r\nHost: x\r\n',
      );
      expect(received).toMatch(/^HTTP\/1\.1 408/);
      expect(ms).toBeLessThan(2000);
    } finally {
      await server.close();
    }
  });

  it('closes a connection whose body never ends (request timeout)', async () => {
    const server = await startServer({ timeouts: { headersMs: 300, requestMs: 600, checkIntervalMs: 100 } });
    try {
      const { received, ms } = await slowClient(
        server.port,
        server.ca,
        'POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":',
      );
      expect(received).toMatch(/^HTTP\/1\.1 408/);
      expect(ms).toBeGreaterThanOrEqual(500);
      expect(ms).toBeLessThan(3000);
    } finally {
      await server.close();
    }
  });

  it('cancels an HTTP/2 stream that goes quiet (request timeout); the session stays usable', async () => {
    const server = await startServer({ timeouts: { headersMs: 300, requestMs: 400, checkIntervalMs: 100 } });
    const client = new Http2Client(server.port, server.ca);
    try {
      const started = Date.now();
      const stuck = client.request('/validate', {
        body: '{"apiVersion":',
        pauseBodyUntil: new Promise(() => {}),
      });
      await expect(stuck).rejects.toThrow(/code 8/);
      expect(Date.now() - started).toBeLessThan(3000);
      expect((await client.request('/healthz')).status).toBe(200);
    } finally {
      await client.close();
      await server.close();
    }
  });
});
