/**
 * `--dev`: what a person needs to try the webhook on a laptop. A self-signed certificate for
 * 127.0.0.1, ::1 and localhost and a sample AdmissionReview in a temporary folder, and the `curl`
 * line that sends it.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDevCertificate } from './dev-certificate.js';

export interface DevFolder {
  folder: string;
  certFile: string;
  keyFile: string;
  reviewFile: string;
  remove(): void;
}

/**
 * A CREATE of a small cluster with two errors (conflicting user flags; a number where the CRD wants a
 * string, which /mutate repairs) and one warning (a database owner that is not a user).
 */
export function sampleReview(): unknown {
  const object = {
    apiVersion: 'acid.zalan.do/v1',
    kind: 'postgresql',
    metadata: { name: 'acid-orders', namespace: 'default' },
    spec: {
      teamId: 'acid',
      numberOfInstances: 2,
      postgresql: { version: '18', parameters: { max_connections: 200 } },
      volume: { size: '10Gi' },
      users: { orders_owner: ['superuser', 'nosuperuser'] },
      databases: { orders: 'orders_ownr' },
    },
  };
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: randomUUID(),
      kind: { group: 'acid.zalan.do', version: 'v1', kind: 'postgresql' },
      resource: { group: 'acid.zalan.do', version: 'v1', resource: 'postgresqls' },
      name: 'acid-orders',
      namespace: 'default',
      operation: 'CREATE',
      userInfo: { username: 'developer' },
      object,
      oldObject: null,
      dryRun: false,
    },
  };
}

export function prepareDevFolder(): DevFolder {
  const folder = mkdtempSync(join(tmpdir(), 'acid-guard-webhook-'));
  const certificate = createDevCertificate();
  const certFile = join(folder, 'tls.crt');
  const keyFile = join(folder, 'tls.key');
  const reviewFile = join(folder, 'review.json');
  writeFileSync(certFile, certificate.cert);
  writeFileSync(keyFile, certificate.key, { mode: 0o600 });
  writeFileSync(reviewFile, `${JSON.stringify(sampleReview(), null, 2)}\n`);
  return {
    folder,
    certFile,
    keyFile,
    reviewFile,
    remove: () => rmSync(folder, { recursive: true, force: true }),
  };
}

/** The line to paste: sends the sample review over HTTPS, trusting the development certificate. */
export function curlLine(dev: DevFolder, port: number, route: '/validate' | '/mutate' = '/validate'): string {
  return `curl -sS --cacert ${dev.certFile} -H 'Content-Type: application/json' --data @${dev.reviewFile} https://127.0.0.1:${port}${route}`;
}
