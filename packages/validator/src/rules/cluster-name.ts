import { DNS1035_LABEL } from '../kubernetes/names.js';
import { replicaPoolerEnabled } from './pooler.js';
import type { Rule } from './rule.js';
import type { RuleContext } from './rule-context.js';

type Manifest = RuleContext['object'];

const NAME_PATH = 'metadata.name';

/** StatefulSet pods get `controller-revision-hash=<name>-<up to 10 characters>`, a label value (≤ 63). */
const MAX_NAME = 52;
/** The replica pooler's Service `<name>-pooler-repl` must be a DNS-1035 label (≤ 63). */
const MAX_NAME_WITH_REPLICA_POOLER = 63 - '-pooler-repl'.length;
/** `ExtractClusterName`: 63 − len("-repl"), checked only with enable_team_id_clustername_prefix. */
const OPERATOR_MAX_NAME = 58;

/** The operator's own words for a name that is not a DNS-1035 label (`ExtractClusterName`). */
const DNS1035_MESSAGE = `name must confirm to DNS-1035, regex used for validation is ${JSON.stringify(DNS1035_LABEL.source)}`;

function clusterName(object: Manifest): string | undefined {
  const name = object.metadata?.name;
  return name === undefined || name === '' ? undefined : name;
}

/** A DNS-1035 label close to the name: lower case, `-` for anything else, starting with a letter. */
function dns1035Like(name: string, maxLength: number): string {
  const cleaned = name
    .toLowerCase()
    .replace(/[^-a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, maxLength)
    .replace(/-+$/, '');
  return cleaned === '' ? 'acid-cluster' : cleaned;
}

export const clusterNameMissing: Rule = {
  id: 'cluster/name-missing',
  severity: 'error',
  summary: '`metadata.name` is missing or empty.',
  why: 'Every object the operator creates (StatefulSet, Services, Secrets) is named after the cluster; the API server refuses an object without a name.',
  bad: 'metadata:\n  name: ""\n',
  good: 'metadata:\n  name: acid-demo\n',
  *check({ object }) {
    if (clusterName(object) !== undefined) return;
    // generateName is completed by the API server; the name is then known only after creation.
    if ((object.metadata?.generateName ?? '') !== '') return;
    yield {
      path: NAME_PATH,
      message: 'metadata.name is missing: the cluster and every object named after it need a name',
      hint: 'write metadata.name, e.g. acid-demo (lower-case letters, digits and -, starting with a letter)',
    };
  },
};

export const clusterNameInvalid: Rule = {
  id: 'cluster/name-invalid',
  severity: 'error',
  summary: 'The cluster name is not a DNS-1035 label (lower case, digits, `-`, starting with a letter).',
  why: 'The operator names the primary Service after the cluster and the replica Service `<name>-repl`; Kubernetes only accepts DNS-1035 labels there (no dots, no leading digit), so creation fails. With `enable_team_id_clustername_prefix` the operator itself marks the cluster `Invalid`.',
  bad: 'metadata:\n  name: acid.demo\n',
  good: 'metadata:\n  name: acid-demo\n',
  *check({ object, policy }) {
    const name = clusterName(object);
    if (name === undefined || DNS1035_LABEL.test(name)) return;
    yield {
      path: NAME_PATH,
      message: policy.enableTeamIdClusternamePrefix
        ? `${DNS1035_MESSAGE} — the operator sets the status Invalid`
        : `${DNS1035_MESSAGE} — the Services named after the cluster are refused by Kubernetes`,
      hint: `write e.g. ${JSON.stringify(dns1035Like(name, MAX_NAME))}`,
    };
  },
};

export const clusterNameTooLong: Rule = {
  id: 'cluster/name-too-long',
  severity: 'error',
  summary: 'The cluster name is longer than 52 characters (51 with `enableReplicaConnectionPooler`).',
  why: 'The StatefulSet’s pods get the label `controller-revision-hash=<name>-<hash of up to 10 characters>`, and label values are limited to 63 characters: above 52 the pods cannot be created (Kubernetes issue #64023). The replica pooler’s Service `<name>-pooler-repl` allows only 51.',
  bad: 'metadata:\n  name: acid-customer-relationship-management-prod-eu-central-1\n',
  good: 'metadata:\n  name: acid-crm-production-eu1\n',
  *check({ object, policy }) {
    const name = clusterName(object);
    if (name === undefined) return;
    const replicaPooler = replicaPoolerEnabled(object.spec);
    const limit = replicaPooler ? MAX_NAME_WITH_REPLICA_POOLER : MAX_NAME;
    if (name.length <= limit) return;
    const operatorRefuses = policy.enableTeamIdClusternamePrefix && name.length > OPERATOR_MAX_NAME;
    const reason = replicaPooler
      ? `the replica pooler's Service ${JSON.stringify(`${name}-pooler-repl`)} must be at most 63 characters`
      : 'the pods of its StatefulSet get the label controller-revision-hash=<name>-<hash of up to 10 characters>, and label values are limited to 63 characters';
    yield {
      path: NAME_PATH,
      message: `${operatorRefuses ? `name cannot be longer than ${OPERATOR_MAX_NAME} characters — ` : ''}cluster name is ${name.length} characters, at most ${limit} work: ${reason}`,
      hint: `shorten the name to at most ${limit} characters`,
    };
  },
};

/**
 * `ExtractClusterName` with `enable_team_id_clustername_prefix`, the checks that concern the team
 * prefix, in the operator's order and words (length and DNS-1035 are the rules above).
 */
function teamPrefixProblem(name: string, teamId: string): string | undefined {
  if (name.length < teamId.length + 2) {
    return `cluster name must match {TEAM}-{NAME} format. Got cluster name '${name}', team name '${teamId}'`;
  }
  // An empty teamId ('team name is empty') is reported by team/empty-id.
  if (teamId === '') return undefined;
  if (name.slice(0, teamId.length + 1).toLowerCase() !== `${teamId}-`.toLowerCase()) {
    return 'name must match {TEAM}-{NAME} format';
  }
  return undefined;
}

export const clusterTeamPrefix: Rule = {
  id: 'cluster/team-prefix',
  severity: 'error',
  summary: 'With `enable_team_id_clustername_prefix`, the cluster name does not start with `<teamId>-`.',
  why: 'With this option the operator refuses every cluster whose name does not start with the team id and a dash (compared case-insensitively): it sets the status `Invalid` and logs `creation of cluster is blocked: …`; nothing is created.',
  examplePolicy: { enableTeamIdClusternamePrefix: true },
  bad: 'metadata:\n  name: billing-db\nspec:\n  teamId: acid\n',
  good: 'metadata:\n  name: acid-billing-db\nspec:\n  teamId: acid\n',
  *check({ object, policy }) {
    if (!policy.enableTeamIdClusternamePrefix) return;
    const name = clusterName(object);
    const teamId = object.spec?.teamId;
    if (name === undefined || teamId === undefined) return;
    const problem = teamPrefixProblem(name, teamId);
    if (problem === undefined) return;
    const prefix = teamId === '' ? 'team' : teamId.toLowerCase();
    yield {
      path: NAME_PATH,
      message: `${problem} — the operator sets the status Invalid and creates nothing`,
      hint: `name the cluster ${JSON.stringify(`${prefix}-${dns1035Like(name, MAX_NAME - prefix.length - 1)}`)}`,
    };
  },
};

/** Rules about the cluster name (metadata.name). */
export const CLUSTER_NAME_RULES: readonly Rule[] = [
  clusterNameMissing,
  clusterNameInvalid,
  clusterNameTooLong,
  clusterTeamPrefix,
];
