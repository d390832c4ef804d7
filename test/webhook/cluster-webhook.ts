/**
 * A real HTTPS webhook whose policy comes from the fake API server (test/support/fake-api-server.ts),
 * for the cluster suites. Not awaited: readiness is part of what they test.
 */
import { createWebhook, type Webhook } from '../../webhook/src/app.js';
import { ClusterPolicySource } from '../../webhook/src/cluster/cluster-policy-source.js';
import type { ClusterSettings } from '../../webhook/src/cluster/cluster-settings.js';
import { createDevCertificate } from '../../webhook/src/dev-certificate.js';
import { WebhookMetrics } from '../../webhook/src/metrics.js';
import { servingCertificate } from '../../webhook/src/tls.js';
import { OPERATOR_NAMESPACE } from '../cluster/fixtures.js';
import { eventually } from '../support/fake-api-server.js';
import { decodePatch, LogCapture, review, send } from './harness.js';

export interface ClusterWebhook {
  webhook: Webhook;
  source: ClusterPolicySource;
  logs: LogCapture;
  metrics: WebhookMetrics;
  port: number;
  ca: string;
  /** Resolves when the webhook is ready (the first snapshot). */
  started: Promise<unknown>;
  validate(object: unknown): Promise<AdmissionAnswer>;
  mutate(object: unknown): Promise<AdmissionAnswer>;
  get(path: string): Promise<{ status: number; body: Record<string, unknown> }>;
  metric(name: string, labels: string): Promise<number | undefined>;
}

export interface AdmissionAnswer {
  status: number;
  allowed?: boolean;
  warnings: string[];
  message?: string;
  patch: unknown[];
}

/** Starts one; `running` collects it for the suite's afterEach to shut down. */
export async function startClusterWebhook(
  kubeconfig: string,
  running: Webhook[],
  settings: Partial<ClusterSettings> = {},
): Promise<ClusterWebhook> {
  const metrics = new WebhookMetrics({ processMetrics: false });
  const logs = new LogCapture();
  const source = new ClusterPolicySource(
    { operatorNamespace: OPERATOR_NAMESPACE, teamsNamespaces: [], kubeconfig, ...settings },
    {
      metrics,
      env: {},
      informers: { backoff: { initialMs: 20, maxMs: 200 }, watchTimeoutSeconds: () => 60 },
    },
  );
  const certificate = createDevCertificate();
  const webhook = createWebhook({
    certificate: servingCertificate(certificate.cert, certificate.key),
    policySource: source,
    logger: { level: 'info', stream: logs },
    metrics,
    cacheSize: 100,
  });
  source.useLogger(webhook.fastify.log);
  running.push(webhook);
  const started = webhook.start({ host: '127.0.0.1', port: 0 });
  started.catch(() => {});
  const port = await eventually(() => {
    const address = webhook.server.address();
    return address !== null && typeof address === 'object' ? address.port : undefined;
  }, 'the webhook to listen');
  const ca = certificate.cert;
  const admit = async (path: string, object: unknown): Promise<AdmissionAnswer> => {
    const reply = await send('http1', port, path, { ca, body: JSON.stringify(review({ object })) });
    if (reply.status !== 200) return { status: reply.status, warnings: [], patch: [] };
    const response = reply.json<{
      response: {
        allowed: boolean;
        warnings?: string[];
        status?: { message?: string };
        patch?: string;
        patchType?: string;
      };
    }>().response;
    return {
      status: reply.status,
      allowed: response.allowed,
      warnings: response.warnings ?? [],
      ...(response.status?.message !== undefined && { message: response.status.message }),
      patch: decodePatch(response),
    };
  };
  return {
    webhook,
    source,
    logs,
    metrics,
    port,
    ca,
    started,
    validate: (object) => admit('/validate', object),
    mutate: (object) => admit('/mutate', object),
    get: async (path) => {
      const reply = await send('http1', port, path, { ca });
      return { status: reply.status, body: reply.text.startsWith('{') ? reply.json() : {} };
    },
    metric: async (name, labels) => {
      const text = await metrics.text();
      const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
      return line === undefined ? undefined : Number(line.split(' ').at(-1));
    },
  };
}
