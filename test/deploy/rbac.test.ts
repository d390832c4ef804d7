/**
 * The RBAC of every kustomization grants exactly what the webhook's live cluster sources read —
 * `WATCHED_RESOURCES` of webhook/src/cluster for the reference settings the base uses, and
 * `watchedResources(settings)` for the settings each rendered Deployment's arguments give — no verb,
 * resource, namespace or object name more or less.
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import type { IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import type { IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import type { IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { describe, expect, it } from 'vitest';
import {
  REFERENCE_SETTINGS,
  WATCHED_RESOURCES,
  type WatchedResource,
  watchedResources,
} from '../../webhook/src/cluster/index.js';
import { readConfig } from '../../webhook/src/config.js';
import {
  find,
  findAll,
  KUSTOMIZATIONS,
  type KubernetesObject,
  kubectlMissing,
  ROOT,
  render,
} from './kustomize.js';

const missing = kubectlMissing();
if (missing !== undefined) console.warn(`test/deploy: skipping the RBAC checks: ${missing}`);

/** One permission: where (a namespace, or `*` for the cluster), group, resource, verb, object names. */
type Grant = string;

const grant = (
  scope: string,
  group: string,
  resource: string,
  verb: string,
  names?: readonly string[],
): Grant =>
  `${scope} ${group || 'core'} ${resource} ${verb}${names === undefined ? '' : ` [${[...names].sort().join(',')}]`}`;

/** What the watched resources need, with 'operator' and 'webhook' resolved to namespaces. */
function needed(
  resources: readonly WatchedResource[],
  namespaces: { operator: string; webhook: string },
): Grant[] {
  return resources.flatMap((r) => {
    const scopes =
      r.namespaces === 'all'
        ? ['*']
        : r.namespaces === 'operator'
          ? [namespaces.operator]
          : r.namespaces === 'webhook'
            ? [namespaces.webhook]
            : [...r.namespaces];
    return scopes.flatMap((scope) =>
      r.verbs.map((verb) => grant(scope, r.group, r.resource, verb, r.resourceNames)),
    );
  });
}

/** What the rendered roles grant the service account, through its bindings. */
function granted(
  objects: readonly KubernetesObject[],
  account: { name: string; namespace: string },
): Grant[] {
  const boundTo = (subjects: { kind: string; name: string; namespace?: string }[] | undefined) =>
    (subjects ?? []).some(
      (s) => s.kind === 'ServiceAccount' && s.name === account.name && s.namespace === account.namespace,
    );
  const rulesOf = (kind: string, name: string, namespace?: string) => {
    const role = objects.find(
      (o) =>
        o.kind === kind &&
        o.metadata.name === name &&
        (kind === 'ClusterRole' || o.metadata.namespace === namespace),
    ) as IRole | IClusterRole | undefined;
    if (role === undefined)
      throw new Error(`a binding refers to ${kind} ${namespace ?? ''}/${name}, which is not rendered`);
    return role.rules ?? [];
  };
  const expand = (scope: string, rules: ReturnType<typeof rulesOf>): Grant[] =>
    rules.flatMap((rule) =>
      (rule.apiGroups ?? []).flatMap((group) =>
        (rule.resources ?? []).flatMap((resource) =>
          rule.verbs.map((verb) => grant(scope, group, resource, verb, rule.resourceNames)),
        ),
      ),
    );
  return [
    ...findAll<IClusterRoleBinding>(objects, 'ClusterRoleBinding')
      .filter((b) => boundTo(b.subjects))
      .flatMap((b) => expand('*', rulesOf(b.roleRef.kind, b.roleRef.name))),
    ...findAll<IRoleBinding>(objects, 'RoleBinding')
      .filter((b) => boundTo(b.subjects))
      .flatMap((b) => {
        const namespace = b.metadata?.namespace ?? '';
        return expand(namespace, rulesOf(b.roleRef.kind, b.roleRef.name, namespace));
      }),
  ];
}

describe.skipIf(missing !== undefined)('RBAC', () => {
  it('has something to compare with: the webhook watches the operator, its configuration, the CRD, teams and defaults', () => {
    expect(WATCHED_RESOURCES.map((r) => r.resource).sort()).toEqual([
      'configmaps',
      'configmaps',
      'customresourcedefinitions',
      'deployments',
      'operatorconfigurations',
      'postgresteams',
    ]);
    for (const r of WATCHED_RESOURCES) expect(r.verbs).toEqual(['get', 'list', 'watch']);
  });

  describe.each(KUSTOMIZATIONS)('%s', (dir) => {
    const objects = () => render(dir);
    const deployment = () => find<IDeployment>(objects(), 'Deployment', 'acid-guard-webhook');
    const account = () => ({
      name: deployment().spec?.template.spec?.serviceAccountName ?? 'default',
      namespace: deployment().metadata?.namespace ?? '',
    });
    const settings = () => {
      const cluster = readConfig(deployment().spec?.template.spec?.containers[0]?.args ?? [], {}).cluster;
      if (cluster === undefined) throw new Error('the Deployment does not run with --cluster');
      return cluster;
    };

    it('grants exactly what the webhook reads with the settings its arguments give', () => {
      const namespaces = { operator: settings().operatorNamespace, webhook: account().namespace };
      expect(granted(objects(), account()).sort()).toEqual(
        needed(watchedResources(settings()), namespaces).sort(),
      );
    });

    it('uses the reference settings of WATCHED_RESOURCES, and grants exactly WATCHED_RESOURCES', () => {
      expect(settings()).toEqual(REFERENCE_SETTINGS);
      const namespaces = { operator: REFERENCE_SETTINGS.operatorNamespace, webhook: account().namespace };
      expect(granted(objects(), account()).sort()).toEqual(needed(WATCHED_RESOURCES, namespaces).sort());
    });

    it('grants nothing to anybody else, and no wildcard', () => {
      for (const binding of [
        ...findAll<IClusterRoleBinding>(objects(), 'ClusterRoleBinding'),
        ...findAll<IRoleBinding>(objects(), 'RoleBinding'),
      ]) {
        expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', ...account() }]);
      }
      for (const role of [
        ...findAll<IRole>(objects(), 'Role'),
        ...findAll<IClusterRole>(objects(), 'ClusterRole'),
      ]) {
        for (const rule of role.rules ?? []) {
          expect([...(rule.apiGroups ?? []), ...(rule.resources ?? []), ...rule.verbs]).not.toContain('*');
        }
      }
    });
  });

  it('stays exact with the documented recipe for an operator in another namespace (docs/webhook.md)', () => {
    const docs = readFileSync(join(ROOT, 'docs/webhook.md'), 'utf8');
    const from = docs.indexOf('**The operator in another namespace.**');
    const block = /```yaml\n([\s\S]*?)```/.exec(docs.slice(from))?.[1];
    expect(from).toBeGreaterThan(0);
    expect(block).toMatch(/^patches:/);
    const folder = mkdtempSync(join(tmpdir(), 'acid-guard-overlay-'));
    try {
      writeFileSync(
        join(folder, 'kustomization.yaml'),
        `resources:\n  - ${relative(folder, join(ROOT, 'deploy/base'))}\n${block}`,
      );
      const objects = render(relative(ROOT, folder));
      const deployment = find<IDeployment>(objects, 'Deployment', 'acid-guard-webhook');
      const cluster = readConfig(deployment.spec?.template.spec?.containers[0]?.args ?? [], {}).cluster;
      expect(cluster?.operatorNamespace).toBe('default');
      const account = { name: 'acid-guard-webhook', namespace: deployment.metadata?.namespace ?? '' };
      const namespaces = { operator: 'default', webhook: account.namespace };
      expect(granted(objects, account).sort()).toEqual(
        needed(cluster === undefined ? [] : watchedResources(cluster), namespaces).sort(),
      );
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('notices a grant too many and one too few', () => {
    const objects = structuredClone(render('deploy/base'));
    const role = find<IRole>(objects, 'Role', 'acid-guard-webhook-operator');
    const account = { name: 'acid-guard-webhook', namespace: 'acid-guard' };
    const namespaces = { operator: 'postgres-operator', webhook: 'acid-guard' };
    role.rules?.push({ apiGroups: [''], resources: ['secrets'], verbs: ['get'] });
    role.rules?.splice(0, 1);
    const want = needed(WATCHED_RESOURCES, namespaces);
    const have = granted(objects, account);
    expect(have.filter((g) => !want.includes(g))).toEqual(['postgres-operator core secrets get']);
    expect(want.filter((g) => !have.includes(g))).toEqual([
      'postgres-operator apps deployments get [postgres-operator]',
      'postgres-operator apps deployments list [postgres-operator]',
      'postgres-operator apps deployments watch [postgres-operator]',
    ]);
  });
});
