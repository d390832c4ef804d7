import type { Postgresql } from '../generated/postgresql.types.js';
import { isDns1123Label } from '../kubernetes/names.js';
import type { Rule } from './rule.js';
import type { Loose } from './rule-context.js';

/**
 * Rules about spec.tls (operator-behaviour.md b.13). TLS is on only when `secretName` is non-empty (the
 * operator's own example ships `secretName: ""`); with TLS off nothing in the section is used.
 */

/** A pod volume the operator makes from a TLS secret: named after the secret, added after additionalVolumes. */
export interface TlsVolume {
  /** The secret name = the volume name. */
  name: string;
  /** `secretName` or `caSecretName`. */
  field: 'secretName' | 'caSecretName';
  mountPath: string;
}

/**
 * The TLS secret volumes the operator adds: `secretName` at /tls when TLS is on, and `caSecretName` at
 * /tlsca only when `caFile` is set too (otherwise the CA secret is not used at all).
 */
export function tlsVolumes(object: Loose<Postgresql>): TlsVolume[] {
  const tls = object.spec?.tls;
  if (!tls?.secretName) return [];
  const volumes: TlsVolume[] = [{ name: tls.secretName, field: 'secretName', mountPath: '/tls' }];
  if (tls.caFile && tls.caSecretName) {
    volumes.push({ name: tls.caSecretName, field: 'caSecretName', mountPath: '/tlsca' });
  }
  return volumes;
}

const invalidSecretName: Rule = {
  id: 'tls/invalid-secret-name',
  severity: 'error',
  summary: 'tls.secretName or tls.caSecretName that is not a DNS-1123 label.',
  why: 'The operator mounts each TLS secret as a pod volume named after the secret; a secret name with dots or over 63 characters is a valid Secret but not a valid volume name, so Kubernetes refuses the StatefulSet.',
  bad: 'spec:\n  spiloFSGroup: 103\n  tls:\n    secretName: acid-demo.tls\n',
  good: 'spec:\n  spiloFSGroup: 103\n  tls:\n    secretName: acid-demo-tls\n',
  *check(context) {
    for (const volume of tlsVolumes(context.object)) {
      if (isDns1123Label(volume.name)) continue;
      yield {
        path: `spec.tls.${volume.field}`,
        message: `${volume.field} "${volume.name}" becomes a pod volume name and is not a DNS-1123 label: Kubernetes refuses the pod`,
        hint: 'use a Secret whose name is lower-case letters, digits and "-", at most 63 characters (no dots)',
      };
    }
  },
};

const sameSecret: Rule = {
  id: 'tls/same-secret',
  severity: 'error',
  summary: 'tls.caSecretName equal to tls.secretName (with caFile set).',
  why: 'Both secrets become pod volumes named after the secret: two volumes of one name, which Kubernetes refuses.',
  bad: 'spec:\n  spiloFSGroup: 103\n  tls:\n    secretName: acid-demo-tls\n    caFile: ca.crt\n    caSecretName: acid-demo-tls\n',
  good: 'spec:\n  spiloFSGroup: 103\n  tls:\n    secretName: acid-demo-tls\n    caFile: ca.crt\n',
  *check(context) {
    const [certificate, authority] = tlsVolumes(context.object);
    if (certificate === undefined || authority === undefined || certificate.name !== authority.name) return;
    yield {
      path: 'spec.tls.caSecretName',
      message: `caSecretName is the same Secret as secretName ("${authority.name}"): the pod would get two volumes of that name`,
      hint: 'remove caSecretName: caFile is then read from the secretName Secret',
    };
  },
};

const missingFsGroup: Rule = {
  id: 'tls/missing-fs-group',
  severity: 'warning',
  summary: "TLS enabled without spec.spiloFSGroup and without the operator's spilo_fsgroup.",
  why: 'The secret is mounted with mode 0640; without an fsGroup (103 for Spilo) the postgres user cannot read the private key and Postgres does not start (#1408). Not needed on OpenShift, which assigns an fsGroup itself.',
  bad: 'spec:\n  tls:\n    secretName: acid-demo-tls\n',
  good: 'spec:\n  spiloFSGroup: 103\n  tls:\n    secretName: acid-demo-tls\n',
  *check(context) {
    if (tlsVolumes(context.object).length === 0) return;
    if (context.object.spec?.spiloFSGroup !== undefined || context.policy.spiloFsGroup !== undefined) return;
    yield {
      path: 'spec.tls.secretName',
      message:
        'TLS is enabled but no fsGroup is set (spec.spiloFSGroup, operator spilo_fsgroup): Postgres cannot read the key mounted with mode 0640 (not an issue on OpenShift)',
      hint: 'add spec.spiloFSGroup: 103 (the Spilo postgres group)',
    };
  },
};

const unusedCaSecret: Rule = {
  id: 'tls/unused-ca-secret',
  severity: 'warning',
  summary: 'tls.caSecretName without tls.caFile.',
  why: 'The operator mounts the CA secret only when caFile names the file inside it; without caFile the secret is silently not used.',
  bad: 'spec:\n  spiloFSGroup: 103\n  tls:\n    secretName: acid-demo-tls\n    caSecretName: acid-demo-ca\n',
  good: 'spec:\n  spiloFSGroup: 103\n  tls:\n    secretName: acid-demo-tls\n    caSecretName: acid-demo-ca\n    caFile: ca.crt\n',
  *check(context) {
    const tls = context.object.spec?.tls;
    if (!tls?.secretName || !tls.caSecretName || tls.caFile) return;
    yield {
      path: 'spec.tls.caSecretName',
      message: `caSecretName "${tls.caSecretName}" is not used without caFile: the operator mounts no CA`,
      hint: 'add caFile: ca.crt (the key of the CA file in that Secret), or remove caSecretName',
    };
  },
};

export const TLS_RULES: readonly Rule[] = [invalidSecretName, sameSecret, missingFsGroup, unusedCaSecret];
