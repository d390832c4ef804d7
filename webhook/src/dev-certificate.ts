/**
 * A self-signed serving certificate for development and tests, built in pure Node: an ECDSA P-256
 * key from `node:crypto` and a minimal X.509 v3 certificate encoded in DER by hand (no openssl on a
 * fresh machine). Never for production: there the certificate comes from cert-manager.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

export interface DevCertificateOptions {
  /** DNS names and IP addresses the certificate is valid for. */
  hosts?: readonly string[];
  /** Validity in days from now; short on purpose. */
  days?: number;
  /** Start of validity; now by default (minus a minute for clock skew). */
  now?: Date;
  commonName?: string;
}

export interface DevCertificate {
  /** PEM of the certificate; also its own CA, since it signs itself. */
  cert: string;
  /** PEM (PKCS#8) of the private key. */
  key: string;
  notBefore: Date;
  notAfter: Date;
}

export const DEV_HOSTS: readonly string[] = ['127.0.0.1', '::1', 'localhost'];

// ---------------------------------------------------------------------------------------------------
// DER, just what a certificate needs (ITU-T X.690).

function length(size: number): Buffer {
  if (size < 0x80) return Buffer.from([size]);
  const bytes: number[] = [];
  for (let rest = size; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(content.length), content]);
}

const sequence = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const octetString = (content: Buffer): Buffer => tlv(0x04, content);
const utf8String = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));
/** A BIT STRING with no unused bits. */
const bitString = (content: Buffer): Buffer => tlv(0x03, Buffer.concat([Buffer.from([0]), content]));
/** `[n] EXPLICIT`: a constructed context-specific tag around one element. */
const explicit = (n: number, content: Buffer): Buffer => tlv(0xa0 | n, content);

/** A non-negative INTEGER from big-endian bytes. */
function unsignedInteger(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  const padded = (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
  return tlv(0x02, padded);
}

function objectIdentifier(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const groups = [arc & 0x7f];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) {
      groups.unshift((value & 0x7f) | 0x80);
    }
    bytes.push(...groups);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime up to 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5). */
function time(date: Date): Buffer {
  const iso = date.toISOString(); // 2026-11-26T09:00:00.000Z
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return date.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(digits.slice(2), 'ascii'))
    : tlv(0x18, Buffer.from(digits, 'ascii'));
}

// ---------------------------------------------------------------------------------------------------
// X.509 (RFC 5280).

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  extendedKeyUsage: '2.5.29.37',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
};

function ipAddressBytes(address: string): Buffer {
  if (isIPv4(address)) return Buffer.from(address.split('.').map(Number));
  // Expand `::` and read eight 16-bit groups.
  const [head = '', tail] = address.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = Array(8 - headGroups.length - tailGroups.length).fill('0');
  const groups = tail === undefined ? headGroups : [...headGroups, ...zeros, ...tailGroups];
  const bytes = Buffer.alloc(16);
  groups.forEach((group, i) => {
    bytes.writeUInt16BE(Number.parseInt(group, 16), i * 2);
  });
  return bytes;
}

/** GeneralName: `[2] IMPLICIT IA5String` for DNS names, `[7] IMPLICIT OCTET STRING` for addresses. */
function generalName(host: string): Buffer {
  if (isIPv4(host) || isIPv6(host)) return tlv(0x87, ipAddressBytes(host));
  return tlv(0x82, Buffer.from(host, 'ascii'));
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  const flag = critical ? [tlv(0x01, Buffer.from([0xff]))] : [];
  return sequence(objectIdentifier(oid), ...flag, octetString(value));
}

function name(commonName: string): Buffer {
  return sequence(set(sequence(objectIdentifier(OID.commonName), utf8String(commonName))));
}

function tbsCertificate(
  publicKey: KeyObject,
  hosts: readonly string[],
  commonName: string,
  notBefore: Date,
  notAfter: Date,
): Buffer {
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f; // positive, at most 16 bytes (RFC 5280: ≤ 20 octets)
  const signature = sequence(objectIdentifier(OID.ecdsaWithSha256));
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  // Key identifiers let a client that trusts several of these certificates (old and new during a
  // rotation, all with the same name) find the right one: OpenSSL matches issuers by name and key id.
  const keyId = createHash('sha1').update(spki).digest();
  const extensions = sequence(
    extension(OID.subjectAltName, false, sequence(...hosts.map(generalName))),
    // CA:FALSE. No keyUsage: a self-signed certificate must pass OpenSSL's issuer check against
    // itself, which a keyUsage without keyCertSign fails ("unable to get local issuer certificate").
    extension(OID.basicConstraints, true, sequence()),
    extension(OID.extendedKeyUsage, false, sequence(objectIdentifier(OID.serverAuth))),
    extension(OID.subjectKeyIdentifier, false, octetString(keyId)),
    extension(OID.authorityKeyIdentifier, false, sequence(tlv(0x80, keyId))),
  );
  return sequence(
    explicit(0, tlv(0x02, Buffer.from([2]))), // v3
    unsignedInteger(serial),
    signature,
    name(commonName),
    sequence(time(notBefore), time(notAfter)),
    name(commonName),
    spki,
    explicit(3, extensions),
  );
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** A fresh key and a self-signed certificate for `hosts` (127.0.0.1, ::1 and localhost by default). */
export function createDevCertificate(options: DevCertificateOptions = {}): DevCertificate {
  const hosts = options.hosts ?? DEV_HOSTS;
  if (hosts.length === 0) throw new Error('a certificate needs at least one host');
  const start = options.now ?? new Date();
  const notBefore = new Date(Math.floor(start.getTime() / 1000) * 1000 - 60_000);
  const notAfter = new Date(notBefore.getTime() + (options.days ?? 7) * 86_400_000);
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const tbs = tbsCertificate(
    publicKey,
    hosts,
    options.commonName ?? 'acid-guard-webhook development',
    notBefore,
    notAfter,
  );
  const signature = sign('sha256', tbs, privateKey); // DER ECDSA-Sig-Value
  const certificate = sequence(tbs, sequence(objectIdentifier(OID.ecdsaWithSha256)), bitString(signature));
  return {
    cert: pem('CERTIFICATE', certificate),
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    notBefore,
    notAfter,
  };
}
