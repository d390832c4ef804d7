/**
 * The webhook server: fastify on an HTTPS server that speaks HTTP/2 and falls back to HTTP/1.1, the
 * admission routes, health and metrics, certificate hot reload, and a graceful drain.
 */
import http2, {
  type Http2SecureServer,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type ServerHttp2Session,
} from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RouteGenericInterface,
} from 'fastify';
import {
  admissionResponse,
  mutateAdmission,
  skipReason,
  type Verdict,
  validateAdmission,
} from './admission.js';
import { parseBody } from './admission-body.js';
import {
  fillTemplate,
  isReviewProblem,
  readAdmissionReview,
  responseTemplate,
  reviewResponse,
} from './admission-review.js';
import type { FileWatchOptions } from './file-watch.js';
import { type Route, WebhookMetrics } from './metrics.js';
import type { PolicySnapshot, PolicySource } from './policy-source.js';
import {
  type CertificateWatch,
  type ServingCertificate,
  TLS_SETTINGS,
  watchServingCertificate,
} from './tls.js';
import { type CachedVerdict, VerdictCache } from './verdict-cache.js';

/** controller-runtime's limit: two objects of up to 3 MiB each and 1 MiB for the rest. */
export const BODY_LIMIT = 7 * 1024 * 1024;

/** The fastify instance of the webhook: an HTTP/2 secure server that also speaks HTTP/1.1. */
export type WebhookFastify = FastifyInstance<
  Http2SecureServer,
  RawRequestDefaultExpression<Http2SecureServer>,
  RawReplyDefaultExpression<Http2SecureServer>
>;
type Request = FastifyRequest<RouteGenericInterface, Http2SecureServer>;
type Reply = FastifyReply<RouteGenericInterface, Http2SecureServer>;

/** pino options for fastify's logger: `level`, and a `stream` to write to (stdout by default). */
export type LoggerOptions = false | { level: string; stream?: { write(line: string): unknown } };

export interface Timeouts {
  /** Time to receive the request headers (HTTP/1.1). */
  headersMs: number;
  /** Time to receive a whole request (HTTP/1.1), or of inactivity on an HTTP/2 stream. */
  requestMs: number;
  /** Idle time before a connection or HTTP/2 session is closed. */
  idleMs: number;
  /** How often HTTP/1.1 connections are checked against headersMs and requestMs. */
  checkIntervalMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = {
  headersMs: 10_000,
  // The API server gives up after the webhook's timeoutSeconds (at most 30 s).
  requestMs: 30_000,
  idleMs: 90_000,
  checkIntervalMs: 5_000,
};

export interface WebhookOptions {
  certificate: ServingCertificate;
  /** Files to watch for a renewed certificate; without them the certificate stays as it is. */
  certificateFiles?: { cert: string; key: string } & FileWatchOptions;
  policySource: PolicySource;
  /** Honour `acid-guard/bypass` annotations (`--allow-bypass`). */
  allowBypass?: boolean;
  /** Structured JSON logs (pino); info to stdout by default. */
  logger?: LoggerOptions;
  metrics?: WebhookMetrics;
  /** Verdicts kept by content; 0 turns the cache off. */
  cacheSize?: number;
  timeouts?: Partial<Timeouts>;
  /** The clock: tests pass a fixed one. */
  clock?: () => Date;
}

export interface ShutdownOptions {
  /** Keep serving (unready) this long first, so that endpoints drop the pod before the listener closes. */
  delayMs?: number;
  /** Give in-flight requests this long, then close what is left. */
  timeoutMs?: number;
}

type State = 'starting' | 'ready' | 'draining' | 'closed';

const RAW_BODY = 'acidGuardRawBody';
type WithRawBody = { [RAW_BODY]: Buffer | null };

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

const ERROR_NAMES: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

function errorBody(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: ERROR_NAMES[statusCode] ?? 'Error', message };
}

/** Says what fastify's errors before the handler mean for a caller of this webhook. Never echoes the body. */
function clientMessage(error: FastifyError, request: Request): string {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return `content type ${JSON.stringify(request.headers['content-type'] ?? '')} is not supported: send an AdmissionReview as application/json`;
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `the body is larger than ${BODY_LIMIT} bytes (7 MiB), the most an AdmissionReview with two objects needs`;
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'the body is empty: send an AdmissionReview as JSON';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'the body is not valid JSON: send an AdmissionReview as JSON';
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'the body is shorter or longer than its Content-Length';
    default:
      return error.message;
  }
}

export class Webhook {
  readonly fastify: WebhookFastify;
  readonly metrics: WebhookMetrics;
  readonly #options: WebhookOptions;
  readonly #timeouts: Timeouts;
  readonly #clock: () => Date;
  readonly #cache: VerdictCache;
  readonly #sockets = new Set<Socket>();
  readonly #sessions = new Set<ServerHttp2Session>();
  #server: Http2SecureServer | undefined;
  #certificate: ServingCertificate;
  #certificateWatch: CertificateWatch | undefined;
  #state: State = 'starting';
  /** Set once the shutdown delay is over and the listener closes: HTTP/2 sessions get a GOAWAY. */
  #closing = false;
  #shutdown: Promise<{ forced: boolean }> | undefined;

  constructor(options: WebhookOptions) {
    this.#options = options;
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.#clock = options.clock ?? (() => new Date());
    this.#cache = new VerdictCache(options.cacheSize ?? 1000);
    this.#certificate = options.certificate;
    this.metrics = options.metrics ?? new WebhookMetrics();
    this.metrics.certificateLoaded(options.certificate.notAfter);
    this.fastify = Fastify<Http2SecureServer>({
      http2: true,
      // The server is ours (serverFactory); this only tells fastify that it speaks HTTPS.
      https: { allowHTTP1: true },
      serverFactory: (handler) => this.#createServer(handler),
      logger: options.logger ?? { level: 'info' },
      // One line per review from the handler instead of fastify's two per request.
      logController: new LogController({ disableRequestLogging: true }),
      // No child logger per request: the review's own log line names its uid.
      childLoggerFactory: (logger) => logger,
      bodyLimit: BODY_LIMIT,
      // Requests on open connections are still answered while draining (HTTP/1.1 responses then close
      // their connection, HTTP/2 sessions get a GOAWAY): a 503 would fail the API server's call.
      return503OnClosing: false,
      forceCloseConnections: 'idle',
    });
    this.#routes();
    options.policySource.onReload((event) => {
      if ('snapshot' in event) {
        this.metrics.policyReload('success');
        this.metrics.policyLoaded(event.snapshot.loadedAt);
        this.fastify.log.info(
          { sources: event.snapshot.sources, warnings: event.snapshot.warnings },
          'policy reloaded',
        );
      } else {
        this.metrics.policyReload('failure');
        this.fastify.log.error(
          { error: event.error.message },
          'policy reload failed; keeping the policy in use',
        );
      }
    });
  }

  get state(): State {
    return this.#state;
  }

  /** The HTTPS server (available once constructed: fastify creates it at once). */
  get server(): Http2SecureServer {
    if (this.#server === undefined) throw new Error('the server is not created yet');
    return this.#server;
  }

  get certificate(): ServingCertificate {
    return this.#certificate;
  }

  #createServer(
    handler: (request: Http2ServerRequest, response: Http2ServerResponse) => void,
  ): Http2SecureServer {
    const { cert, key } = this.#certificate;
    const timeouts = this.#timeouts;
    const server = http2.createSecureServer(
      // A client that never finishes its TLS handshake is dropped like one that never ends its headers.
      { ...TLS_SETTINGS, cert, key, allowHTTP1: true, handshakeTimeout: timeouts.headersMs },
      handler,
    );
    // HTTP/1.1 connections of an HTTP/2 server are tracked like http.Server's.
    Object.assign(server, {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      connectionsCheckingInterval: timeouts.checkIntervalMs,
    });
    server.setTimeout(timeouts.idleMs);
    server.on('secureConnection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    server.on('session', (session) => {
      this.#sessions.add(session);
      // Idle means no frame for idleMs; a stream quiet for requestMs (shorter) was cancelled already,
      // so nothing is lost by ending the session at once. close() would wait for a stream whose
      // headers never ended (it exists for nghttp2 but not for us), and wait for ever.
      session.setTimeout(timeouts.idleMs, () => session.destroy());
      // HTTP/2's header timeout: a session must open its first stream (headers complete) in time.
      const firstStream = setTimeout(() => session.destroy(), timeouts.headersMs).unref();
      session.once('stream', () => clearTimeout(firstStream));
      session.once('close', () => {
        clearTimeout(firstStream);
        this.#sessions.delete(session);
      });
      // A session that comes in once the listener is closing gets its GOAWAY at once; during the
      // shutdown delay new sessions are served like the others (the endpoints still send them).
      if (this.#closing) session.close();
    });
    server.on('stream', (stream) => {
      stream.setTimeout(timeouts.requestMs, () => stream.close(http2.constants.NGHTTP2_CANCEL));
    });
    this.#server = server;
    return server;
  }

  #routes(): void {
    const app = this.fastify;
    // AdmissionReviews are JSON; anything else is refused with 415 instead of reaching the handler.
    app.removeAllContentTypeParsers();
    // The body's bytes stay with the request, for the verdict cache's key.
    app.decorateRequest(RAW_BODY, null);
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
      const raw = body as Buffer;
      const parsed = parseBody(raw);
      if ('problem' in parsed) {
        done(
          Object.assign(new Error(parsed.problem.message), { statusCode: 400, code: parsed.problem.code }),
        );
        return;
      }
      (request as unknown as WithRawBody)[RAW_BODY] = raw;
      done(null, parsed.value);
    });
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const statusCode = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
      const route = routeOf(request);
      if (statusCode >= 500) {
        if (route !== undefined) this.metrics.handlerError(route);
        request.log.error({ err: error, url: request.url }, 'request failed');
      } else {
        request.log.info({ code: error.code, statusCode, url: request.url }, 'bad request');
      }
      if (route !== undefined) this.metrics.refused(route, statusCode >= 500 ? 'error' : 'invalid');
      // fastify closes an HTTP/1.1 connection after a body it could not read; HTTP/2 has no such
      // header (Node drops it with a process warning) and the stream ends on its own.
      if (request.raw.httpVersionMajor >= 2) reply.removeHeader('connection');
      const message = statusCode >= 500 ? 'internal error' : clientMessage(error, request);
      return reply.code(statusCode).send(errorBody(statusCode, message));
    });
    app.post('/validate', (request, reply) => this.#review('validate', request, reply));
    app.post('/mutate', (request, reply) => this.#review('mutate', request, reply));
    app.get('/healthz', async () => ({ status: 'ok' }));
    app.get('/readyz', async (_request, reply) => {
      const reason = this.#notReadyReason();
      if (reason === undefined) return { status: 'ready' };
      return reply.code(503).send({ status: 'not ready', reason });
    });
    app.get('/metrics', async (_request, reply) => {
      const text = await this.metrics.text();
      return reply.type(this.metrics.contentType).send(text);
    });
  }

  #notReadyReason(): string | undefined {
    if (this.#state === 'draining' || this.#state === 'closed') return 'shutting down';
    if (this.#options.policySource.current() === undefined) return 'policy not loaded yet';
    return this.#state === 'ready' ? undefined : 'starting';
  }

  async #review(route: Route, request: Request, reply: Reply): Promise<unknown> {
    const done = this.metrics.started(route);
    // Draining: an HTTP/1.1 connection closes after this response (HTTP/2 sessions got a GOAWAY).
    if (this.#state === 'draining' && request.raw.httpVersionMajor === 1) reply.header('connection', 'close');
    let operation = 'unknown';
    let uid: string | undefined;
    try {
      const review = readAdmissionReview(request.body);
      if (isReviewProblem(review)) {
        done(operation, 'invalid');
        request.log.info({ route, statusCode: 400, problem: review.message }, 'bad request');
        return reply.code(400).send(errorBody(400, review.message));
      }
      const admission = review.request;
      operation = admission.operation;
      uid = admission.uid;
      const snapshot = this.#options.policySource.current();
      if (snapshot === undefined) {
        done(operation, 'unavailable');
        return reply.code(503).send(errorBody(503, 'the policy is not loaded yet'));
      }
      const { verdict, entry, cached } = this.#decide(
        route,
        admission,
        snapshot,
        (request as unknown as WithRawBody)[RAW_BODY] ?? undefined,
      );
      const durationMs = done(operation, verdict.result);
      request.log.info(
        {
          route,
          uid,
          namespace: admission.namespace,
          name: admission.name,
          operation,
          dryRun: admission.dryRun === true,
          allowed: verdict.allowed,
          result: verdict.result,
          ...(verdict.skipped !== undefined && { skipped: verdict.skipped }),
          ...(verdict.rules.length > 0 && { rules: verdict.rules }),
          ...(verdict.errors > 0 && { errors: verdict.errors }),
          ...(verdict.patchOperations > 0 && { patchOperations: verdict.patchOperations }),
          ...(cached && { cached }),
          durationMs,
        },
        'admission review',
      );
      if (entry === undefined) return reviewResponse(review.apiVersion, admissionResponse(uid, verdict));
      // A cached answer is only filled in with this request's uid.
      let template = entry.templates[review.apiVersion];
      if (template === undefined) {
        template = responseTemplate(review.apiVersion, admissionResponse('', verdict));
        entry.templates[review.apiVersion] = template;
      }
      return reply.type('application/json; charset=utf-8').send(fillTemplate(template, uid));
    } catch (error) {
      // Never a crash: logged, counted, answered. A 500 lets the webhook's failurePolicy decide.
      this.metrics.handlerError(route);
      done(operation, 'error');
      request.log.error({ err: error, route, uid, operation }, 'admission handler failed');
      return reply
        .code(500)
        .send(errorBody(500, `acid-guard failed on this request: ${(error as Error).message}`));
    }
  }

  #decide(
    route: Route,
    request: Parameters<typeof validateAdmission>[0],
    snapshot: PolicySnapshot,
    rawBody: Buffer | undefined,
  ): { verdict: Verdict; entry?: CachedVerdict; cached: boolean } {
    const now = this.#clock();
    const decide = (): Verdict =>
      route === 'validate'
        ? validateAdmission(request, snapshot, { allowBypass: this.#options.allowBypass === true, now })
        : mutateAdmission(request, snapshot);
    if (this.#cache.capacity <= 0 || rawBody === undefined || skipReason(request) !== undefined) {
      return { verdict: decide(), cached: false };
    }
    const key = this.#cache.key(route, rawBody, request.uid, now);
    const hit = this.#cache.get(snapshot, key);
    this.metrics.cacheLookup(hit !== undefined);
    if (hit !== undefined) return { verdict: hit.verdict, entry: hit, cached: true };
    const entry = this.#cache.set(snapshot, key, decide());
    return { verdict: entry.verdict, entry, cached: false };
  }

  /** Listens, then loads the policy; ready once both are done. Rejects when the policy cannot be loaded. */
  async start(listen: { host: string; port: number }): Promise<AddressInfo> {
    await this.fastify.listen(listen);
    const snapshot = await this.#options.policySource.start();
    this.metrics.policyLoaded(snapshot.loadedAt);
    this.fastify.log.info({ sources: snapshot.sources, warnings: snapshot.warnings }, 'policy loaded');
    this.#watchCertificate();
    if (this.#state === 'starting') this.#state = 'ready';
    return this.server.address() as AddressInfo;
  }

  #watchCertificate(): void {
    const files = this.#options.certificateFiles;
    if (files === undefined) return;
    this.#certificateWatch = watchServingCertificate(
      files.cert,
      files.key,
      this.#certificate,
      (certificate) => this.useCertificate(certificate),
      (reload) => {
        if ('error' in reload) {
          this.metrics.certificateReload('failure');
          this.fastify.log.warn(
            { error: reload.error.message },
            'serving certificate not reloaded; keeping the one in use',
          );
        } else if (reload.changed) {
          this.metrics.certificateReload('success');
        }
      },
      files,
    );
  }

  /** Serves new connections with another certificate; open connections keep theirs. */
  useCertificate(certificate: ServingCertificate): void {
    this.server.setSecureContext({ ...TLS_SETTINGS, cert: certificate.cert, key: certificate.key });
    this.#certificate = certificate;
    this.metrics.certificateLoaded(certificate.notAfter);
    this.fastify.log.info(
      {
        fingerprint: certificate.fingerprint,
        notAfter: certificate.notAfter.toISOString(),
        names: certificate.names,
      },
      'serving certificate loaded',
    );
  }

  /**
   * Drains: unready at once, then (after `delayMs`) stops accepting connections, lets the requests in
   * flight finish, and after `timeoutMs` closes whatever is still open. Resolves once closed.
   */
  shutdown(options: ShutdownOptions = {}): Promise<{ forced: boolean }> {
    this.#shutdown ??= this.#drain(options.delayMs ?? 0, options.timeoutMs ?? 10_000);
    return this.#shutdown;
  }

  async #drain(delayMs: number, timeoutMs: number): Promise<{ forced: boolean }> {
    this.#state = 'draining';
    this.fastify.log.info({ delayMs, timeoutMs }, 'shutting down: not ready, draining');
    if (delayMs > 0) await sleep(delayMs);
    this.#closing = true;
    this.#certificateWatch?.close();
    const closed = this.fastify.close();
    // HTTP/2: GOAWAY; streams in flight finish, the client opens new ones elsewhere.
    for (const session of this.#sessions) session.close();
    const timer = sleep(timeoutMs, 'timeout' as const, { ref: false });
    const forced = (await Promise.race([closed.then(() => 'closed' as const), timer])) === 'timeout';
    if (forced) {
      this.fastify.log.warn(
        { connections: this.#sockets.size, sessions: this.#sessions.size },
        'shutdown timeout: closing what is left',
      );
      for (const session of this.#sessions) session.destroy();
      for (const socket of this.#sockets) socket.destroy();
      await closed;
    }
    await this.#options.policySource.close();
    this.#state = 'closed';
    this.fastify.log.info({ forced }, 'shut down');
    return { forced };
  }
}

function routeOf(request: Request): Route | undefined {
  const url = request.routeOptions.url;
  if (url === '/validate') return 'validate';
  if (url === '/mutate') return 'mutate';
  return undefined;
}

/** Creates the webhook; `start` makes it listen and load its policy. */
export function createWebhook(options: WebhookOptions): Webhook {
  return new Webhook(options);
}
