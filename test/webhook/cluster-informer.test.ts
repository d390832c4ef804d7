import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_MAPS, KubeClient, POSTGRES_TEAMS } from '@acid-guard/validator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Backoff } from '../../webhook/src/cluster/backoff.js';
import { Informer, type InformerProblem } from '../../webhook/src/cluster/informer.js';
import { eventually, FakeApiServer, writeKubeconfig } from '../support/fake-api-server.js';

let fake: FakeApiServer;
let folder: string;
let client: KubeClient;
const informers: Informer[] = [];

beforeAll(async () => {
  fake = await FakeApiServer.start();
  folder = mkdtempSync(join(tmpdir(), 'acid-guard-informer-'));
  client = await KubeClient.connect({ kubeconfig: writeKubeconfig(folder, fake), env: {} });
});

afterAll(async () => {
  await fake.close();
  rmSync(folder, { recursive: true, force: true });
});

afterEach(async () => {
  await Promise.all(informers.splice(0).map((informer) => informer.stop()));
  // A stopped informer's watch is closed: the next test starts with none.
  await eventually(() => fake.watcherCount() === 0, 'the watches of stopped informers to close');
  fake.requests.length = 0;
  fake.goneAs = 'event';
});

function configMap(name: string, data: Record<string, string>, namespace = 'ops') {
  return { metadata: { name, namespace }, data };
}

/** An informer with short waits, and what it told. */
function informer(options: { namespace?: string; name?: string; type?: typeof CONFIG_MAPS } = {}) {
  const changes: string[][] = [];
  const problems: InformerProblem[] = [];
  const created = new Informer({
    client,
    type: options.type ?? CONFIG_MAPS,
    ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
    ...(options.name === undefined ? {} : { name: options.name }),
    backoff: { initialMs: 20, maxMs: 100 },
    watchTimeoutSeconds: () => 30,
    onChange: (self) =>
      changes.push(
        self.objects().map((o) => `${o.metadata.name}=${JSON.stringify((o as { data?: unknown }).data)}`),
      ),
    onProblem: (_self, problem) => problems.push(problem),
  });
  informers.push(created);
  created.start();
  return { informer: created, changes, problems };
}

describe('Backoff: exponential with jitter, bounded', () => {
  it('doubles from the first wait to the last, each between half and all of its ceiling', () => {
    const low = new Backoff({ initialMs: 500, maxMs: 30_000, random: () => 0 });
    const high = new Backoff({ initialMs: 500, maxMs: 30_000, random: () => 0.999999 });
    const lows = Array.from({ length: 9 }, () => low.next());
    const highs = Array.from({ length: 9 }, () => high.next());
    expect(lows).toEqual([250, 500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000]);
    expect(highs).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    low.reset();
    expect(low.next()).toBe(250);
  });
});

describe('Informer: list, then watch from the list’s resourceVersion', () => {
  it('lists, tells it is synced, and follows ADDED, MODIFIED and DELETED', async () => {
    fake.apply('configmaps', configMap('a', { v: '1' }));
    const { informer: watching, changes } = informer({ namespace: 'ops' });
    await eventually(() => watching.synced, 'the first list');
    expect(changes).toEqual([['a={"v":"1"}']]);
    const list = fake.requests.find((r) => !r.watch);
    await eventually(() => fake.watcherCount('configmaps') === 1, 'the watch');
    expect(fake.requests.find((r) => r.watch)?.query).toMatchObject({
      resourceVersion: fake.resourceVersion,
      allowWatchBookmarks: 'true',
      timeoutSeconds: '30',
    });
    expect(list?.query.limit).toBe('500');
    fake.apply('configmaps', configMap('b', { v: '2' }));
    fake.apply('configmaps', configMap('a', { v: '3' }));
    fake.remove('configmaps', 'ops', 'b');
    await eventually(() => changes.length === 4, 'three more changes');
    expect(changes.slice(1)).toEqual([
      ['a={"v":"1"}', 'b={"v":"2"}'],
      ['a={"v":"3"}', 'b={"v":"2"}'],
      ['a={"v":"3"}'],
    ]);
    fake.remove('configmaps', 'ops', 'a');
  });

  it('watches one object by name (a field selector, which RBAC resourceNames allow)', async () => {
    fake.apply('configmaps', configMap('wanted', { v: '1' }));
    fake.apply('configmaps', configMap('other', { v: '1' }));
    const { informer: watching, changes } = informer({ namespace: 'ops', name: 'wanted' });
    await eventually(() => fake.watcherCount('configmaps') === 1, 'the watch');
    fake.apply('configmaps', configMap('other', { v: '2' }));
    fake.apply('configmaps', configMap('wanted', { v: '2' }));
    await eventually(() => changes.length === 2, 'the change of the wanted object');
    expect(watching.objects().map((o) => o.metadata.name)).toEqual(['wanted']);
    expect(fake.requests.every((r) => r.query.fieldSelector === 'metadata.name=wanted')).toBe(true);
    fake.remove('configmaps', 'ops', 'wanted');
    fake.remove('configmaps', 'ops', 'other');
  });

  it('recovers from a dropped connection: waits, watches again from the last resourceVersion, misses nothing', async () => {
    fake.apply('configmaps', configMap('c', { v: '1' }));
    const { informer: watching, changes, problems } = informer({ namespace: 'ops' });
    await eventually(() => fake.watcherCount('configmaps') === 1, 'the watch');
    fake.apply('configmaps', configMap('c', { v: '2' }));
    await eventually(() => changes.length === 2, 'the first change');
    const lastSeen = fake.resourceVersion;
    expect(fake.dropWatches()).toBe(1);
    // A change while nobody watches: the next watch replays it.
    fake.apply('configmaps', configMap('c', { v: '3' }));
    await eventually(() => changes.length === 3, 'the change made while disconnected');
    expect(watching.objects().map((o) => (o as { data?: unknown }).data)).toEqual([{ v: '3' }]);
    expect(problems.map((p) => [p.phase, p.reason])).toEqual([['watch', 'dropped']]);
    expect(problems[0]?.retryInMs).toBeGreaterThanOrEqual(10);
    const watches = fake.requests.filter((r) => r.watch);
    expect(watches.map((r) => r.query.resourceVersion)).toEqual([expect.any(String), lastSeen]);
    // No second list: the resourceVersion was still good.
    expect(fake.requests.filter((r) => !r.watch)).toHaveLength(1);
    fake.remove('configmaps', 'ops', 'c');
  });

  it('lists again after 410 Gone, told as an ERROR event (the API server’s way) or as an HTTP status', async () => {
    for (const goneAs of ['event', 'status'] as const) {
      fake.requests.length = 0;
      fake.goneAs = goneAs;
      fake.apply('configmaps', configMap('d', { v: '1' }));
      const { informer: watching, changes, problems } = informer({ namespace: 'ops' });
      await eventually(() => fake.watcherCount('configmaps') === 1, 'the watch');
      fake.dropWatches();
      fake.apply('configmaps', configMap('d', { v: '2' }));
      fake.expireHistory();
      await eventually(() => watching.objects()[0]?.data !== undefined && changes.length >= 2, 'the re-list');
      expect(watching.objects().map((o) => (o as { data?: unknown }).data)).toEqual([{ v: '2' }]);
      expect(problems.map((p) => p.reason)).toEqual(['dropped', 'gone']);
      expect(fake.requests.filter((r) => !r.watch)).toHaveLength(2);
      await watching.stop();
      await eventually(() => fake.watcherCount() === 0, 'the watch to close');
      fake.remove('configmaps', 'ops', 'd');
    }
  });

  it('moves its resourceVersion on with BOOKMARK events, without telling a change', async () => {
    const { informer: watching, changes, problems } = informer({ namespace: 'quiet' });
    await eventually(() => fake.watcherCount('configmaps') === 1, 'the watch');
    fake.apply('configmaps', configMap('elsewhere', { v: '1' }, 'ops'));
    fake.bookmark();
    const bookmarked = fake.resourceVersion;
    fake.apply('configmaps', configMap('elsewhere', { v: '2' }, 'ops'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    fake.dropWatches();
    await eventually(() => fake.requests.filter((r) => r.watch).length === 2, 'the second watch');
    expect(fake.requests.filter((r) => r.watch)[1]?.query.resourceVersion).toBe(bookmarked);
    expect(changes).toHaveLength(1);
    expect(problems.map((p) => p.reason)).toEqual(['dropped']);
    expect(watching.synced).toBe(true);
    fake.remove('configmaps', 'ops', 'elsewhere');
  });

  it('retries a refused list with backoff and syncs once the API server lets it', async () => {
    fake.failNext({ resource: 'configmaps', watch: false }, 403, 'configmaps is forbidden', 2);
    const { informer: watching, problems } = informer({ namespace: 'ops' });
    await eventually(() => watching.synced, 'the list after two refusals');
    expect(
      problems.map((p) => [p.phase, p.reason, p.error?.message.split(': ').slice(1).join(': ')]),
    ).toEqual([
      ['list', 'error', '403 Forbidden: configmaps is forbidden'],
      ['list', 'error', '403 Forbidden: configmaps is forbidden'],
    ]);
    const [first, second] = problems.map((p) => p.retryInMs ?? 0);
    expect(first).toBeLessThanOrEqual(20);
    expect(second).toBeGreaterThanOrEqual(20);
  });

  it('treats a resource the server does not serve (no CRD) as empty, and synced', async () => {
    fake.failNext({ resource: 'postgresteams' }, 404, 'the server could not find the requested resource');
    const { informer: watching, changes, problems } = informer({ type: POSTGRES_TEAMS });
    await eventually(() => watching.synced, 'the empty sync');
    expect(changes).toEqual([[]]);
    expect(problems.map((p) => p.reason)).toEqual(['missing']);
    // Looked for again after the longest wait: then found, and watched.
    await eventually(() => fake.watcherCount('postgresteams') === 1, 'the watch once served', 2000);
  });

  it('reconnects after the API server was away, and stops cleanly', async () => {
    fake.apply('configmaps', configMap('e', { v: '1' }));
    const { informer: watching, changes } = informer({ namespace: 'ops' });
    await eventually(() => fake.watcherCount('configmaps') === 1, 'the watch');
    await fake.stop();
    await new Promise((resolve) => setTimeout(resolve, 150));
    await fake.resume();
    fake.apply('configmaps', configMap('e', { v: '2' }));
    await eventually(() => changes.length === 2, 'the change after the restart', 3000);
    const started = Date.now();
    await watching.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    // Stopped means stopped: no request after it, and its watch closes.
    const requests = fake.requests.length;
    await eventually(() => fake.watcherCount() === 0, 'the watch to close');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fake.requests.length).toBe(requests);
    fake.remove('configmaps', 'ops', 'e');
  });
});
