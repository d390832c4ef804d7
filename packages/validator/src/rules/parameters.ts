import { child, key } from '../field-path.js';
import type { Rule } from './rule.js';

/** The values PostgreSQL 14+ accepts, spelled the way the operator compares them (case-sensitively). */
const PASSWORD_ENCRYPTIONS = ['md5', 'scram-sha-256'];

export const passwordEncryption: Rule = {
  id: 'parameters/password-encryption',
  severity: 'error',
  summary: '`password_encryption` other than exactly `md5` or `scram-sha-256`.',
  why: 'The operator hashes role passwords with md5 only when the value is exactly `md5`, otherwise with SCRAM, and passes the value on to PostgreSQL: an unknown value (`on`, `scram`) stops PostgreSQL from starting, and a different spelling (`MD5`) leaves the operator’s roles on SCRAM while PostgreSQL hashes every other password with md5.',
  bad: 'spec:\n  postgresql:\n    parameters:\n      password_encryption: "on"\n',
  good: 'spec:\n  postgresql:\n    parameters:\n      password_encryption: scram-sha-256\n',
  *check(context) {
    const value = context.object.spec?.postgresql?.parameters?.password_encryption;
    if (typeof value !== 'string' || PASSWORD_ENCRYPTIONS.includes(value)) return;
    const sameIgnoringCase = PASSWORD_ENCRYPTIONS.find((known) => known === value.toLowerCase());
    yield {
      path: key(child(child('spec', 'postgresql'), 'parameters'), 'password_encryption'),
      message:
        sameIgnoringCase === undefined
          ? `password_encryption ${JSON.stringify(value)} is not a value PostgreSQL accepts (md5 or scram-sha-256)`
          : `password_encryption ${JSON.stringify(value)} is read case-sensitively by the operator: it hashes the roles it creates with ${sameIgnoringCase === 'md5' ? 'scram-sha-256, while PostgreSQL uses md5' : 'scram-sha-256 as intended only by accident of its default'}`,
      hint: `write ${sameIgnoringCase ?? 'scram-sha-256 (or md5 for old clients)'}`,
    };
  },
};

export const PARAMETERS_RULES: readonly Rule[] = [passwordEncryption];
