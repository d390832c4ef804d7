/**
 * FakeApiServer — a TEST DOUBLE of the Kubernetes API server's list and watch protocol, for the few
 * resources acid-guard reads (ConfigMaps, Deployments, postgresqls, PostgresTeams,
 * OperatorConfigurations, CustomResourceDefinitions). It is not an API server: nothing is validated or admitted, there is no RBAC
 * (only an optional bearer-token check), no label selectors, no field selector but `metadata.name`, no
 * protobuf, no writes through HTTP. Objects are held in memory and changed by the test itself.
 *
 * What it does the way the API server does it:
 * - `GET` of a collection, in a namespace or across all, answers a `<Kind>List` with
 *   `metadata.resourceVersion`. Items of built-in types (ConfigMap, Deployment) carry no `kind` and
 *   `apiVersion`, as in real lists; custom resources do.
 * - `limit` pages the list over a snapshot taken at the first page: `metadata.continue` and
 *   `remainingItemCount`; an unknown or expired `continue` is 410 Gone (reason `Expired`).
 * - `?watch=1` (or `true`) answers 200 and a chunked stream of JSON lines `{"type","object"}`: the
 *   events after `resourceVersion` (ADDED for everything with `resourceVersion` empty or `0`), then each
 *   change as it happens; BOOKMARK events with `allowWatchBookmarks`; the stream ends after
 *   `timeoutSeconds`.
 * - A watch from a resourceVersion older than the history kept (`expireHistory()`) is 410 Gone: an
 *   ERROR event holding a Status with code 410, then the end of the stream (what the API server does),
 *   or a plain HTTP 410 with `goneAs = 'status'`.
 * - Errors are `Status` objects (`{"kind":"Status","code":403,"reason":"Forbidden","message":…}`).
 * - CustomResourceDefinitions (cluster-scoped) get `metadata.generation`, 1 at creation and one more
 *   whenever `spec` changes (a status update keeps it), as the API server counts it. Other types get
 *   none here.
 *
 * What tests can do besides: `apply` / `remove` objects (watchers get the events), `dropWatches()`
 * (destroys open watch connections mid-stream), `failNext()` (answer the next matching requests with an
 * error status; `clearFailures()` forgets those not used yet), `stop()` / `resume()` (nothing listens
 * on the port meanwhile), and `requests` records every request. `writeKubeconfig` writes a kubeconfig
 * that points at it.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';

export interface FakeResourceType {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  /** A built-in type: list items carry no kind and apiVersion. */
  builtIn: boolean;
  /** Whether `metadata.generation` is kept (only the types tests need it for). */
  generation?: boolean;
}

export const FAKE_TYPES = {
  configmaps: {
    group: '',
    version: 'v1',
    resource: 'configmaps',
    kind: 'ConfigMap',
    namespaced: true,
    builtIn: true,
  },
  deployments: {
    group: 'apps',
    version: 'v1',
    resource: 'deployments',
    kind: 'Deployment',
    namespaced: true,
    builtIn: true,
  },
  postgresqls: {
    group: 'acid.zalan.do',
    version: 'v1',
    resource: 'postgresqls',
    kind: 'postgresql',
    namespaced: true,
    builtIn: false,
  },
  postgresteams: {
    group: 'acid.zalan.do',
    version: 'v1',
    resource: 'postgresteams',
    kind: 'PostgresTeam',
    namespaced: true,
    builtIn: false,
  },
  operatorconfigurations: {
    group: 'acid.zalan.do',
    version: 'v1',
    resource: 'operatorconfigurations',
    kind: 'OperatorConfiguration',
    namespaced: true,
    builtIn: false,
  },
  customresourcedefinitions: {
    group: 'apiextensions.k8s.io',
    version: 'v1',
    resource: 'customresourcedefinitions',
    kind: 'CustomResourceDefinition',
    namespaced: false,
    builtIn: true,
    generation: true,
  },
} as const satisfies Record<string, FakeResourceType>;

export type FakeResourceName = keyof typeof FAKE_TYPES;

type Json = Record<string, unknown>;

/** An object as stored: `metadata.name` and `namespace` always there. */
export interface StoredObject extends Json {
  metadata: Json & { name: string; namespace?: string; resourceVersion?: string };
}

/** One request as the server saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  resource?: string;
  group?: string;
  namespace?: string;
  /** From `fieldSelector=metadata.name=…`, or a GET of one object. */
  name?: string;
  watch: boolean;
  status: number;
  authorization?: string;
}

interface HistoryEvent {
  resourceVersion: number;
  resource: FakeResourceName;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: StoredObject;
}

interface Watcher {
  resource: FakeResourceName;
  namespace: string | undefined;
  name: string | undefined;
  bookmarks: boolean;
  response: ServerResponse;
  timer: NodeJS.Timeout | undefined;
}

interface Failure {
  match: (request: RecordedRequest) => boolean;
  status: number;
  message: string;
  times: number;
}

interface Snapshot {
  resource: FakeResourceName;
  items: StoredObject[];
  resourceVersion: string;
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  410: 'Expired',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

function status(code: number, message: string, reason = REASONS[code] ?? 'Unknown'): Json {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function keyOf(namespace: string | undefined, name: string): string {
  return namespace === undefined || namespace === '' ? name : `${namespace}/${name}`;
}

export interface FakeApiServerOptions {
  /** Require `Authorization: Bearer <token>` (401 otherwise). */
  token?: string;
}

export class FakeApiServer {
  readonly requests: RecordedRequest[] = [];
  /** How a watch from an expired resourceVersion is refused: an ERROR event (as the API server does) or HTTP 410. */
  goneAs: 'event' | 'status' = 'event';
  #server: http.Server;
  #port = 0;
  #resourceVersion = 1000;
  #oldest = 0;
  readonly #objects = new Map<FakeResourceName, Map<string, StoredObject>>();
  readonly #history: HistoryEvent[] = [];
  readonly #snapshots = new Map<string, Snapshot>();
  readonly #watchers = new Set<Watcher>();
  readonly #sockets = new Set<Socket>();
  readonly #failures: Failure[] = [];

  private constructor(readonly options: FakeApiServerOptions) {
    this.#server = this.#createServer();
  }

  static async start(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
    const fake = new FakeApiServer(options);
    await fake.#listen(0);
    return fake;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** The resourceVersion of the last change. */
  get resourceVersion(): string {
    return String(this.#resourceVersion);
  }

  #createServer(): http.Server {
    const server = http.createServer((request, response) => this.#handle(request, response));
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    return server;
  }

  #listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => {
        this.#port = (this.#server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  // -------------------------------------------------------------------------------------------------
  // What tests do

  /** Creates or replaces an object; watchers get ADDED or MODIFIED. Returns the stored object. */
  apply(resource: FakeResourceName, object: Json): StoredObject {
    const type: FakeResourceType = FAKE_TYPES[resource];
    const metadata = { ...((object.metadata ?? {}) as Json) };
    if (typeof metadata.name !== 'string') throw new Error('apply: the object needs metadata.name');
    if (type.namespaced && typeof metadata.namespace !== 'string') metadata.namespace = 'default';
    if (!type.namespaced) delete metadata.namespace;
    const store = this.#store(resource);
    const key = keyOf(metadata.namespace as string | undefined, metadata.name);
    const existing = store.get(key);
    this.#resourceVersion += 1;
    const stored = {
      ...structuredClone(object),
      apiVersion: type.group === '' ? type.version : `${type.group}/${type.version}`,
      kind: type.kind,
      metadata: {
        ...structuredClone(metadata),
        uid: existing?.metadata.uid ?? randomUUID(),
        resourceVersion: String(this.#resourceVersion),
        creationTimestamp: existing?.metadata.creationTimestamp ?? new Date().toISOString(),
        ...(type.generation === true && { generation: this.#generation(existing, object) }),
      },
    } as unknown as StoredObject;
    store.set(key, stored);
    this.#record(resource, existing === undefined ? 'ADDED' : 'MODIFIED', stored);
    return stored;
  }

  /** 1 for a new object; one more when `spec` changed. */
  #generation(existing: StoredObject | undefined, object: Json): number {
    if (existing === undefined) return 1;
    const previous = typeof existing.metadata.generation === 'number' ? existing.metadata.generation : 1;
    return JSON.stringify(existing.spec) === JSON.stringify(object.spec) ? previous : previous + 1;
  }

  /** Deletes an object; watchers get DELETED. Returns whether it existed. */
  remove(resource: FakeResourceName, namespace: string | undefined, name: string): boolean {
    const store = this.#store(resource);
    const key = keyOf(namespace, name);
    const existing = store.get(key);
    if (existing === undefined) return false;
    store.delete(key);
    this.#resourceVersion += 1;
    const last = {
      ...existing,
      metadata: { ...existing.metadata, resourceVersion: String(this.#resourceVersion) },
    } as StoredObject;
    this.#record(resource, 'DELETED', last);
    return true;
  }

  /** The stored object, if any. */
  get(resource: FakeResourceName, namespace: string | undefined, name: string): StoredObject | undefined {
    return this.#store(resource).get(keyOf(namespace, name));
  }

  /** Sends a BOOKMARK at the current resourceVersion to every watcher that asked for them. */
  bookmark(): void {
    for (const watcher of this.#watchers) {
      if (!watcher.bookmarks) continue;
      const type = FAKE_TYPES[watcher.resource];
      this.#send(watcher.response, 'BOOKMARK', {
        kind: type.kind,
        apiVersion: type.group === '' ? type.version : `${type.group}/${type.version}`,
        metadata: { resourceVersion: this.resourceVersion },
      });
    }
  }

  /** Destroys every open watch connection mid-stream, as a dropped connection or a restarted API server does. */
  dropWatches(): number {
    const count = this.#watchers.size;
    for (const watcher of [...this.#watchers]) {
      this.#watchers.delete(watcher);
      if (watcher.timer) clearTimeout(watcher.timer);
      watcher.response.socket?.destroy();
    }
    return count;
  }

  /** Forgets the history (and continue tokens): a watch from an older resourceVersion is now 410 Gone. */
  expireHistory(): void {
    this.#oldest = this.#resourceVersion;
    this.#history.length = 0;
    this.#snapshots.clear();
  }

  /** Answers the next `times` requests that match with an error status (a Status object). */
  failNext(
    match: Partial<Pick<RecordedRequest, 'resource' | 'namespace' | 'watch' | 'name'>>,
    code: number,
    message = `injected ${code}`,
    times = 1,
  ): void {
    this.#failures.push({
      match: (request) =>
        Object.entries(match).every(([key, value]) => request[key as keyof RecordedRequest] === value),
      status: code,
      message,
      times,
    });
  }

  /** Forgets the failures `failNext` still had to inject. */
  clearFailures(): void {
    this.#failures.length = 0;
  }

  /** Open watches, of one resource or all. */
  watcherCount(resource?: FakeResourceName): number {
    return [...this.#watchers].filter((w) => resource === undefined || w.resource === resource).length;
  }

  /** Stops listening and drops every connection: the API server is unreachable until `resume()`. */
  async stop(): Promise<void> {
    for (const watcher of this.#watchers) if (watcher.timer) clearTimeout(watcher.timer);
    this.#watchers.clear();
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Listens again on the same port. */
  async resume(): Promise<void> {
    this.#server = this.#createServer();
    await this.#listen(this.#port);
  }

  async close(): Promise<void> {
    if (this.#server.listening) await this.stop();
  }

  // -------------------------------------------------------------------------------------------------
  // The protocol

  #store(resource: FakeResourceName): Map<string, StoredObject> {
    let store = this.#objects.get(resource);
    if (store === undefined) {
      store = new Map();
      this.#objects.set(resource, store);
    }
    return store;
  }

  #record(resource: FakeResourceName, type: HistoryEvent['type'], object: StoredObject): void {
    this.#history.push({ resourceVersion: this.#resourceVersion, resource, type, object });
    for (const watcher of this.#watchers) {
      if (this.#matches(watcher, resource, object)) this.#send(watcher.response, type, object);
    }
  }

  #matches(
    filter: { resource: FakeResourceName; namespace: string | undefined; name: string | undefined },
    resource: FakeResourceName,
    object: StoredObject,
  ): boolean {
    if (filter.resource !== resource) return false;
    if (filter.namespace !== undefined && object.metadata.namespace !== filter.namespace) return false;
    return filter.name === undefined || object.metadata.name === filter.name;
  }

  #send(response: ServerResponse, type: string, object: Json): void {
    if (!response.writableEnded && !response.destroyed)
      response.write(`${JSON.stringify({ type, object })}\n`);
  }

  #reply(response: ServerResponse, recorded: RecordedRequest, code: number, body: Json): void {
    recorded.status = code;
    response.writeHead(code, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const query = Object.fromEntries(url.searchParams);
    const recorded: RecordedRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query,
      watch: query.watch === '1' || query.watch === 'true',
      status: 0,
      ...(request.headers.authorization !== undefined && { authorization: request.headers.authorization }),
    };
    this.requests.push(recorded);
    const route = this.#route(url.pathname);
    if (route !== undefined) {
      recorded.resource = route.type.resource;
      recorded.group = route.type.group;
      if (route.namespace !== undefined) recorded.namespace = route.namespace;
      if (route.name !== undefined) recorded.name = route.name;
    }
    const selector = query.fieldSelector;
    let selected: string | undefined;
    if (selector !== undefined && selector !== '') {
      const match = /^metadata\.name=(.+)$/.exec(selector);
      if (!match) {
        this.#reply(
          response,
          recorded,
          400,
          status(400, `fake API server: unsupported field selector ${selector}`),
        );
        return;
      }
      selected = match[1];
      recorded.name = selected;
    }
    if (
      this.options.token !== undefined &&
      request.headers.authorization !== `Bearer ${this.options.token}`
    ) {
      this.#reply(response, recorded, 401, status(401, 'Unauthorized'));
      return;
    }
    const failure = this.#failures.find((f) => f.times > 0 && f.match(recorded));
    if (failure !== undefined) {
      failure.times -= 1;
      this.#reply(response, recorded, failure.status, status(failure.status, failure.message));
      return;
    }
    if (request.method !== 'GET') {
      this.#reply(response, recorded, 405, status(405, 'fake API server: read-only', 'MethodNotAllowed'));
      return;
    }
    if (route === undefined) {
      this.#reply(response, recorded, 404, status(404, 'the server could not find the requested resource'));
      return;
    }
    const filter = { resource: route.resourceName, namespace: route.namespace, name: route.name ?? selected };
    if (route.name !== undefined) {
      const object = this.get(route.resourceName, route.namespace, route.name);
      if (object === undefined) {
        const type = route.type;
        const what = type.group === '' ? type.resource : `${type.resource}.${type.group}`;
        this.#reply(response, recorded, 404, status(404, `${what} "${route.name}" not found`));
      } else this.#reply(response, recorded, 200, object);
      return;
    }
    if (recorded.watch) this.#watch(response, recorded, filter, query);
    else this.#list(response, recorded, filter, query);
  }

  #route(
    path: string,
  ):
    | { type: FakeResourceType; resourceName: FakeResourceName; namespace?: string; name?: string }
    | undefined {
    const parts = path
      .split('/')
      .filter((p) => p !== '')
      .map(decodeURIComponent);
    let group: string;
    let rest: string[];
    if (parts[0] === 'api' && parts[1] !== undefined) {
      group = '';
      rest = parts.slice(1);
    } else if (parts[0] === 'apis' && parts[1] !== undefined && parts[2] !== undefined) {
      group = parts[1];
      rest = parts.slice(2);
    } else return undefined;
    const [version, ...tail] = rest;
    let namespace: string | undefined;
    let resourcePart: string[] = tail;
    if (tail[0] === 'namespaces' && tail.length >= 3) {
      namespace = tail[1];
      resourcePart = tail.slice(2);
    }
    const [plural, name, ...extra] = resourcePart;
    if (plural === undefined || extra.length > 0) return undefined;
    const entry = Object.entries(FAKE_TYPES).find(
      ([, type]) => type.group === group && type.version === version && type.resource === plural,
    );
    if (entry === undefined) return undefined;
    return {
      type: entry[1],
      resourceName: entry[0] as FakeResourceName,
      ...(namespace !== undefined && { namespace }),
      ...(name !== undefined && { name }),
    };
  }

  #selected(filter: { resource: FakeResourceName; namespace: string | undefined; name: string | undefined }) {
    return [...this.#store(filter.resource).values()]
      .filter((object) => this.#matches(filter, filter.resource, object))
      .sort((a, b) =>
        keyOf(a.metadata.namespace, a.metadata.name).localeCompare(
          keyOf(b.metadata.namespace, b.metadata.name),
        ),
      );
  }

  #list(
    response: ServerResponse,
    recorded: RecordedRequest,
    filter: { resource: FakeResourceName; namespace: string | undefined; name: string | undefined },
    query: Record<string, string>,
  ): void {
    const type = FAKE_TYPES[filter.resource];
    let snapshot: Snapshot;
    if (query.continue !== undefined && query.continue !== '') {
      const found = this.#snapshots.get(query.continue);
      if (found === undefined) {
        this.#reply(
          response,
          recorded,
          410,
          status(
            410,
            'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
          ),
        );
        return;
      }
      this.#snapshots.delete(query.continue);
      snapshot = found;
    } else {
      snapshot = {
        resource: filter.resource,
        items: this.#selected(filter),
        resourceVersion: this.resourceVersion,
      };
    }
    const limit = query.limit === undefined ? 0 : Number(query.limit);
    const page = limit > 0 ? snapshot.items.slice(0, limit) : snapshot.items;
    const rest = limit > 0 ? snapshot.items.slice(limit) : [];
    const metadata: Json = { resourceVersion: snapshot.resourceVersion };
    if (rest.length > 0) {
      const token = randomUUID();
      this.#snapshots.set(token, { ...snapshot, items: rest });
      metadata.continue = token;
      metadata.remainingItemCount = rest.length;
    }
    const items = page.map((object) => {
      if (!type.builtIn) return object;
      const { kind: _kind, apiVersion: _apiVersion, ...rest } = object;
      return rest;
    });
    this.#reply(response, recorded, 200, {
      kind: `${type.kind}List`,
      apiVersion: type.group === '' ? type.version : `${type.group}/${type.version}`,
      metadata,
      items,
    });
  }

  #watch(
    response: ServerResponse,
    recorded: RecordedRequest,
    filter: { resource: FakeResourceName; namespace: string | undefined; name: string | undefined },
    query: Record<string, string>,
  ): void {
    const from = query.resourceVersion ?? '';
    const since = from === '' || from === '0' ? undefined : Number(from);
    if (since !== undefined && (!Number.isFinite(since) || since < this.#oldest)) {
      const gone = status(410, `too old resource version: ${from} (${this.#oldest})`, 'Expired');
      if (this.goneAs === 'status') {
        this.#reply(response, recorded, 410, gone);
        return;
      }
      recorded.status = 200;
      response.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      this.#send(response, 'ERROR', gone);
      response.end();
      return;
    }
    recorded.status = 200;
    response.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    response.flushHeaders();
    if (since === undefined) {
      for (const object of this.#selected(filter)) this.#send(response, 'ADDED', object);
    } else {
      for (const event of this.#history) {
        if (event.resourceVersion > since && this.#matches(filter, event.resource, event.object)) {
          this.#send(response, event.type, event.object);
        }
      }
    }
    const watcher: Watcher = {
      ...filter,
      bookmarks: query.allowWatchBookmarks === 'true' || query.allowWatchBookmarks === '1',
      response,
      timer: undefined,
    };
    const seconds = query.timeoutSeconds === undefined ? 0 : Number(query.timeoutSeconds);
    if (seconds > 0) {
      watcher.timer = setTimeout(() => {
        this.#watchers.delete(watcher);
        response.end();
      }, seconds * 1000);
    }
    this.#watchers.add(watcher);
    response.on('close', () => {
      if (watcher.timer) clearTimeout(watcher.timer);
      this.#watchers.delete(watcher);
    });
  }
}

export interface KubeconfigOptions {
  /** A bearer token for the user. */
  token?: string;
  /** The context's namespace. */
  namespace?: string;
  /** The context's name (default `fake`). */
  context?: string;
}

/**
 * Writes a kubeconfig whose current context points at the fake server (plain HTTP, so
 * `insecure-skip-tls-verify`, which client-node requires for an http:// server). Returns its path.
 */
export function writeKubeconfig(
  folder: string,
  server: FakeApiServer | string,
  options: KubeconfigOptions = {},
): string {
  const url = typeof server === 'string' ? server : server.url;
  const context = options.context ?? 'fake';
  const lines = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `  - name: ${context}-cluster`,
    '    cluster:',
    `      server: ${url}`,
    '      insecure-skip-tls-verify: true',
    'users:',
    `  - name: ${context}-user`,
    '    user:',
    ...(options.token === undefined ? ['      {}'] : [`      token: ${options.token}`]),
    'contexts:',
    `  - name: ${context}`,
    '    context:',
    `      cluster: ${context}-cluster`,
    `      user: ${context}-user`,
    ...(options.namespace === undefined ? [] : [`      namespace: ${options.namespace}`]),
    `current-context: ${context}`,
    '',
  ];
  const path = join(folder, `kubeconfig-${context}.yaml`);
  writeFileSync(path, lines.join('\n'));
  return path;
}

/** Waits until `check` holds, polling every 10 ms; throws after `timeoutMs` saying what was awaited. */
export async function eventually<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let round = 0; round < 100_000; round++) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
