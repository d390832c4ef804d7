import type { RuleMeta } from './rule.js';

/** Whether a document is a `postgresql` at all, as kubectl would resolve its type. */
export const apiVersion: RuleMeta = {
  id: 'document/api-version',
  severity: 'error',
  summary: 'A `postgresql` document with an apiVersion other than `acid.zalan.do/v1`.',
  why: 'The operator serves only `acid.zalan.do/v1`: kubectl fails with `no matches for kind "postgresql"`.',
  raw: true,
  bad: 'apiVersion: acid.zalan.do/v1beta1\nkind: postgresql\nmetadata:\n  name: acid-demo\n',
  good: 'apiVersion: acid.zalan.do/v1\nkind: postgresql\nmetadata:\n  name: acid-demo\n',
};

export const kindCase: RuleMeta = {
  id: 'document/kind-case',
  severity: 'error',
  summary:
    'The kind is spelled `Postgresql` or `PostgreSQL`; the operator’s kind is lower-case `postgresql`.',
  why: 'Kinds are case-sensitive: kubectl fails with `no matches for kind`, and linters that match the exact kind skip the document.',
  raw: true,
  bad: 'apiVersion: acid.zalan.do/v1\nkind: PostgreSQL\nmetadata:\n  name: acid-demo\n',
  good: 'apiVersion: acid.zalan.do/v1\nkind: postgresql\nmetadata:\n  name: acid-demo\n',
};

export const DOCUMENT_RULES: readonly RuleMeta[] = [apiVersion, kindCase];
