/**
 * deploy/components/monitoring (through deploy/overlays/monitoring): the ServiceMonitor scrapes the
 * Service the webhook runs behind, over TLS checked against its own CA, and every alert reads metrics
 * that exist — the webhook's own, as its registry names them, and two of the API server's. Neither
 * schema package has the Prometheus Operator's kinds, so their fields are checked here by hand.
 */
import type { ICertificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate';
import type { IValidatingWebhookConfiguration } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration';
import type { IService } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { WebhookMetrics } from '../../webhook/src/metrics.js';
import { find, type KubernetesObject, kubectlMissing, render } from './kustomize.js';

const missing = kubectlMissing();
if (missing !== undefined) console.warn(`test/deploy: skipping the monitoring checks: ${missing}`);

interface ServiceMonitor extends KubernetesObject {
  spec: {
    selector: { matchLabels: Record<string, string> };
    endpoints: {
      port: string;
      scheme: string;
      path: string;
      interval: string;
      tlsConfig: { serverName: string; ca: { secret: { name: string; key: string } } };
    }[];
  };
}

interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

interface PrometheusRule extends KubernetesObject {
  spec: { groups: { name: string; rules: AlertRule[] }[] };
}

/** The API server's admission metrics the alerts read (kube-apiserver, alpha but long-standing). */
const API_SERVER_METRICS = [
  'apiserver_admission_webhook_rejection_count',
  'apiserver_admission_webhook_fail_open_count',
];
/** kube-state-metrics: whether the Deployment has ready replicas, which `up` cannot tell. */
const KUBE_STATE_METRICS = ['kube_deployment_status_replicas_available'];

/** Metric names a PromQL expression selects: an identifier followed by a label matcher or a range. */
function selectedMetrics(expr: string): string[] {
  return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?=\{|\[)/g)].map((m) => m[1] ?? '');
}

/** Names as Prometheus stores them: histograms as _bucket, _sum and _count series. */
async function exportedMetrics(): Promise<Set<string>> {
  const metrics = new WebhookMetrics();
  const names = new Set<string>();
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    if (String(metric.type) === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(metric.name + suffix);
    else names.add(metric.name);
  }
  return names;
}

/** Keys of an object that are not in the list: what a misspelt field looks like. */
const unknownKeys = (value: object, known: readonly string[]): string[] =>
  Object.keys(value).filter((key) => !known.includes(key));

describe.skipIf(missing !== undefined)('deploy/overlays/monitoring', () => {
  const objects = () => render('deploy/overlays/monitoring');
  const monitor = () => find<ServiceMonitor>(objects(), 'ServiceMonitor');
  const rules = () => find<PrometheusRule>(objects(), 'PrometheusRule').spec.groups.flatMap((g) => g.rules);
  const service = () => find<IService>(objects(), 'Service', 'acid-guard-webhook');

  it('adds a ServiceMonitor and a PrometheusRule of monitoring.coreos.com/v1, with known fields only', () => {
    const added = objects().filter((o) => o.apiVersion.startsWith('monitoring.coreos.com/'));
    expect(added.map((o) => `${o.apiVersion}/${o.kind}`).sort()).toEqual([
      'monitoring.coreos.com/v1/PrometheusRule',
      'monitoring.coreos.com/v1/ServiceMonitor',
    ]);
    const { spec } = monitor();
    expect(unknownKeys(spec, ['selector', 'endpoints'])).toEqual([]);
    for (const endpoint of spec.endpoints) {
      expect(unknownKeys(endpoint, ['port', 'scheme', 'path', 'interval', 'tlsConfig'])).toEqual([]);
      expect(unknownKeys(endpoint.tlsConfig, ['serverName', 'ca'])).toEqual([]);
      expect(unknownKeys(endpoint.tlsConfig.ca, ['secret'])).toEqual([]);
      expect(endpoint.interval).toMatch(/^\d+[smh]$/);
    }
    for (const group of find<PrometheusRule>(objects(), 'PrometheusRule').spec.groups) {
      expect(unknownKeys(group, ['name', 'rules'])).toEqual([]);
      for (const rule of group.rules) {
        expect(unknownKeys(rule, ['alert', 'expr', 'for', 'labels', 'annotations']), rule.alert).toEqual([]);
      }
    }
  });

  it("scrapes the webhook's Service on its HTTPS port, checking the certificate against the webhook's CA", () => {
    const { spec, metadata } = monitor();
    const svc = service();
    expect(metadata.namespace).toBe(svc.metadata?.namespace);
    expect(Object.entries(spec.selector.matchLabels).every(([k, v]) => svc.metadata?.labels?.[k] === v)).toBe(
      true,
    );
    const [endpoint] = spec.endpoints;
    expect(svc.spec?.ports?.map((p) => p.name)).toContain(endpoint?.port);
    expect(endpoint?.scheme).toBe('https');
    expect(endpoint?.path).toBe('/metrics');
    const certificate = find<ICertificate>(objects(), 'Certificate', 'acid-guard-webhook');
    expect(endpoint?.tlsConfig.ca.secret).toEqual({ name: certificate.spec.secretName, key: 'ca.crt' });
    expect(certificate.spec.dnsNames).toContain(endpoint?.tlsConfig.serverName);
  });

  it('names each alert once, with a severity, a summary, a description and a sane duration', () => {
    const names = rules().map((r) => r.alert);
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBeGreaterThanOrEqual(6);
    for (const rule of rules()) {
      expect(rule.alert).toMatch(/^AcidGuardWebhook[A-Z][A-Za-z]+$/);
      expect(['critical', 'warning']).toContain(rule.labels.severity);
      expect(rule.annotations.summary, rule.alert).toMatch(/\S/);
      expect(rule.annotations.description, rule.alert).toMatch(/\S/);
      if (rule.for !== undefined) expect(rule.for).toMatch(/^\d+[smh]$/);
    }
    expect(rules().find((r) => r.alert === 'AcidGuardWebhookDown')?.labels.severity).toBe('critical');
  });

  it('reads only metrics the webhook exports, up, two of the API server and one of kube-state-metrics', async () => {
    const exported = await exportedMetrics();
    const known = new Set([...exported, 'up', ...API_SERVER_METRICS, ...KUBE_STATE_METRICS]);
    const used = rules().flatMap((r) => selectedMetrics(r.expr));
    expect(used.filter((name) => !known.has(name))).toEqual([]);
    expect(used.filter((name) => exported.has(name)).length).toBeGreaterThanOrEqual(5);
    // The check itself: a misspelt name is caught.
    expect(
      selectedMetrics('rate(acid_guard_webhook_request_total{job="x"}[5m])').filter((n) => !known.has(n)),
    ).toEqual(['acid_guard_webhook_request_total']);
  });

  it("selects the ServiceMonitor's job (the Service's name) and the webhooks by their names", () => {
    const jobs = new Set(rules().flatMap((r) => [...r.expr.matchAll(/job="([^"]*)"/g)].map((m) => m[1])));
    expect([...jobs]).toEqual([service().metadata?.name]);
    // kube-state-metrics names the Deployment by namespace and name.
    const deployment = find<KubernetesObject>(objects(), 'Deployment', 'acid-guard-webhook');
    for (const rule of rules().filter((r) => KUBE_STATE_METRICS.some((m) => r.expr.includes(m)))) {
      expect(rule.expr).toContain(`namespace="${deployment.metadata.namespace}"`);
      expect(rule.expr).toContain(`deployment="${deployment.metadata.name}"`);
    }
    const names = (['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'] as const).flatMap(
      (kind) => (find<IValidatingWebhookConfiguration>(objects(), kind).webhooks ?? []).map((w) => w.name),
    );
    const apiServerRules = rules().filter((r) => API_SERVER_METRICS.some((m) => r.expr.includes(m)));
    expect(apiServerRules.length).toBe(2);
    for (const rule of apiServerRules) {
      const literal = /name=~"((?:[^"\\]|\\.)*)"/.exec(rule.expr)?.[1];
      expect(literal, rule.alert).toBeDefined();
      // PromQL unescapes the string, then anchors the regular expression at both ends.
      const pattern = new RegExp(`^(?:${(literal ?? '').replace(/\\\\/g, '\\')})$`);
      for (const name of names) expect(pattern.test(name), `${rule.alert} ${name}`).toBe(true);
      expect(pattern.test('validate.acid-guard.iox')).toBe(false);
    }
  });
});
