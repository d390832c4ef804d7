import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createDevCertificate } from '../../webhook/src/dev-certificate.js';
import { servingCertificate } from '../../webhook/src/tls.js';

describe('createDevCertificate: an X.509 certificate built in pure Node', () => {
  const certificate = createDevCertificate({ now: new Date('2026-11-26T09:00:30Z') });
  const x509 = new X509Certificate(certificate.cert);

  it('parses, is self-signed by its key and matches it', () => {
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.checkIssued(x509)).toBe(true);
    expect(x509.ca).toBe(false);
    expect(() => servingCertificate(certificate.cert, certificate.key)).not.toThrow();
    expect(x509.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });

  it('is valid for 127.0.0.1, ::1 and localhost, and nothing else', () => {
    expect(x509.subjectAltName).toBe('IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:localhost');
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x509.checkIP('::1')).toBe('::1');
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.checkHost('example.com')).toBeUndefined();
    expect(x509.checkIP('10.0.0.1')).toBeUndefined();
  });

  it('is short-lived: from a minute before now, for 7 days', () => {
    expect(new Date(x509.validFrom).toISOString()).toBe('2026-11-26T08:59:30.000Z');
    expect(new Date(x509.validTo).toISOString()).toBe('2026-12-03T08:59:30.000Z');
    expect(certificate.notAfter.toISOString()).toBe('2026-12-03T08:59:30.000Z');
  });

  it('serves the hosts it is given, expanding IPv6 addresses', () => {
    const other = new X509Certificate(
      createDevCertificate({ hosts: ['acid-guard.acid-guard.svc', 'fd00::a:1', '10.1.2.3'], days: 1 }).cert,
    );
    expect(other.subjectAltName).toBe(
      'DNS:acid-guard.acid-guard.svc, IP Address:FD00:0:0:0:0:0:A:1, IP Address:10.1.2.3',
    );
    expect(other.checkHost('acid-guard.acid-guard.svc')).toBe('acid-guard.acid-guard.svc');
  });

  it('encodes dates from 2050 as GeneralizedTime', () => {
    const late = new X509Certificate(
      createDevCertificate({ now: new Date('2049-12-30T00:00:00Z'), days: 5 }).cert,
    );
    expect(new Date(late.validTo).toISOString()).toBe('2050-01-03T23:59:00.000Z');
  });

  it('gets a fresh key and serial every time', () => {
    const again = new X509Certificate(createDevCertificate().cert);
    expect(again.serialNumber).not.toBe(x509.serialNumber);
    expect(again.fingerprint256).not.toBe(x509.fingerprint256);
  });

  it('needs a host', () => {
    expect(() => createDevCertificate({ hosts: [] })).toThrow(/at least one host/);
  });
});
