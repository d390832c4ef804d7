import { child } from '../field-path.js';
import type { Rule } from './rule.js';
import type { RuleContext } from './rule-context.js';

const STANDBY_PATH = child('spec', 'standby');

type Spec = NonNullable<RuleContext['object']['spec']>;

function standbyOf(context: RuleContext): NonNullable<Spec['standby']> | undefined {
  return context.object.spec?.standby;
}

/** `cluster/util.go:isStandbyCluster`: a standby section, or a non-empty STANDBY_WALE_*_PREFIX in env. */
const STANDBY_ENV = /^STANDBY_WALE_(S3|GS|GSC|SWIFT)_PREFIX$/;

export function isStandbyCluster(spec: Spec | undefined): boolean {
  if (spec === undefined) return false;
  const viaEnv = (spec.env ?? []).some(
    (variable) => STANDBY_ENV.test(variable?.name ?? '') && (variable?.value ?? '') !== '',
  );
  return viaEnv || spec.standby !== undefined;
}

/** A TCP port as libpq reads `port=`: decimal digits, 1 to 65535. */
function isPort(value: string): boolean {
  return /^\d{1,5}$/.test(value) && Number(value) >= 1 && Number(value) <= 65535;
}

export const invalidPort: Rule = {
  id: 'standby/invalid-port',
  severity: 'error',
  summary: '`standby.standby_port` that is not a port number from 1 to 65535.',
  why: 'The port is a string in the CRD and reaches Patroni unchecked (STANDBY_PORT): the standby leader cannot connect to its source and the cluster never replicates.',
  bad: 'spec:\n  numberOfInstances: 1\n  standby:\n    standby_host: acid-source.prod.svc\n    standby_port: "543200"\n',
  good: 'spec:\n  numberOfInstances: 1\n  standby:\n    standby_host: acid-source.prod.svc\n    standby_port: "5432"\n',
  *check(context) {
    const port = standbyOf(context)?.standby_port;
    if (typeof port !== 'string' || port === '' || isPort(port)) return;
    yield {
      path: child(STANDBY_PATH, 'standby_port'),
      message: `standby_port ${JSON.stringify(port)} is not a port number (1-65535)`,
      hint: 'write the source’s port as a quoted number, e.g. "5432"',
    };
  },
};

export const withClone: Rule = {
  id: 'standby/with-clone',
  severity: 'warning',
  summary: 'A `standby` section together with a `clone` section.',
  why: 'Both describe how the cluster is bootstrapped, and only one applies: the operator passes both to Spilo, and Patroni bootstraps a standby leader from the standby source when a standby cluster is configured, so the clone is not used — while its CLONE_* variables stay in the pod spec.',
  bad: 'spec:\n  numberOfInstances: 1\n  standby:\n    s3_wal_path: s3://backups/spilo/acid-source/wal/17\n  clone:\n    cluster: acid-source\n',
  good: 'spec:\n  numberOfInstances: 1\n  standby:\n    s3_wal_path: s3://backups/spilo/acid-source/wal/17\n',
  *check(context) {
    const clone = context.object.spec?.clone;
    if (!isStandbyCluster(context.object.spec) || clone === undefined || (clone.cluster ?? '') === '') return;
    yield {
      path: child('spec', 'clone'),
      message:
        'clone has no effect on a standby cluster: the cluster is bootstrapped from the standby source',
      hint: 'remove clone for a standby cluster, or remove standby to bootstrap a normal cluster as a clone',
    };
  },
};

const ROLE_FIELDS = ['users', 'databases', 'preparedDatabases'] as const;

export const rolesBeforePromotion: Rule = {
  id: 'standby/roles-before-promotion',
  severity: 'warning',
  summary: '`users`, `databases` or `preparedDatabases` on a standby cluster.',
  why: 'A standby is read-only: the operator syncs no roles, databases or prepared databases there and rotates no passwords. They are created only after promotion (removing the standby section); until then the roles and databases of the source apply.',
  bad: 'spec:\n  numberOfInstances: 1\n  standby:\n    s3_wal_path: s3://backups/spilo/acid-source/wal/17\n  users:\n    app_user: []\n',
  good: 'spec:\n  numberOfInstances: 1\n  standby:\n    s3_wal_path: s3://backups/spilo/acid-source/wal/17\n',
  *check(context) {
    const spec = context.object.spec;
    if (spec === undefined || !isStandbyCluster(spec)) return;
    for (const field of ROLE_FIELDS) {
      const value = spec[field];
      // `preparedDatabases: {}` still prepares a database named like the cluster.
      if (value === undefined || (field !== 'preparedDatabases' && Object.keys(value).length === 0)) continue;
      yield {
        path: child('spec', field),
        message: `${field} take effect only after the standby cluster is promoted: the operator does not sync them on a standby`,
        hint: `create them on the source cluster (they replicate), or add ${field} when promoting this cluster`,
      };
    }
  },
};

export const STANDBY_RULES: readonly Rule[] = [invalidPort, withClone, rolesBeforePromotion];
