/**
 * Prometheus metrics (prom-client), in a registry of their own so that several servers can live in
 * one process (tests). Names follow controller-runtime's webhook metrics where they overlap. The hot
 * path counts in plain numbers where it can, and prom-client reads them when scraped.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

const PREFIX = 'acid_guard_webhook_';
const ROUTES = ['validate', 'mutate'] as const;

export type Route = (typeof ROUTES)[number];

/** Where a rejected policy change came from (`acid_guard_webhook_policy_errors_total{source}`). */
export const POLICY_ERROR_SOURCES = [
  'deployment',
  'operator-config',
  'postgresteam',
  'defaults',
  'crd',
] as const;
export type PolicyErrorSource = (typeof POLICY_ERROR_SOURCES)[number];

/** Where the postgresql schema in use comes from (`acid_guard_webhook_schema_source{source}`). */
export const SCHEMA_SOURCES = ['cluster', 'builtin'] as const;
export type SchemaSource = (typeof SCHEMA_SOURCES)[number];

export class WebhookMetrics {
  readonly registry = new Registry();
  readonly #requests: Counter<'route' | 'operation' | 'result'>;
  readonly #handlerErrors: Counter<'route'>;
  readonly #policyReloads: Counter<'result'>;
  readonly #policyErrors: Counter<'source'>;
  readonly #watchRestarts: Counter<'resource' | 'reason'>;
  readonly #certificateReloads: Counter<'result'>;
  readonly #certificateExpiry: Gauge;
  readonly #schemaSource: Gauge<'source'>;
  /** prom-client hashes label values on every call; the hot path keeps the children it needs. */
  readonly #durations: Record<Route, Histogram.Internal<'route'>>;
  readonly #requestChildren = new Map<string, Counter.Internal>();
  readonly #inFlight: Record<Route, number> = { validate: 0, mutate: 0 };
  readonly #cacheLookups = { hit: 0, miss: 0 };
  #policyLoadedAt: Date | undefined;

  constructor(options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.#requests = new Counter({
      name: `${PREFIX}requests_total`,
      help: 'Admission requests answered, by route, operation and result (allowed, denied, patched, bypassed, skipped, invalid, unavailable, error).',
      labelNames: ['route', 'operation', 'result'],
      registers,
    });
    const duration = new Histogram({
      name: `${PREFIX}request_duration_seconds`,
      help: 'Time from receiving an admission request (body parsed) to answering it, by route.',
      labelNames: ['route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.#durations = { validate: duration.labels('validate'), mutate: duration.labels('mutate') };
    const inFlight = this.#inFlight;
    new Gauge({
      name: `${PREFIX}requests_in_flight`,
      help: 'Admission requests being handled, by route.',
      labelNames: ['route'],
      registers,
      collect() {
        for (const route of ROUTES) this.labels(route).set(inFlight[route]);
      },
    });
    this.#handlerErrors = new Counter({
      name: `${PREFIX}handler_errors_total`,
      help: 'Exceptions in request handlers, answered with HTTP 500, by route.',
      labelNames: ['route'],
      registers,
    });
    this.#policyReloads = new Counter({
      name: `${PREFIX}policy_reloads_total`,
      help: 'Policy reloads after the first load, by result (success: the new policy is used; failure: the old one is kept).',
      labelNames: ['result'],
      registers,
    });
    this.#policyErrors = new Counter({
      name: `${PREFIX}policy_errors_total`,
      help: 'Cluster objects that could not be used as policy (the last good policy stays), by source (deployment, operator-config, postgresteam, defaults, crd).',
      labelNames: ['source'],
      registers,
    });
    this.#watchRestarts = new Counter({
      name: `${PREFIX}watch_restarts_total`,
      help: 'Lists and watches of the API server restarted, by resource and reason (gone: resourceVersion expired, listed again; dropped: connection lost or watch ended by an error; error: a list failed).',
      labelNames: ['resource', 'reason'],
      registers,
    });
    this.#schemaSource = new Gauge({
      name: `${PREFIX}schema_source`,
      help: 'Where the postgresql schema requests are judged with comes from: 1 for the source in use (cluster: the live CRD postgresqls.acid.zalan.do; builtin: the built-in schema, because the CRD cannot be read or used), 0 for the other. Set with --cluster only.',
      labelNames: ['source'],
      registers,
    });
    const policyLoadedAt = () => this.#policyLoadedAt;
    new Gauge({
      name: `${PREFIX}policy_age_seconds`,
      help: 'Seconds since the policy in use was loaded; absent before the first load.',
      registers,
      collect() {
        const loadedAt = policyLoadedAt();
        if (loadedAt === undefined) this.reset();
        else this.set((Date.now() - loadedAt.getTime()) / 1000);
      },
    });
    this.#certificateReloads = new Counter({
      name: `${PREFIX}certificate_reloads_total`,
      help: 'Serving certificate reloads after a file change, by result (failure: the old certificate is kept).',
      labelNames: ['result'],
      registers,
    });
    this.#certificateExpiry = new Gauge({
      name: `${PREFIX}certificate_expiry_timestamp_seconds`,
      help: 'When the serving certificate in use expires (Unix seconds).',
      registers,
    });
    const cacheLookups = this.#cacheLookups;
    new Counter({
      name: `${PREFIX}verdict_cache_requests_total`,
      help: 'Verdict cache look-ups, by result (hit, miss).',
      labelNames: ['result'],
      registers,
      collect() {
        // Counted in plain numbers; each scrape moves what was counted since the last one over.
        for (const result of ['hit', 'miss'] as const) {
          this.labels(result).inc(cacheLookups[result]);
          cacheLookups[result] = 0;
        }
      },
    });
    for (const route of ROUTES) this.#handlerErrors.labels(route).inc(0);
    for (const source of POLICY_ERROR_SOURCES) this.#policyErrors.labels(source).inc(0);
    for (const result of ['success', 'failure']) {
      this.#policyReloads.labels(result).inc(0);
      this.#certificateReloads.labels(result).inc(0);
    }
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** Counts a request in flight; the returned function records its end and returns its duration (ms). */
  started(route: Route): (operation: string, result: string) => number {
    const begin = performance.now();
    this.#inFlight[route]++;
    return (operation, result) => {
      const milliseconds = performance.now() - begin;
      this.#inFlight[route]--;
      this.#requestCounter(route, operation, result).inc();
      this.#durations[route].observe(milliseconds / 1000);
      return milliseconds;
    };
  }

  #requestCounter(route: Route, operation: string, result: string): Counter.Internal {
    const key = `${route} ${operation} ${result}`;
    let child = this.#requestChildren.get(key);
    if (child === undefined) {
      child = this.#requests.labels(route, operation, result);
      this.#requestChildren.set(key, child);
    }
    return child;
  }

  /** Counts a request refused before its handler ran (bad content type, too large, not JSON). */
  refused(route: Route, result: 'invalid' | 'error'): void {
    this.#requestCounter(route, 'unknown', result).inc();
  }

  handlerError(route: Route): void {
    this.#handlerErrors.labels(route).inc();
  }

  cacheLookup(hit: boolean): void {
    this.#cacheLookups[hit ? 'hit' : 'miss']++;
  }

  policyLoaded(loadedAt: Date): void {
    this.#policyLoadedAt = loadedAt;
  }

  policyReload(result: 'success' | 'failure'): void {
    this.#policyReloads.labels(result).inc();
  }

  /** A cluster object rejected as policy: the last good policy stays in use. */
  policyError(source: PolicyErrorSource): void {
    this.#policyErrors.labels(source).inc();
  }

  /** The schema in use now comes from `source` (`--cluster`: the live CRD, or the built-in fallback). */
  schemaSource(source: SchemaSource): void {
    for (const each of SCHEMA_SOURCES) this.#schemaSource.labels(each).set(each === source ? 1 : 0);
  }

  /** A list or watch of the API server that had to start over. */
  watchRestart(resource: string, reason: 'gone' | 'dropped' | 'error'): void {
    this.#watchRestarts.labels(resource, reason).inc();
  }

  certificateLoaded(notAfter: Date): void {
    this.#certificateExpiry.set(notAfter.getTime() / 1000);
  }

  certificateReload(result: 'success' | 'failure'): void {
    this.#certificateReloads.labels(result).inc();
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
