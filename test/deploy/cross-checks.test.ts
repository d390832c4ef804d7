/**
 * The rendered objects agree with each other and with the code they deploy: selectors and labels,
 * the webhook registrations and the Service and server routes, the certificate and the names the API
 * server dials, the arguments and the webhook's flags, the shutdown timings, the CRD.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ICertificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate';
import type { IIssuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer';
import type { IMutatingWebhookConfiguration } from 'kubernetes-models/admissionregistration.k8s.io/v1/MutatingWebhookConfiguration';
import type { IValidatingWebhookConfiguration } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import type { IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { IService } from 'kubernetes-models/v1/Service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RESOURCES } from '../../packages/validator/src/generated/resources.js';
import { loadDefaultsPolicy } from '../../packages/validator/src/index.js';
import { createWebhook, type Webhook } from '../../webhook/src/app.js';
import { readConfig } from '../../webhook/src/config.js';
import { createDevCertificate } from '../../webhook/src/dev-certificate.js';
import { StaticPolicySource } from '../../webhook/src/policy-source.js';
import { servingCertificate } from '../../webhook/src/tls.js';
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
if (missing !== undefined) console.warn(`test/deploy: skipping the cross-checks: ${missing}`);

type WebhookEntry = NonNullable<IValidatingWebhookConfiguration['webhooks']>[number];
type LabelSelector = { matchLabels?: Record<string, string> };

/** Whether a plain matchLabels selector (the only form deploy/ uses) selects these labels. */
function selects(selector: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  const wanted = Object.entries(selector?.matchLabels ?? {});
  return wanted.length > 0 && wanted.every(([key, value]) => labels?.[key] === value);
}

/** The process's own hard stop after SIGTERM, beyond delay and timeout (webhook/src/main.ts). */
function lastWordMs(): number {
  const main = readFileSync(join(ROOT, 'webhook/src/main.ts'), 'utf8');
  const match = /config\.shutdownDelayMs \+ config\.shutdownTimeoutMs \+ (\d[\d_]*)/.exec(main);
  if (!match) throw new Error('webhook/src/main.ts no longer ends the process at delay + timeout + N ms');
  return Number((match[1] ?? '').replaceAll('_', ''));
}

const UPSTREAM_CRD = join(ROOT, '..', 'shared', 'reference', 'postgresql.crd.yaml');

let server: Webhook | undefined;

beforeAll(async () => {
  const certificate = createDevCertificate();
  server = createWebhook({
    certificate: servingCertificate(certificate.cert, certificate.key),
    policySource: new StaticPolicySource(),
    logger: false,
  });
  await server.fastify.ready();
});

afterAll(async () => {
  await server?.fastify.close();
});

const serves = (method: 'GET' | 'POST', url: string): boolean =>
  server?.fastify.hasRoute({ method, url }) === true;

describe.skipIf(missing !== undefined).each(KUSTOMIZATIONS)('%s', (dir) => {
  const objects = (): KubernetesObject[] => render(dir);
  const deployment = () => find<IDeployment>(objects(), 'Deployment', 'acid-guard-webhook');
  const pod = () => {
    const spec = deployment().spec?.template.spec;
    if (spec === undefined) throw new Error('the Deployment has no pod spec');
    return spec;
  };
  const container = () => {
    const first = pod().containers[0];
    if (first === undefined || pod().containers.length !== 1) throw new Error('expected one container');
    return first;
  };
  const service = () => find<IService>(objects(), 'Service', 'acid-guard-webhook');
  const webhooks = (): { kind: string; webhook: WebhookEntry; annotations: Record<string, string> }[] =>
    (['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'] as const).flatMap((kind) => {
      const configuration = find<IMutatingWebhookConfiguration | IValidatingWebhookConfiguration>(
        objects(),
        kind,
      );
      return (configuration.webhooks ?? []).map((webhook) => ({
        kind,
        webhook: webhook as WebhookEntry,
        annotations: configuration.metadata?.annotations ?? {},
      }));
    });
  const config = () => readConfig(container().args ?? [], {});
  const servingCert = () => {
    const [namespace, name] = (webhooks()[0]?.annotations['cert-manager.io/inject-ca-from'] ?? '').split('/');
    const certificate = find<ICertificate>(objects(), 'Certificate', name);
    expect(certificate.metadata?.namespace).toBe(namespace);
    return certificate;
  };

  it('selects the webhook pods from the Deployment, Service, PodDisruptionBudget, NetworkPolicy and spread constraints', () => {
    const labels = deployment().spec?.template.metadata?.labels;
    expect(selects(deployment().spec?.selector, labels)).toBe(true);
    expect(selects({ matchLabels: service().spec?.selector }, labels)).toBe(true);
    expect(selects(find<IPodDisruptionBudget>(objects(), 'PodDisruptionBudget').spec?.selector, labels)).toBe(
      true,
    );
    expect(selects(find<INetworkPolicy>(objects(), 'NetworkPolicy').spec?.podSelector, labels)).toBe(true);
    for (const constraint of pod().topologySpreadConstraints ?? []) {
      expect(selects(constraint.labelSelector, labels)).toBe(true);
    }
    // All in one namespace.
    const namespace = deployment().metadata?.namespace;
    for (const kind of ['Service', 'PodDisruptionBudget', 'NetworkPolicy', 'ServiceAccount']) {
      expect(find<KubernetesObject>(objects(), kind).metadata.namespace, kind).toBe(namespace);
    }
  });

  it("sends the Service's port 443 to the container's HTTPS port, which the webhook listens on", () => {
    const [port] = service().spec?.ports ?? [];
    expect(port?.port).toBe(443);
    const containerPort = container().ports?.find((p) => p.name === port?.targetPort);
    expect(containerPort, `a container port named ${port?.targetPort}`).toBeDefined();
    expect(config().port).toBe(containerPort?.containerPort);
    const ingress = find<INetworkPolicy>(objects(), 'NetworkPolicy').spec?.ingress ?? [];
    expect(ingress.flatMap((rule) => rule.ports ?? []).map((p) => p.port)).toEqual([port?.targetPort]);
  });

  it('registers webhooks that call the Service, on its namespace, port and the routes the server serves', () => {
    expect(
      webhooks()
        .map((w) => `${w.kind}:${w.webhook.clientConfig.service?.path}`)
        .sort(),
    ).toEqual(['MutatingWebhookConfiguration:/mutate', 'ValidatingWebhookConfiguration:/validate']);
    for (const { webhook } of webhooks()) {
      const target = webhook.clientConfig.service;
      expect(webhook.clientConfig.url).toBeUndefined();
      expect(target?.name).toBe(service().metadata?.name);
      expect(target?.namespace).toBe(service().metadata?.namespace);
      expect(target?.port).toBe(service().spec?.ports?.[0]?.port);
      expect(serves('POST', target?.path ?? '')).toBe(true);
    }
    expect(serves('POST', '/nowhere')).toBe(false);
  });

  it("probes the server's health routes over HTTPS on the container's port", () => {
    const { readinessProbe, livenessProbe } = container();
    expect(readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(livenessProbe?.httpGet?.path).toBe('/healthz');
    for (const probe of [readinessProbe, livenessProbe]) {
      expect(probe?.httpGet?.scheme).toBe('HTTPS');
      expect(probe?.httpGet?.port).toBe(service().spec?.ports?.[0]?.targetPort);
      expect(serves('GET', probe?.httpGet?.path ?? '')).toBe(true);
    }
  });

  it('issues the serving certificate for <service>.<namespace>.svc and mounts it where --tls-cert and --tls-key read', () => {
    const certificate = servingCert();
    const svc = service();
    expect(certificate.spec.dnsNames).toContain(`${svc.metadata?.name}.${svc.metadata?.namespace}.svc`);
    expect(certificate.metadata?.namespace).toBe(svc.metadata?.namespace);
    const { tlsCert, tlsKey } = config();
    expect(dirname(tlsCert ?? '')).toBe(dirname(tlsKey ?? ''));
    expect([basename(tlsCert ?? ''), basename(tlsKey ?? '')]).toEqual(['tls.crt', 'tls.key']);
    const mount = container().volumeMounts?.find((m) => m.mountPath === dirname(tlsCert ?? ''));
    const volume = pod().volumes?.find((v) => v.name === mount?.name);
    expect(volume?.secret?.secretName).toBe(certificate.spec.secretName);
  });

  it('injects the CA of the serving certificate, which a CA issuer signs with a self-signed CA', () => {
    const annotations = new Set(webhooks().map((w) => w.annotations['cert-manager.io/inject-ca-from']));
    expect(annotations.size).toBe(1);
    const certificate = servingCert();
    const caIssuer = find<IIssuer>(objects(), 'Issuer', certificate.spec.issuerRef.name);
    expect(certificate.spec.issuerRef.kind ?? 'Issuer').toBe('Issuer');
    const caCertificate = findAll<ICertificate>(objects(), 'Certificate').find(
      (c) => c.spec.secretName === caIssuer.spec.ca?.secretName,
    );
    expect(caCertificate?.spec.isCA).toBe(true);
    const root = find<IIssuer>(objects(), 'Issuer', caCertificate?.spec.issuerRef.name);
    expect(root.spec.selfSigned).toBeDefined();
    // Leaf renewals keep the injected CA: the CA outlives the leaf by far.
    const hours = (duration: string | undefined) => Number(/^(\d+)h$/.exec(duration ?? '')?.[1]);
    expect(hours(caCertificate?.spec.duration)).toBeGreaterThan(10 * hours(certificate.spec.duration));
    expect(hours(certificate.spec.renewBefore)).toBeLessThan(hours(certificate.spec.duration));
  });

  it("matches the postgresql CRD's group, version and plural, and never its status", () => {
    const crd = RESOURCES.postgresql;
    for (const { webhook } of webhooks()) {
      expect(webhook.rules).toEqual([
        expect.objectContaining({
          apiGroups: [crd.group],
          apiVersions: [crd.version],
          resources: [crd.plural],
          scope: 'Namespaced',
        }),
      ]);
    }
  });

  it.skipIf(!existsSync(UPSTREAM_CRD))("matches the operator's own CRD file", () => {
    const upstream = parse(readFileSync(UPSTREAM_CRD, 'utf8')) as {
      spec: {
        group: string;
        scope: string;
        names: { plural: string };
        versions: { name: string; served: boolean }[];
      };
    };
    for (const { webhook } of webhooks()) {
      const [rule] = webhook.rules ?? [];
      expect(rule?.apiGroups).toEqual([upstream.spec.group]);
      expect(rule?.resources).toEqual([upstream.spec.names.plural]);
      expect(upstream.spec.versions.filter((v) => v.served).map((v) => v.name)).toEqual(rule?.apiVersions);
      expect(rule?.scope).toBe(upstream.spec.scope);
    }
  });

  it('asks for CREATE and UPDATE to mutate, and DELETE too to validate', () => {
    const operations = Object.fromEntries(webhooks().map((w) => [w.kind, w.webhook.rules?.[0]?.operations]));
    expect(operations).toEqual({
      MutatingWebhookConfiguration: ['CREATE', 'UPDATE'],
      ValidatingWebhookConfiguration: ['CREATE', 'UPDATE', 'DELETE'],
    });
  });

  it('declares no side effects, review version v1, Equivalent matching and an explicit timeout', () => {
    for (const { webhook } of webhooks()) {
      expect(webhook.sideEffects).toBe('None');
      expect(webhook.admissionReviewVersions).toEqual(['v1']);
      expect(webhook.matchPolicy).toBe('Equivalent');
      expect(webhook.timeoutSeconds).toBeGreaterThanOrEqual(1);
      expect(webhook.timeoutSeconds).toBeLessThanOrEqual(10);
    }
  });

  it("leaves kube-system and the webhook's own namespace out", () => {
    const own = service().metadata?.namespace;
    for (const { webhook } of webhooks()) {
      expect(webhook.namespaceSelector?.matchExpressions).toContainEqual({
        key: 'kubernetes.io/metadata.name',
        operator: 'NotIn',
        values: expect.arrayContaining(['kube-system', own]),
      });
    }
  });

  it(`fails ${dir.endsWith('fail-open') ? 'open' : 'closed'} when validating, and open when mutating`, () => {
    const policies = Object.fromEntries(webhooks().map((w) => [w.kind, w.webhook.failurePolicy]));
    expect(policies).toEqual({
      MutatingWebhookConfiguration: 'Ignore',
      ValidatingWebhookConfiguration: dir.endsWith('fail-open') ? 'Ignore' : 'Fail',
    });
  });

  it('passes the webhook flags it accepts: the policy from the cluster, no development mode, no bypass', () => {
    expect(() => config()).not.toThrow();
    expect(config().cluster).toBeDefined();
    expect(config().dev).toBe(false);
    expect(config().allowBypass).toBe(false);
  });

  it('reads a valid defaults policy from the ConfigMap --defaults-configmap names, in its own namespace', () => {
    const defaults = config().cluster?.defaults;
    expect(defaults).toBeDefined();
    // No namespace in the flag: POD_NAMESPACE, which the Deployment takes from the pod's own.
    expect(defaults?.namespace).toBeUndefined();
    const podNamespace = container().env?.find((e) => e.name === 'POD_NAMESPACE');
    expect(podNamespace?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.namespace');
    const configMap = find<IConfigMap>(objects(), 'ConfigMap', defaults?.name);
    expect(configMap.metadata?.namespace).toBe(deployment().metadata?.namespace);
    const text = configMap.data?.[defaults?.key ?? ''];
    expect(text, `key ${defaults?.key}`).toBeDefined();
    expect(() => loadDefaultsPolicy(text ?? '', 'defaults.yaml')).not.toThrow();
  });

  it("reads the operator's configuration from the operator's namespace, where a Role grants it", () => {
    const operatorNamespace = config().cluster?.operatorNamespace;
    expect(operatorNamespace).toBeDefined();
    const roles = findAll<KubernetesObject>(objects(), 'Role').map((r) => r.metadata.namespace);
    expect(roles).toContain(operatorNamespace);
  });

  it('gives the pod a grace period that covers the preStop pause and the whole graceful shutdown', () => {
    const pause = container().lifecycle?.preStop?.sleep?.seconds ?? 0;
    expect(pause).toBeGreaterThanOrEqual(3);
    const { shutdownDelayMs, shutdownTimeoutMs } = config();
    const needed = pause + (shutdownDelayMs + shutdownTimeoutMs + lastWordMs()) / 1000;
    const grace = pod().terminationGracePeriodSeconds ?? 30;
    expect(grace).toBeGreaterThan(needed);
    expect(grace).toBeLessThanOrEqual(needed + 15); // and not so long that rollouts drag
    // A request in flight can take as long as the API server waits, and no longer.
    const longest = Math.max(...webhooks().map((w) => w.webhook.timeoutSeconds ?? 10));
    expect(shutdownTimeoutMs / 1000).toBeGreaterThanOrEqual(longest);
  });

  it('runs pods the restricted Pod Security Standard admits, in a namespace that enforces it', () => {
    const namespace = find<INamespace>(objects(), 'Namespace', deployment().metadata?.namespace);
    expect(namespace.metadata?.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const podSecurity = pod().securityContext;
    expect(podSecurity?.runAsNonRoot).toBe(true);
    expect(podSecurity?.runAsUser).toBeGreaterThan(0);
    expect(podSecurity?.seccompProfile?.type).toBe('RuntimeDefault');
    const security = container().securityContext;
    expect(security?.readOnlyRootFilesystem).toBe(true);
    expect(security?.allowPrivilegeEscalation).toBe(false);
    expect(security?.privileged).not.toBe(true);
    expect(security?.capabilities).toEqual({ drop: ['ALL'] });
    expect(pod().hostNetwork ?? false).toBe(false);
    for (const volume of pod().volumes ?? []) {
      expect(Object.keys(volume).filter((key) => key !== 'name')[0]).toMatch(/^(secret|configMap|emptyDir)$/);
    }
  });

  it('keeps two replicas on different nodes and one through voluntary disruptions', () => {
    expect(deployment().spec?.replicas).toBeGreaterThanOrEqual(2);
    expect(deployment().spec?.strategy?.rollingUpdate?.maxUnavailable).toBe(0);
    expect(pod().topologySpreadConstraints?.map((c) => c.topologyKey)).toContain('kubernetes.io/hostname');
    expect(find<IPodDisruptionBudget>(objects(), 'PodDisruptionBudget').spec?.minAvailable).toBe(1);
  });

  it('asks for resources, with a heap limit below the memory limit', () => {
    const { requests, limits } = container().resources ?? {};
    expect(requests?.cpu).toBeDefined();
    expect(requests?.memory).toBeDefined();
    const mebibytes = (quantity: string | number | undefined) =>
      Number(/^(\d+)Mi$/.exec(String(quantity))?.[1]);
    const heap = Number(
      /--max-old-space-size=(\d+)/.exec(
        container().env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '',
      )?.[1],
    );
    expect(heap).toBeGreaterThan(0);
    expect(mebibytes(limits?.memory)).toBeGreaterThanOrEqual(heap + 64);
  });

  it("runs the image of the webhook's version", () => {
    const version = JSON.parse(readFileSync(join(ROOT, 'webhook/package.json'), 'utf8')).version as string;
    expect(container().image).toBe(`acid-guard-webhook:${version}`);
  });

  it("binds every role to the pods' service account, read-only", () => {
    const account = pod().serviceAccountName;
    const namespace = deployment().metadata?.namespace;
    const bindings = [
      ...findAll<IClusterRoleBinding>(objects(), 'ClusterRoleBinding'),
      ...findAll<IRoleBinding>(objects(), 'RoleBinding'),
    ];
    expect(bindings.length).toBeGreaterThanOrEqual(2);
    for (const binding of bindings) {
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: account, namespace }]);
      const role = find<{ rules: { verbs: string[] }[] }>(
        objects(),
        binding.roleRef.kind,
        binding.roleRef.name,
      );
      for (const rule of role.rules)
        expect(['get', 'list', 'watch']).toEqual(expect.arrayContaining(rule.verbs));
    }
  });
});
