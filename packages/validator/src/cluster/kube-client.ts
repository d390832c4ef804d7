/**
 * A small client for reading from a Kubernetes API server: lists (page by page) and watches.
 *
 * The connection — which server, which credentials — comes from @kubernetes/client-node's KubeConfig:
 * kubeconfig files and contexts, the in-cluster service account (its token re-read as it rotates),
 * client certificates, exec and OIDC plugins, proxies. Watches run on its `Watch` class. Lists are our
 * own GET requests, made with the agent and headers KubeConfig gives, because we need what its
 * generated API does not do in one call: follow `continue` tokens, and start over when a token expired.
 *
 * @kubernetes/client-node takes about a second to load, so it is imported only when a client is made:
 * importing this module costs nothing.
 */
import { existsSync } from 'node:fs';
import http, { STATUS_CODES } from 'node:http';
import https from 'node:https';
import { delimiter, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import {
  apiVersionOf,
  collectionPath,
  type KubeObject,
  type ObjectMeta,
  type ResourceType,
} from './resource-types.js';

type ClientNode = typeof import('@kubernetes/client-node');

let clientNode: Promise<ClientNode> | undefined;

function loadClientNode(): Promise<ClientNode> {
  clientNode ??= import('@kubernetes/client-node');
  return clientNode;
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface KubeClientOptions {
  /** A kubeconfig file (`--kubeconfig`); else `KUBECONFIG`, `~/.kube/config`, the in-cluster service account. */
  kubeconfig?: string;
  /** A context of the kubeconfig (`--context`); its current context by default. */
  context?: string;
  /** Where `KUBECONFIG`, `HOME` and `KUBERNETES_SERVICE_HOST` are read; the process environment by default. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Time for one list request, from sending it to the last byte (default 60 s). */
  requestTimeoutMs?: number;
}

/** The kubeconfig cannot be used: missing file, unknown context, no cluster. A configuration error. */
export class KubeConfigError extends Error {
  override readonly name = 'KubeConfigError';
}

/**
 * A request that failed: its message is one line naming the request and why — the API server's own
 * words for an HTTP error (`403 Forbidden: configmaps "x" is forbidden: User … cannot list …`), the
 * network error otherwise (`connect ECONNREFUSED 127.0.0.1:6443`).
 */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';

  constructor(
    /** `GET https://10.0.0.1:443/api/v1/namespaces/x/configmaps?limit=500` */
    readonly request: string,
    /** The HTTP status; undefined when there was no answer. */
    readonly status: number | undefined,
    /** The Status object's `reason` (`Forbidden`, `Expired`, `NotFound`), when the server sent one. */
    readonly reason: string | undefined,
    readonly detail: string,
  ) {
    const code = status === undefined ? '' : `${status} ${STATUS_CODES[status] ?? 'error'}: `;
    super(`${request}: ${code}${detail}`);
  }
}

/** What a list gives: every item of every page, and the resourceVersion to watch from. */
export interface ObjectList {
  items: KubeObject[];
  resourceVersion: string;
}

export interface ListOptions {
  /** Only this namespace; all namespaces when undefined. */
  namespace?: string;
  /** Only the object of this name (`fieldSelector=metadata.name=…`, which RBAC `resourceNames` allow). */
  name?: string;
  /** Items per page (`limit`); default 500, as kubectl. */
  pageSize?: number;
  /** Told after each page: items read so far, and how many remain when the server says. */
  onPage?: (read: number, remaining: number | undefined) => void;
}

export interface WatchOptions {
  namespace?: string;
  name?: string;
  /** Watch from here: the list's resourceVersion, or the last event's. */
  resourceVersion: string;
  /** The server ends the watch after this long (`timeoutSeconds`). */
  timeoutSeconds?: number;
  /** Ask for BOOKMARK events, which move the resourceVersion on without a change. */
  allowBookmarks?: boolean;
  /** Give up when the response headers have not come within this long (default 30 s). */
  connectTimeoutMs?: number;
}

export interface WatchHandlers {
  /** One event: `ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK` or `ERROR` (then `object` is a Status). */
  onEvent(type: string, object: unknown): void;
  /** The watch ended: `null` when the server closed it, an error otherwise. Called once. */
  onDone(error: Error | null): void;
}

export interface WatchHandle {
  /** Ends the watch; no callback is called after it. */
  abort(): void;
  /**
   * Settles once the request is over on our side (answered and aborted, ended, or failed): a request
   * still being sent when abort() was called is then closed too.
   */
  closed: Promise<void>;
}

type Query = Record<string, string | number | boolean | undefined>;

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function selectors(options: { name?: string }): Query {
  return options.name === undefined ? {} : { fieldSelector: `metadata.name=${options.name}` };
}

/** A Status object's message and reason, when the body is one. */
function statusOf(body: string): { message?: string; reason?: string } {
  try {
    const value: unknown = JSON.parse(body);
    if (!isMap(value)) return {};
    return {
      ...(typeof value.message === 'string' && value.message !== '' && { message: value.message }),
      ...(typeof value.reason === 'string' && value.reason !== '' && { reason: value.reason }),
    };
  } catch {
    return {};
  }
}

function oneLine(text: string, max = 300): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** Reads a kubeconfig the way kubectl finds one. Throws KubeConfigError. */
async function loadConfig(options: KubeClientOptions): Promise<{ config: KubeConfig; from: string }> {
  const { KubeConfig } = await loadClientNode();
  const env = options.env ?? process.env;
  const config = new KubeConfig();
  const readFile = (file: string, into: KubeConfig) => {
    try {
      into.loadFromFile(file);
    } catch (error) {
      throw new KubeConfigError(`cannot read kubeconfig ${file}: ${oneLine((error as Error).message)}`);
    }
  };
  let from: string;
  const listed = (env.KUBECONFIG ?? '').split(delimiter).filter((file) => file !== '');
  const home = env.HOME === undefined ? undefined : join(env.HOME, '.kube', 'config');
  if (options.kubeconfig !== undefined) {
    readFile(options.kubeconfig, config);
    from = options.kubeconfig;
  } else if (listed.length > 0) {
    // As kubectl: the first file's current context; of entries with the same name, the first one wins.
    readFile(listed[0] as string, config);
    for (const file of listed.slice(1)) {
      const more = new KubeConfig();
      readFile(file, more);
      const has = (list: readonly { name: string }[], name: string) =>
        list.some((entry) => entry.name === name);
      for (const cluster of more.clusters)
        if (!has(config.clusters, cluster.name)) config.addCluster(cluster);
      for (const user of more.users) if (!has(config.users, user.name)) config.addUser(user);
      for (const context of more.contexts)
        if (!has(config.contexts, context.name)) config.addContext(context);
      if (!config.currentContext) config.setCurrentContext(more.currentContext);
    }
    from = `KUBECONFIG (${listed.join(delimiter)})`;
  } else if (home !== undefined && existsSync(home)) {
    readFile(home, config);
    from = home;
  } else if (env.KUBERNETES_SERVICE_HOST !== undefined && existsSync(SERVICE_ACCOUNT_TOKEN)) {
    config.loadFromCluster();
    from = 'the in-cluster service account';
  } else {
    throw new KubeConfigError(
      'no kubeconfig: give --kubeconfig, set KUBECONFIG, write ~/.kube/config, or run inside a cluster',
    );
  }
  if (options.context !== undefined) {
    if (config.getContextObject(options.context) === null) {
      const names = config.getContexts().map((context) => context.name);
      throw new KubeConfigError(
        `context "${options.context}" is not in ${from}${names.length > 0 ? ` (it has ${names.join(', ')})` : ''}`,
      );
    }
    config.setCurrentContext(options.context);
  }
  if (config.getCurrentCluster() === null) {
    throw new KubeConfigError(
      `${from} has no cluster for context "${config.getCurrentContext()}": give --context or fix current-context`,
    );
  }
  return { config, from };
}

/** A connection to one API server. */
export class KubeClient {
  readonly #requestTimeoutMs: number;

  private constructor(
    readonly config: KubeConfig,
    /** Where the configuration came from, for messages. */
    readonly from: string,
    options: KubeClientOptions,
  ) {
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
  }

  /** Loads the kubeconfig (or the in-cluster service account). Throws KubeConfigError. */
  static async connect(options: KubeClientOptions = {}): Promise<KubeClient> {
    const { config, from } = await loadConfig(options);
    return new KubeClient(config, from, options);
  }

  /** The API server's URL. */
  get server(): string {
    return this.config.getCurrentCluster()?.server ?? '';
  }

  /** The context's namespace (in a pod: its own namespace), when it has one. */
  get namespace(): string | undefined {
    const context = this.config.getContextObject(this.config.getCurrentContext());
    const namespace = context?.namespace?.trim();
    return namespace === undefined || namespace === '' ? undefined : namespace;
  }

  #url(path: string, query: Query): URL {
    const url = new URL(`${this.server.replace(/\/+$/, '')}${path}`);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  /** `GET https://host/path?query`, readable (query not percent-encoded), for messages. */
  static describe(method: string, url: URL): string {
    let search = url.search;
    try {
      search = decodeURIComponent(search);
    } catch {}
    return `${method} ${url.origin}${url.pathname}${search}`;
  }

  /** GET of a JSON document. Throws KubeApiError. */
  async getJson(path: string, query: Query = {}): Promise<unknown> {
    const url = this.#url(path, query);
    const label = KubeClient.describe('GET', url);
    const options: https.RequestOptions = {};
    try {
      await this.config.applyToHTTPSOptions(options);
    } catch (error) {
      throw new KubeApiError(label, undefined, undefined, `cannot authenticate: ${(error as Error).message}`);
    }
    const transport = url.protocol === 'http:' ? http : https;
    const agent = options.agent;
    try {
      const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const request = transport.request(
          url,
          {
            ...options,
            method: 'GET',
            headers: { ...options.headers, accept: 'application/json' },
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () =>
              resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
            );
            response.on('error', reject);
          },
        );
        request.setTimeout(this.#requestTimeoutMs, () =>
          request.destroy(new Error(`no answer within ${this.#requestTimeoutMs / 1000} s`)),
        );
        request.on('error', reject);
        request.end();
      }).catch((error: Error) => {
        throw new KubeApiError(label, undefined, undefined, oneLine(error.message));
      });
      if (status < 200 || status > 299) {
        const { message, reason } = statusOf(body);
        throw new KubeApiError(label, status, reason, message ?? (oneLine(body) || 'no explanation'));
      }
      try {
        return JSON.parse(body) as unknown;
      } catch {
        throw new KubeApiError(label, status, undefined, `the answer is not JSON: ${oneLine(body, 80)}`);
      }
    } finally {
      if (agent instanceof http.Agent) agent.destroy();
    }
  }

  /**
   * Lists a collection, following `continue` tokens page by page. When a token expires mid-way (410),
   * starts over once in a single request, as client-go's pager does. Items get `kind` and `apiVersion`
   * (the API server leaves them out of the items of built-in lists). Throws KubeApiError.
   */
  async list(type: ResourceType, options: ListOptions = {}): Promise<ObjectList> {
    try {
      return await this.#listPages(type, options, options.pageSize ?? 500);
    } catch (error) {
      if (!(error instanceof ContinueExpired)) throw error;
      return this.#listPages(type, options, undefined);
    }
  }

  async #listPages(type: ResourceType, options: ListOptions, limit: number | undefined): Promise<ObjectList> {
    const path = collectionPath(type, options.namespace);
    const items: KubeObject[] = [];
    let resourceVersion: string | undefined;
    let token: string | undefined;
    // Bounded: a server that hands out tokens forever stops here.
    for (let page = 0; page < 100_000; page++) {
      let body: unknown;
      try {
        body = await this.getJson(path, { ...selectors(options), limit, continue: token });
      } catch (error) {
        if (token !== undefined && error instanceof KubeApiError && error.status === 410) {
          throw new ContinueExpired();
        }
        throw error;
      }
      const metadata = isMap(body) && isMap(body.metadata) ? body.metadata : undefined;
      if (!isMap(body) || !Array.isArray(body.items) || metadata === undefined) {
        throw new KubeApiError(
          KubeClient.describe('GET', this.#url(path, {})),
          200,
          undefined,
          `the answer is not a ${type.kind} list`,
        );
      }
      for (const item of body.items) {
        const object = asObject(item, type);
        if (object !== undefined) items.push(object);
      }
      resourceVersion ??= typeof metadata.resourceVersion === 'string' ? metadata.resourceVersion : '';
      token =
        typeof metadata.continue === 'string' && metadata.continue !== '' ? metadata.continue : undefined;
      const remaining =
        typeof metadata.remainingItemCount === 'number' ? metadata.remainingItemCount : undefined;
      options.onPage?.(items.length, token === undefined ? 0 : remaining);
      if (token === undefined) break;
    }
    return { items, resourceVersion: resourceVersion ?? '' };
  }

  /**
   * Watches a collection from a resourceVersion (client-node's `Watch`: a chunked stream of JSON
   * events). Resolves once the request is sent; events and the end arrive through `handlers`.
   */
  async watch(type: ResourceType, options: WatchOptions, handlers: WatchHandlers): Promise<WatchHandle> {
    const { Watch } = await loadClientNode();
    const path = collectionPath(type, options.namespace);
    const query: Query = {
      ...selectors(options),
      resourceVersion: options.resourceVersion,
      allowWatchBookmarks: options.allowBookmarks === true ? true : undefined,
      timeoutSeconds: options.timeoutSeconds,
    };
    const label = KubeClient.describe('GET', this.#url(path, { ...query, watch: true }));
    const connectTimeoutMs = options.connectTimeoutMs ?? 30_000;
    let ended = false;
    let controller: AbortController | undefined;
    const end = (error: Error | null): void => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      controller?.abort();
      handlers.onDone(error);
    };
    // client-node's Watch cannot time out a request whose headers never come: we end it ourselves.
    const timer = setTimeout(
      () =>
        end(new KubeApiError(label, undefined, undefined, `no answer within ${connectTimeoutMs / 1000} s`)),
      connectTimeoutMs,
    );
    timer.unref?.();
    const asError = (error: unknown): Error => {
      const code = (error as { statusCode?: unknown }).statusCode;
      const status = typeof code === 'number' ? code : undefined;
      const message = oneLine(error instanceof Error ? error.message : String(error));
      // For an HTTP error client-node's Watch keeps only the status text, already in our message.
      const detail =
        status !== undefined && message === STATUS_CODES[status] ? 'the watch was refused' : message;
      return new KubeApiError(label, status, undefined, detail);
    };
    let markClosed: () => void = () => {};
    const closed = new Promise<void>((resolve) => {
      markClosed = resolve;
    });
    new Watch(this.config)
      .watch(
        path,
        query,
        (type: string, object: unknown) => {
          if (!ended) handlers.onEvent(type, object);
        },
        (error: unknown) => {
          markClosed();
          end(error === null || error === undefined ? null : asError(error));
        },
      )
      .then((started) => {
        controller = started;
        clearTimeout(timer);
        if (ended) started.abort();
      })
      .catch((error: unknown) => {
        markClosed();
        end(asError(error));
      });
    return {
      abort() {
        ended = true;
        clearTimeout(timer);
        controller?.abort();
      },
      closed,
    };
  }
}

/** A `continue` token the server no longer knows (410 during pagination). */
class ContinueExpired extends Error {}

/** An item of a list, with `kind` and `apiVersion` filled in; undefined when it has no name. */
export function asObject(item: unknown, type: ResourceType): KubeObject | undefined {
  if (!isMap(item) || !isMap(item.metadata) || typeof item.metadata.name !== 'string') return undefined;
  return {
    ...item,
    apiVersion: typeof item.apiVersion === 'string' ? item.apiVersion : apiVersionOf(type),
    kind: typeof item.kind === 'string' ? item.kind : type.kind,
    metadata: item.metadata as ObjectMeta,
  };
}
