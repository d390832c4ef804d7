import type { RuleMeta } from './rule.js';

/** Problems of the YAML text itself, found while reading a file. */
export const yamlSyntax: RuleMeta = {
  id: 'yaml/syntax',
  severity: 'error',
  summary: 'The document is not valid YAML (or nests deeper than 200 levels).',
  why: 'kubectl refuses the whole file; in a GitOps repository the sync of every object in it stops.',
  raw: true,
  bad: 'apiVersion: acid.zalan.do/v1\nkind: postgresql\nmetadata:\n  name: acid-demo\nspec:\n  teamId: [acid\n',
  good: 'apiVersion: acid.zalan.do/v1\nkind: postgresql\nmetadata:\n  name: acid-demo\nspec:\n  teamId: acid\n',
};

export const yamlDuplicateKey: RuleMeta = {
  id: 'yaml/duplicate-key',
  severity: 'error',
  target: 'key',
  fileOnly: true,
  summary: 'A key appears twice in the same mapping.',
  why: 'kubectl (sigs.k8s.io/yaml) keeps the last value without a word, so the first one is silently lost.',
  raw: true,
  bad: 'apiVersion: acid.zalan.do/v1\nkind: postgresql\nmetadata:\n  name: acid-demo\nspec:\n  numberOfInstances: 2\n  numberOfInstances: 1\n',
  good: 'apiVersion: acid.zalan.do/v1\nkind: postgresql\nmetadata:\n  name: acid-demo\nspec:\n  numberOfInstances: 2\n',
};

export const yamlAliasExpansion: RuleMeta = {
  id: 'yaml/alias-expansion',
  severity: 'error',
  fileOnly: true,
  summary: 'YAML aliases expand the document to far more nodes than it has (an alias bomb).',
  why: 'Expanding it exhausts memory in every tool that reads it; the document is not read further.',
  raw: true,
  bad: 'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n',
  good: 'a: &a [x, x]\nb: [*a, *a]\n',
};

export const YAML_RULES: readonly RuleMeta[] = [yamlSyntax, yamlDuplicateKey, yamlAliasExpansion];
