/**
 * The serving certificate: read from the files cert-manager's Secret is mounted as, checked, and
 * reloaded when the kubelet swaps them. A reload only changes the context of new connections
 * (`setSecureContext`): open connections and the requests on them are not touched.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { SecureContextOptions } from 'node:tls';
import { type FileWatchOptions, watchFiles } from './file-watch.js';

/** TLS settings of the server and of every reloaded context. */
export const TLS_SETTINGS = { minVersion: 'TLSv1.2' } as const satisfies SecureContextOptions;

export interface ServingCertificate {
  cert: string;
  key: string;
  notAfter: Date;
  /** SHA-256 fingerprint of the leaf, for logs. */
  fingerprint: string;
  /** Subject alternative names, for logs. */
  names: string;
}

export class CertificateError extends Error {
  readonly code = 'CERTIFICATE_INVALID';

  constructor(message: string) {
    super(message);
    this.name = 'CertificateError';
  }
}

/** Checks a PEM certificate (chain) and key: both readable, and the key is the leaf's. */
export function servingCertificate(cert: string, key: string, source = 'certificate'): ServingCertificate {
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch (error) {
    throw new CertificateError(`${source}: not a PEM certificate (${(error as Error).message})`);
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    throw new CertificateError(`${source}: the key is not a PEM private key (${(error as Error).message})`);
  }
  if (!leaf.checkPrivateKey(privateKey)) {
    throw new CertificateError(`${source}: the key does not belong to the certificate`);
  }
  return {
    cert,
    key,
    notAfter: new Date(leaf.validTo),
    fingerprint: leaf.fingerprint256,
    names: leaf.subjectAltName ?? leaf.subject,
  };
}

/** Reads and checks the certificate and key files. Throws CertificateError, or the read error. */
export function readServingCertificate(certPath: string, keyPath: string): ServingCertificate {
  return servingCertificate(readFileSync(certPath, 'utf8'), readFileSync(keyPath, 'utf8'), certPath);
}

/** What the watcher reports after each change it noticed. */
export type CertificateReload = { certificate: ServingCertificate; changed: boolean } | { error: Error };

export interface CertificateWatch {
  close(): void;
}

/**
 * Watches the certificate and key files and hands a new, checked certificate to `apply` when they
 * change. A half-swapped pair (new certificate, old key) fails the check and is retried on the next
 * event or poll; the old certificate stays in use meanwhile.
 */
export function watchServingCertificate(
  certPath: string,
  keyPath: string,
  current: ServingCertificate,
  apply: (certificate: ServingCertificate) => void,
  report: (reload: CertificateReload) => void,
  options: FileWatchOptions = {},
): CertificateWatch {
  let inUse = current;
  const reload = (): void => {
    let certificate: ServingCertificate;
    try {
      certificate = readServingCertificate(certPath, keyPath);
    } catch (error) {
      report({ error: error as Error });
      return;
    }
    const changed = certificate.cert !== inUse.cert || certificate.key !== inUse.key;
    if (changed) {
      apply(certificate);
      inUse = certificate;
    }
    report({ certificate, changed });
  };
  return watchFiles([certPath, keyPath], reload, options);
}
