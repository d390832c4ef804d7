import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWebhook, type Webhook } from '../../webhook/src/app.js';
import { createDevCertificate, type DevCertificate } from '../../webhook/src/dev-certificate.js';
import { WebhookMetrics } from '../../webhook/src/metrics.js';
import { StaticPolicySource } from '../../webhook/src/policy-source.js';
import { CertificateError, readServingCertificate, servingCertificate } from '../../webhook/src/tls.js';
import {
  Http2Client,
  LogCapture,
  minimalManifest,
  type Protocol,
  type Reply,
  review,
  send,
} from './harness.js';

/** A Secret volume as the kubelet writes it: `..data` → a timestamped folder; the files link through it. */
class SecretVolume {
  readonly folder = mkdtempSync(join(tmpdir(), 'acid-guard-secret-'));
  #generation = 0;

  constructor(pair: { cert: string; key: string }) {
    this.#write(pair);
    symlinkSync('..data/tls.crt', join(this.folder, 'tls.crt'));
    symlinkSync('..data/tls.key', join(this.folder, 'tls.key'));
  }

  get certFile(): string {
    return join(this.folder, 'tls.crt');
  }

  get keyFile(): string {
    return join(this.folder, 'tls.key');
  }

  /** The atomic writer's swap: new folder, new `..data_tmp` link, renamed over `..data`. */
  #write(pair: { cert: string; key: string }): void {
    const name = `..2026_11_26_${++this.#generation}`;
    mkdirSync(join(this.folder, name));
    writeFileSync(join(this.folder, name, 'tls.crt'), pair.cert);
    writeFileSync(join(this.folder, name, 'tls.key'), pair.key);
    symlinkSync(name, join(this.folder, '..data_tmp'));
    renameSync(join(this.folder, '..data_tmp'), join(this.folder, '..data'));
  }

  swap(pair: { cert: string; key: string }): void {
    this.#write(pair);
  }

  remove(): void {
    rmSync(this.folder, { recursive: true, force: true });
  }
}

const fingerprint = (certificate: DevCertificate) => new X509Certificate(certificate.cert).fingerprint256;

let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function serve(
  volume: SecretVolume,
  logs = new LogCapture(),
): Promise<{ webhook: Webhook; port: number }> {
  const webhook = createWebhook({
    certificate: readServingCertificate(volume.certFile, volume.keyFile),
    certificateFiles: { cert: volume.certFile, key: volume.keyFile, debounceMs: 20, pollMs: 250 },
    policySource: new StaticPolicySource(),
    logger: { level: 'info', stream: logs },
    metrics: new WebhookMetrics({ processMetrics: false }),
  });
  const { port } = await webhook.start({ host: '127.0.0.1', port: 0 });
  cleanup.push(() => webhook.shutdown({ timeoutMs: 1000 }).then(() => undefined));
  return { webhook, port };
}

describe('certificate hot reload', () => {
  it('uses a swapped certificate for new connections, without a restart and without failing a request', async () => {
    const first = createDevCertificate();
    const second = createDevCertificate();
    const volume = new SecretVolume(first);
    cleanup.push(() => volume.remove());
    const { webhook, port } = await serve(volume);
    const ca = [first.cert, second.cert];
    const body = JSON.stringify(review({ object: minimalManifest() }));

    // An HTTP/2 session opened before the swap: it keeps its connection and keeps working.
    const early = new Http2Client(port, ca);
    cleanup.push(() => early.close());
    expect((await early.request('/validate', { body })).fingerprint).toBe(fingerprint(first));

    const replies: Reply[] = [];
    const errors: Error[] = [];
    let swapped = false;
    const deadline = Date.now() + 8000;
    // Bounded: at most 400 requests or 8 s; stops 20 requests after the new certificate showed up.
    let afterNew = 0;
    for (let i = 0; i < 400 && Date.now() < deadline && afterNew < 20; i++) {
      const protocol: Protocol = i % 2 === 0 ? 'http1' : 'http2';
      const batch = await Promise.allSettled([
        send(protocol, port, '/validate', { ca, body }),
        send(protocol, port, '/validate', { ca, body }),
      ]);
      for (const result of batch) {
        if (result.status === 'fulfilled') replies.push(result.value);
        else errors.push(result.reason as Error);
      }
      if (i === 5) {
        volume.swap(second);
        swapped = true;
      }
      if (swapped && replies.at(-1)?.fingerprint === fingerprint(second)) afterNew++;
    }
    expect(errors).toEqual([]);
    expect(replies.every((r) => r.status === 200)).toBe(true);
    const seen = replies.map((r) => r.fingerprint);
    expect(seen[0]).toBe(fingerprint(first));
    expect(afterNew).toBe(20);
    // Once the new certificate is served, new connections never get the old one again.
    const firstNew = seen.indexOf(fingerprint(second));
    expect(seen.slice(firstNew).every((f) => f === fingerprint(second))).toBe(true);
    expect(webhook.certificate.fingerprint).toBe(fingerprint(second));

    const afterSwap = await early.request('/validate', { body });
    expect(afterSwap.status).toBe(200);
    expect(afterSwap.fingerprint).toBe(fingerprint(first));

    const metrics = await webhook.metrics.text();
    expect(metrics).toMatch(/acid_guard_webhook_certificate_reloads_total\{result="success"\} 1/);
    const expiry = Number(/certificate_expiry_timestamp_seconds (\d+)/.exec(metrics)?.[1]);
    expect(expiry * 1000).toBe(second.notAfter.getTime());
  });

  it('keeps the certificate in use when the new files do not match, and takes them once they do', async () => {
    const first = createDevCertificate();
    const second = createDevCertificate();
    const volume = new SecretVolume(first);
    cleanup.push(() => volume.remove());
    const logs = new LogCapture();
    const { webhook, port } = await serve(volume, logs);
    // Half a rotation: the new certificate with the old key.
    volume.swap({ cert: second.cert, key: first.key });
    await vi.waitFor(
      async () =>
        expect(await webhook.metrics.text()).toMatch(/certificate_reloads_total\{result="failure"\} [1-9]/),
      { timeout: 3000, interval: 25 },
    );
    const ca = [first.cert, second.cert];
    const during = await send('http2', port, '/healthz', { ca });
    expect(during.fingerprint).toBe(fingerprint(first));
    expect(logs.lines.some((l) => /the key does not belong to the certificate/.test(String(l.error)))).toBe(
      true,
    );
    volume.swap(second);
    await vi.waitFor(() => expect(webhook.certificate.fingerprint).toBe(fingerprint(second)), {
      timeout: 3000,
      interval: 25,
    });
    expect((await send('http1', port, '/healthz', { ca })).fingerprint).toBe(fingerprint(second));
  });
});

describe('reading the certificate', () => {
  it('refuses a key of another certificate, and text that is no certificate', () => {
    const a = createDevCertificate();
    const b = createDevCertificate();
    expect(() => servingCertificate(a.cert, b.key)).toThrow(CertificateError);
    expect(() => servingCertificate('not a certificate', a.key)).toThrow(/not a PEM certificate/);
    expect(() => servingCertificate(a.cert, 'not a key')).toThrow(/not a PEM private key/);
    expect(servingCertificate(a.cert, a.key).notAfter.getTime()).toBe(a.notAfter.getTime());
  });
});
