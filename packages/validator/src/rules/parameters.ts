import { child, key } from '../field-path.js';
import type { Rule } from './rule.js';

/**
 * PostgreSQL 14+ accepts `md5` and `scram-sha-256`, in any case. The operator hashes the passwords of the
 * roles it creates with md5 only when the value is exactly `md5` (case-sensitive), otherwise with SCRAM.
 */
const MD5 = 'md5';
const SCRAM = 'scram-sha-256';

export const passwordEncryption: Rule = {
  id: 'parameters/password-encryption',
  severity: 'error',
  summary: '`password_encryption` other than `md5` or `scram-sha-256` (or `md5` not in lower case).',
  why: 'The operator passes the value on to PostgreSQL, which refuses to start with an unknown value such as `on` or `scram`. It also hashes role passwords with md5 only when the value is exactly `md5`: with `MD5` the roles it creates get SCRAM while PostgreSQL hashes every other password with md5.',
  bad: 'spec:\n  postgresql:\n    parameters:\n      password_encryption: "on"\n',
  good: 'spec:\n  postgresql:\n    parameters:\n      password_encryption: scram-sha-256\n',
  *check(context) {
    const value = context.object.spec?.postgresql?.parameters?.password_encryption;
    if (typeof value !== 'string' || value === MD5 || value.toLowerCase() === SCRAM) return;
    const path = key(child(child('spec', 'postgresql'), 'parameters'), 'password_encryption');
    if (value.toLowerCase() === MD5) {
      yield {
        path,
        message: `password_encryption ${JSON.stringify(value)}: the operator compares with "md5" case-sensitively, so it hashes the passwords of the roles it creates with scram-sha-256 while PostgreSQL uses md5`,
        hint: 'write md5',
      };
      return;
    }
    yield {
      path,
      message: `password_encryption ${JSON.stringify(value)} is not a value PostgreSQL accepts: md5 or scram-sha-256`,
      hint: 'write scram-sha-256 (the default), or md5 for clients that cannot do SCRAM',
    };
  },
};

export const PARAMETERS_RULES: readonly Rule[] = [passwordEncryption];
