/**
 * An informer: a local copy of one collection (or one named object) of the API server, kept up to
 * date by the list-then-watch protocol.
 *
 * 1. List (page by page) and remember the list's resourceVersion.
 * 2. Watch from that resourceVersion; every event updates the copy and moves the resourceVersion on
 *    (BOOKMARK events move it without a change).
 * 3. When the watch ends: after a normal end (the server's `timeoutSeconds`) watch again from the last
 *    resourceVersion; after 410 Gone (the resourceVersion is too old) list again; after a dropped
 *    connection or an error, wait (exponential backoff with jitter, 0.5 s → 30 s by default) and
 *    watch again from the last resourceVersion — events missed meanwhile are replayed by the server,
 *    or it answers 410 and we list.
 *
 * A watch that sends nothing for longer than its timeout plus a minute is given up as dead (a
 * half-open connection never ends by itself). Nobody ever waits for an informer: readers take its
 * copy as it is.
 *
 * We run the loop ourselves rather than with client-node's ListWatch: that reads one page, leaves the
 * restart after an error to its caller without backoff, and tells no "synced" moment.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  asObject,
  describeObject,
  KubeApiError,
  type KubeClient,
  type KubeObject,
  objectKey,
  type ResourceType,
  type WatchHandle,
} from '@acid-guard/validator';
import { Backoff, type BackoffOptions } from './backoff.js';

/** Why a watch or a list had to be restarted. */
export type RestartReason = 'gone' | 'dropped' | 'error';

export interface InformerProblem {
  phase: 'list' | 'watch';
  reason: RestartReason | 'missing';
  error?: Error;
  /** When the next try is. */
  retryInMs?: number;
}

export interface InformerTuning {
  backoff?: BackoffOptions;
  /** Items per list page (default 500). */
  pageSize?: number;
  /** How long the server keeps a watch open (`timeoutSeconds`); a random 5 to 10 minutes by default, as client-go. */
  watchTimeoutSeconds?: () => number;
  /** A watch silent for this long is given up; default: its timeout plus 60 s. */
  idleTimeoutMs?: number;
}

export interface InformerOptions extends InformerTuning {
  client: KubeClient;
  type: ResourceType;
  /** One namespace; all namespaces when undefined. */
  namespace?: string;
  /** Only the object of this name (a field selector, which RBAC resourceNames allow). */
  name?: string;
  /** Called after the first list and after every change of the copy. */
  onChange: (informer: Informer) => void;
  /** Called when a list or a watch failed and will be retried. */
  onProblem?: (informer: Informer, problem: InformerProblem) => void;
}

type WatchOutcome =
  | { kind: 'closed' | 'gone' | 'stopped'; resourceVersion: string; events: number; lastedMs: number }
  | { kind: 'failed'; resourceVersion: string; events: number; lastedMs: number; error: Error };

/** A watch that delivered events or lasted this long was healthy: the backoff starts over. */
const HEALTHY_WATCH_MS = 10_000;

export class Informer {
  readonly #options: InformerOptions;
  readonly #backoff: Backoff;
  #objects = new Map<string, KubeObject>();
  #synced = false;
  #stopped = false;
  #missing = false;
  #sleep: AbortController | undefined;
  #endWatch: (() => void) | undefined;
  /** The last watch request: stop() waits until it is closed on our side. */
  #watchRequest: Promise<WatchHandle> | undefined;
  #loop: Promise<void> | undefined;

  constructor(options: InformerOptions) {
    this.#options = options;
    this.#backoff = new Backoff(options.backoff);
  }

  get type(): ResourceType {
    return this.#options.type;
  }

  get namespace(): string | undefined {
    return this.#options.namespace;
  }

  get name(): string | undefined {
    return this.#options.name;
  }

  /** `configmaps postgres-operator/postgres-operator`, `postgresteams (all namespaces)`: for logs. */
  get label(): string {
    const { type, namespace, name } = this.#options;
    if (name !== undefined)
      return `${type.resource} ${namespace === undefined ? '' : `${namespace}/`}${name}`;
    return `${type.resource} (${namespace === undefined ? 'all namespaces' : `namespace ${namespace}`})`;
  }

  /** Whether the first list has been read. */
  get synced(): boolean {
    return this.#synced;
  }

  /** The objects as last seen, in `namespace/name` order. */
  objects(): KubeObject[] {
    return [...this.#objects.values()].sort((a, b) => objectKey(a).localeCompare(objectKey(b)));
  }

  start(): void {
    this.#loop ??= this.#run().catch((error: unknown) => {
      // The loop handles its own errors; anything else is a bug, told and not swallowed silently.
      this.#options.onProblem?.(this, { phase: 'watch', reason: 'error', error: error as Error });
    });
  }

  /** Stops; resolves once no request of this informer is open any more (or after 2 s at most). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#sleep?.abort();
    this.#endWatch?.();
    await this.#loop;
    const request = this.#watchRequest;
    if (request !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      const closed = request.then((handle) => handle.closed).catch(() => {});
      await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
      clearTimeout(timer);
    }
  }

  async #pause(ms: number): Promise<void> {
    this.#sleep = new AbortController();
    try {
      await sleep(ms, undefined, { signal: this.#sleep.signal });
    } catch {
      // Aborted by stop().
    } finally {
      this.#sleep = undefined;
    }
  }

  #problem(problem: InformerProblem): void {
    this.#options.onProblem?.(this, problem);
  }

  async #run(): Promise<void> {
    let resourceVersion: string | undefined;
    // Runs until stop(); every turn either lists, watches or waits, so it never spins.
    while (!this.#stopped) {
      if (resourceVersion === undefined) {
        resourceVersion = await this.#list();
        continue;
      }
      const outcome = await this.#watch(resourceVersion);
      resourceVersion = outcome.resourceVersion;
      if (outcome.kind === 'stopped') break;
      const healthy = outcome.events > 0 || outcome.lastedMs >= HEALTHY_WATCH_MS;
      if (healthy) this.#backoff.reset();
      if (outcome.kind === 'closed') {
        // The server's timeoutSeconds: watch on at once, unless it closes right away again and again.
        if (!healthy) await this.#pause(this.#backoff.next());
        continue;
      }
      const retryInMs = this.#backoff.next();
      if (outcome.kind === 'failed') {
        this.#problem({ phase: 'watch', reason: 'dropped', error: outcome.error, retryInMs });
      } else {
        resourceVersion = undefined;
        this.#problem({ phase: 'watch', reason: 'gone', retryInMs });
      }
      await this.#pause(retryInMs);
    }
  }

  /** Lists; returns the resourceVersion to watch from, or undefined to list again (after a wait). */
  async #list(): Promise<string | undefined> {
    const { client, type, namespace, name, pageSize } = this.#options;
    try {
      const list = await client.list(type, {
        ...(namespace === undefined ? {} : { namespace }),
        ...(name === undefined ? {} : { name }),
        ...(pageSize === undefined ? {} : { pageSize }),
      });
      this.#missing = false;
      this.#replace(list.items);
      return list.resourceVersion;
    } catch (error) {
      if (this.#stopped) return undefined;
      if (error instanceof KubeApiError && error.status === 404) {
        // The resource is not served (its CRD is not installed): nothing to see, which is a state too.
        // Look again now and then; a watch would only be refused the same way.
        if (!this.#missing)
          this.#problem({ phase: 'list', reason: 'missing', error, retryInMs: this.#backoff.maxMs });
        this.#missing = true;
        this.#replace([]);
        await this.#pause(this.#backoff.maxMs);
        return undefined;
      }
      const retryInMs = this.#backoff.next();
      this.#problem({ phase: 'list', reason: 'error', error: error as Error, retryInMs });
      await this.#pause(retryInMs);
      return undefined;
    }
  }

  /** The copy after a list: changed (and told) only when the objects or their versions differ. */
  #replace(items: readonly KubeObject[]): void {
    const next = new Map(items.map((item) => [objectKey(item), item]));
    const same =
      next.size === this.#objects.size &&
      [...next].every(
        ([key, item]) => this.#objects.get(key)?.metadata.resourceVersion === item.metadata.resourceVersion,
      );
    this.#objects = next;
    if (same && this.#synced) return;
    this.#synced = true;
    this.#options.onChange(this);
  }

  #watch(from: string): Promise<WatchOutcome> {
    const { client, type, namespace, name } = this.#options;
    const timeoutSeconds = this.#options.watchTimeoutSeconds?.() ?? 300 + Math.floor(Math.random() * 300);
    const idleMs = this.#options.idleTimeoutMs ?? (timeoutSeconds + 60) * 1000;
    const started = Date.now();
    let resourceVersion = from;
    let events = 0;
    return new Promise<WatchOutcome>((resolve) => {
      let handle: WatchHandle | undefined;
      let finished = false;
      let idle: NodeJS.Timeout | undefined;
      const finish = (kind: 'closed' | 'gone' | 'stopped' | 'failed', error?: Error): void => {
        if (finished) return;
        finished = true;
        clearTimeout(idle);
        this.#endWatch = undefined;
        handle?.abort();
        const lastedMs = Date.now() - started;
        if (kind === 'failed') {
          resolve({ kind, resourceVersion, events, lastedMs, error: error ?? new Error('watch failed') });
        } else resolve({ kind, resourceVersion, events, lastedMs });
      };
      const watchdog = (): void => {
        clearTimeout(idle);
        idle = setTimeout(
          () =>
            finish(
              'failed',
              new Error(`no event for ${Math.round(idleMs / 1000)} s: connection presumed dead`),
            ),
          idleMs,
        );
      };
      this.#endWatch = () => finish('stopped');
      if (this.#stopped) {
        finish('stopped');
        return;
      }
      watchdog();
      const request = client.watch(
        type,
        {
          ...(namespace === undefined ? {} : { namespace }),
          ...(name === undefined ? {} : { name }),
          resourceVersion,
          timeoutSeconds,
          allowBookmarks: true,
        },
        {
          onEvent: (eventType, object) => {
            if (finished) return;
            watchdog();
            const outcome = this.#apply(eventType, object);
            if (outcome === 'gone') {
              finish('gone');
              return;
            }
            if (outcome instanceof Error) {
              finish('failed', outcome);
              return;
            }
            events += 1;
            if (outcome !== undefined) resourceVersion = outcome;
          },
          onDone: (error) => {
            if (error === null) finish('closed');
            else if (error instanceof KubeApiError && error.status === 410) finish('gone');
            else finish('failed', error);
          },
        },
      );
      this.#watchRequest = request;
      request
        .then((started) => {
          handle = started;
          if (finished) started.abort();
        })
        .catch((error: unknown) => finish('failed', error as Error));
    });
  }

  /**
   * One watch event: updates the copy and returns the new resourceVersion; 'gone' for a 410 ERROR
   * event, an Error for another ERROR event.
   */
  #apply(eventType: string, value: unknown): string | 'gone' | Error | undefined {
    const { type } = this.#options;
    if (eventType === 'ERROR') {
      const status = value as { code?: unknown; message?: unknown } | null;
      if (status?.code === 410) return 'gone';
      const message = typeof status?.message === 'string' ? status.message : JSON.stringify(value);
      return new Error(`the API server ended the watch: ${message}`);
    }
    const metadata = (value as { metadata?: { resourceVersion?: unknown } } | null)?.metadata;
    const resourceVersion =
      typeof metadata?.resourceVersion === 'string' ? metadata.resourceVersion : undefined;
    if (eventType === 'BOOKMARK') return resourceVersion;
    const object = asObject(value, type);
    if (object === undefined) return new Error(`a ${eventType} event without an object name`);
    const key = objectKey(object);
    if (eventType === 'ADDED' || eventType === 'MODIFIED') this.#objects.set(key, object);
    else if (eventType === 'DELETED') this.#objects.delete(key);
    else return resourceVersion;
    this.#options.onChange(this);
    return resourceVersion;
  }

  /** `ConfigMap ns/name` of an object of this informer. */
  describe(object: KubeObject): string {
    return describeObject(this.#options.type.kind, object.metadata.namespace, object.metadata.name);
  }
}
