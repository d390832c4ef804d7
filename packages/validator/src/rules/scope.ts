import { child, key } from '../field-path.js';
import type { OperatorPolicy } from '../policy/operator-policy.js';
import type { Rule } from './rule.js';

/** The annotation that assigns an object to an operator started with CONTROLLER_ID. */
export const CONTROLLER_ANNOTATION = 'acid.zalan.do/controller';

/**
 * The namespaces the operator watches: `*` = all, else a namespace or a comma list; empty = its own
 * namespace, unknown when the policy does not say where the operator runs.
 */
export function watchedNamespaces(policy: OperatorPolicy): readonly string[] | 'all' | 'unknown' {
  const names = policy.watchedNamespace
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.includes('*')) return 'all';
  if (names.length > 0) return names;
  return policy.operatorNamespace === undefined || policy.operatorNamespace === ''
    ? 'unknown'
    : [policy.operatorNamespace];
}

export const scopeUnwatchedNamespace: Rule = {
  id: 'scope/unwatched-namespace',
  severity: 'warning',
  summary: 'The manifest’s namespace is not one the operator watches (`watched_namespace`).',
  why: 'The operator only lists and watches `postgresql` objects in `watched_namespace` (empty = its own namespace, `*` = all): an object elsewhere is accepted by the API server and then ignored without a word — no status, no event, no cluster.',
  examplePolicy: { watchedNamespace: 'databases' },
  bad: 'metadata:\n  namespace: default\n',
  good: 'metadata:\n  namespace: databases\n',
  *check({ object, policy }) {
    const namespace = object.metadata?.namespace;
    if (namespace === undefined || namespace === '') return;
    const watched = watchedNamespaces(policy);
    if (watched === 'all' || watched === 'unknown' || watched.includes(namespace)) return;
    const list = watched.map((name) => JSON.stringify(name)).join(', ');
    yield {
      path: 'metadata.namespace',
      message: `the operator watches only ${watched.length === 1 ? 'namespace' : 'namespaces'} ${list} (watched_namespace): a postgresql in namespace ${JSON.stringify(namespace)} is ignored without a word`,
      hint: `create the cluster in ${watched.length === 1 ? list : `one of ${list}`}, or add ${JSON.stringify(namespace)} to the operator's watched_namespace ("*" = all namespaces)`,
    };
  },
};

export const scopeControllerId: Rule = {
  id: 'scope/controller-id',
  severity: 'warning',
  summary: 'The `acid.zalan.do/controller` annotation does not name an operator that runs in this cluster.',
  why: 'An operator started with `CONTROLLER_ID` handles only objects annotated `acid.zalan.do/controller: <id>`, and an operator without one ignores every object that carries the annotation (`hasOwnership`): otherwise no operator handles the cluster, silently.',
  bad: 'metadata:\n  annotations:\n    acid.zalan.do/controller: second-operator\n',
  good: 'metadata:\n  labels:\n    team: acid\n',
  *check({ object, policy }) {
    const annotations = object.metadata?.annotations ?? {};
    const value = annotations[CONTROLLER_ANNOTATION];
    const ids = policy.controllerIds;
    const path = key(child('metadata', 'annotations'), CONTROLLER_ANNOTATION);
    if (ids.length === 0) {
      // An operator without an id owns objects without the annotation, or with an empty value.
      if (value === undefined || value === '') return;
      yield {
        path,
        message: `${CONTROLLER_ANNOTATION}: ${JSON.stringify(value)} names a controller id, but the operator here runs without CONTROLLER_ID and ignores annotated objects: no operator handles this cluster`,
        hint: `remove the ${CONTROLLER_ANNOTATION} annotation, or start an operator with CONTROLLER_ID=${value}`,
      };
      return;
    }
    if (value !== undefined && ids.includes(value)) return;
    const known = ids.map((id) => JSON.stringify(id)).join(', ');
    yield {
      path: value === undefined ? 'metadata' : path,
      message:
        value === undefined
          ? `the operators here run with CONTROLLER_ID (${known}) and handle only objects annotated ${CONTROLLER_ANNOTATION}: no operator handles this cluster`
          : `${CONTROLLER_ANNOTATION}: ${JSON.stringify(value)} is not the id of any operator here (${known}): no operator handles this cluster`,
      hint: `annotate the manifest with ${CONTROLLER_ANNOTATION}: ${ids[0]}`,
    };
  },
};

/** Rules about which operator, if any, picks the manifest up. */
export const SCOPE_RULES: readonly Rule[] = [scopeUnwatchedNamespace, scopeControllerId];
