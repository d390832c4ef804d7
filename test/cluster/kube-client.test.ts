import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  KubeApiError,
  KubeClient,
  KubeConfigError,
} from '../../packages/validator/src/cluster/kube-client.js';
import {
  CONFIG_MAPS,
  POSTGRES_TEAMS,
  POSTGRESQLS,
} from '../../packages/validator/src/cluster/resource-types.js';
import { eventually, FakeApiServer, writeKubeconfig } from '../support/fake-api-server.js';
import { postgresql } from './fixtures.js';

let fake: FakeApiServer;
let folder: string;
let kubeconfig: string;

beforeAll(async () => {
  fake = await FakeApiServer.start({ token: 'sesame' });
  folder = mkdtempSync(join(tmpdir(), 'acid-guard-kube-'));
  kubeconfig = writeKubeconfig(folder, fake, { token: 'sesame', namespace: 'apps' });
  for (let i = 0; i < 7; i++) {
    fake.apply('configmaps', { metadata: { name: `cm-${i}`, namespace: 'apps' }, data: { i: String(i) } });
  }
  fake.apply('configmaps', { metadata: { name: 'elsewhere', namespace: 'other' }, data: {} });
});

afterAll(async () => {
  await fake.close();
  rmSync(folder, { recursive: true, force: true });
});

beforeEach(() => {
  fake.requests.length = 0;
});

describe('KubeClient.connect: the kubeconfig as kubectl finds it', () => {
  it('reads --kubeconfig, its server and its context namespace', async () => {
    const client = await KubeClient.connect({ kubeconfig, env: {} });
    expect(client.server).toBe(fake.url);
    expect(client.namespace).toBe('apps');
  });

  it('reads KUBECONFIG (several files: the first one’s current context)', async () => {
    const other = writeKubeconfig(folder, 'http://127.0.0.1:1', { context: 'other' });
    const client = await KubeClient.connect({ env: { KUBECONFIG: `${kubeconfig}:${other}` } });
    expect(client.server).toBe(fake.url);
    const switched = await KubeClient.connect({
      env: { KUBECONFIG: `${kubeconfig}:${other}` },
      context: 'other',
    });
    expect(switched.server).toBe('http://127.0.0.1:1');
  });

  it('reads ~/.kube/config from HOME', async () => {
    const home = mkdtempSync(join(tmpdir(), 'acid-guard-home-'));
    const { mkdirSync, copyFileSync } = await import('node:fs');
    mkdirSync(join(home, '.kube'));
    copyFileSync(kubeconfig, join(home, '.kube', 'config'));
    const client = await KubeClient.connect({ env: { HOME: home } });
    expect(client.server).toBe(fake.url);
    rmSync(home, { recursive: true, force: true });
  });

  it('says which contexts exist when --context names none of them', async () => {
    const error = await KubeClient.connect({ kubeconfig, context: 'prod', env: {} }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(KubeConfigError);
    expect((error as Error).message).toBe(`context "prod" is not in ${kubeconfig} (it has fake)`);
  });

  it('is a KubeConfigError for a missing file, and without any configuration', async () => {
    const missing = await KubeClient.connect({ kubeconfig: join(folder, 'nope'), env: {} }).catch(
      (e: Error) => e,
    );
    expect(missing).toBeInstanceOf(KubeConfigError);
    expect((missing as Error).message).toMatch(/^cannot read kubeconfig .*nope: .*ENOENT/);
    const none = await KubeClient.connect({ env: {} }).catch((e: Error) => e);
    expect((none as Error).message).toMatch(/^no kubeconfig: give --kubeconfig/);
  });

  it('rejects a kubeconfig that is not YAML with the file name', async () => {
    const broken = join(folder, 'broken.yaml');
    writeFileSync(broken, 'clusters: [unclosed');
    const error = await KubeClient.connect({ kubeconfig: broken, env: {} }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(KubeConfigError);
    expect((error as Error).message).toContain(`cannot read kubeconfig ${broken}`);
  });
});

describe('KubeClient.list', () => {
  it('follows continue tokens page by page and fills in kind and apiVersion', async () => {
    const client = await KubeClient.connect({ kubeconfig, env: {} });
    const pages: [number, number | undefined][] = [];
    const list = await client.list(CONFIG_MAPS, {
      namespace: 'apps',
      pageSize: 3,
      onPage: (read, remaining) => pages.push([read, remaining]),
    });
    expect(list.items.map((item) => item.metadata.name)).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `cm-${i}`));
    expect(list.items.every((item) => item.kind === 'ConfigMap' && item.apiVersion === 'v1')).toBe(true);
    expect(list.resourceVersion).toBe(fake.resourceVersion);
    expect(pages).toEqual([
      [3, 4],
      [6, 1],
      [7, 0],
    ]);
    const calls = fake.requests.map((r) => [
      r.path,
      r.query.limit,
      r.query.continue === undefined ? '' : 'continue',
    ]);
    expect(calls).toEqual([
      ['/api/v1/namespaces/apps/configmaps', '3', ''],
      ['/api/v1/namespaces/apps/configmaps', '3', 'continue'],
      ['/api/v1/namespaces/apps/configmaps', '3', 'continue'],
    ]);
    expect(fake.requests.every((r) => r.authorization === 'Bearer sesame')).toBe(true);
  });

  it('lists across namespaces, and one object by name with a field selector', async () => {
    const client = await KubeClient.connect({ kubeconfig, env: {} });
    expect((await client.list(CONFIG_MAPS)).items).toHaveLength(8);
    const one = await client.list(CONFIG_MAPS, { namespace: 'apps', name: 'cm-4' });
    expect(one.items.map((item) => item.data)).toEqual([{ i: '4' }]);
    expect(fake.requests.at(-1)?.query.fieldSelector).toBe('metadata.name=cm-4');
  });

  it('starts over in one request when a continue token expired (410), as client-go’s pager does', async () => {
    const client = await KubeClient.connect({ kubeconfig, env: {} });
    let expired = false;
    const list = await client.list(CONFIG_MAPS, {
      namespace: 'apps',
      pageSize: 2,
      onPage: () => {
        if (!expired) fake.expireHistory();
        expired = true;
      },
    });
    expect(list.items).toHaveLength(7);
    expect(fake.requests.map((r) => [r.status, r.query.limit ?? 'all'])).toEqual([
      [200, '2'],
      [410, '2'],
      [200, 'all'],
    ]);
  });

  it('names the request and gives the API server’s reason in one line (403)', async () => {
    const client = await KubeClient.connect({ kubeconfig, env: {} });
    fake.failNext(
      { resource: 'postgresqls' },
      403,
      'postgresqls.acid.zalan.do is forbidden: User "system:serviceaccount:ci:audit" cannot list resource "postgresqls" in API group "acid.zalan.do" at the cluster scope',
    );
    const error = await client.list(POSTGRESQLS).catch((e: Error) => e);
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).status).toBe(403);
    expect((error as Error).message).toBe(
      `GET ${fake.url}/apis/acid.zalan.do/v1/postgresqls?limit=500: 403 Forbidden: postgresqls.acid.zalan.do is forbidden: User "system:serviceaccount:ci:audit" cannot list resource "postgresqls" in API group "acid.zalan.do" at the cluster scope`,
    );
    expect((error as Error).message).not.toContain('\n');
  });

  it('is a KubeApiError with the network error when nothing listens', async () => {
    const down = await KubeClient.connect({
      kubeconfig: writeKubeconfig(folder, 'http://127.0.0.1:1', { context: 'down' }),
      env: {},
    });
    const error = await down.list(POSTGRES_TEAMS).catch((e: Error) => e);
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).status).toBeUndefined();
    expect((error as Error).message).toBe(
      'GET http://127.0.0.1:1/apis/acid.zalan.do/v1/postgresteams?limit=500: connect ECONNREFUSED 127.0.0.1:1',
    );
  });

  it('gives up on a server that does not answer within the request timeout', async () => {
    const { createServer } = await import('node:net');
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const client = await KubeClient.connect({
      kubeconfig: writeKubeconfig(folder, `http://127.0.0.1:${port}`, { context: 'silent' }),
      env: {},
      requestTimeoutMs: 200,
    });
    const started = Date.now();
    const error = await client.list(CONFIG_MAPS).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/: no answer within 0.2 s$/);
    expect(Date.now() - started).toBeLessThan(5000);
    silent.close();
  });
});

describe('KubeClient.watch (client-node’s Watch)', () => {
  it('streams events from a resourceVersion, with bookmarks, and ends when the connection drops', async () => {
    const client = await KubeClient.connect({ kubeconfig, env: {} });
    const list = await client.list(POSTGRESQLS, { namespace: 'apps' });
    const events: string[] = [];
    let done: Error | null | undefined;
    const handle = await client.watch(
      POSTGRESQLS,
      { namespace: 'apps', resourceVersion: list.resourceVersion, allowBookmarks: true },
      {
        onEvent: (type, object) => {
          const metadata = (object as { metadata: { name?: string; resourceVersion: string } }).metadata;
          events.push(`${type} ${metadata.name ?? '-'} ${metadata.resourceVersion}`);
        },
        onDone: (error) => {
          done = error;
        },
      },
    );
    await eventually(() => fake.watcherCount('postgresqls') === 1, 'the watch');
    const added = fake.apply('postgresqls', postgresql('apps', 'acid-one'));
    fake.apply('postgresqls', postgresql('other', 'acid-elsewhere'));
    const modified = fake.apply('postgresqls', postgresql('apps', 'acid-one', { numberOfInstances: 3 }));
    fake.bookmark();
    fake.remove('postgresqls', 'apps', 'acid-one');
    await eventually(() => events.length === 4, 'four events');
    expect(events).toEqual([
      `ADDED acid-one ${added.metadata.resourceVersion}`,
      `MODIFIED acid-one ${modified.metadata.resourceVersion}`,
      `BOOKMARK - ${modified.metadata.resourceVersion}`,
      `DELETED acid-one ${fake.resourceVersion}`,
    ]);
    const query = fake.requests.find((r) => r.watch)?.query;
    expect(query).toMatchObject({
      watch: 'true',
      resourceVersion: list.resourceVersion,
      allowWatchBookmarks: 'true',
    });
    expect(fake.dropWatches()).toBe(1);
    await eventually(() => done !== undefined, 'the end of the watch');
    expect(done).toBeInstanceOf(KubeApiError);
    handle.abort();
  });

  it('tells 410 Gone as an HTTP status', async () => {
    const client = await KubeClient.connect({ kubeconfig, env: {} });
    fake.expireHistory();
    fake.goneAs = 'status';
    let done: Error | null | undefined;
    await client.watch(
      CONFIG_MAPS,
      { namespace: 'apps', resourceVersion: '1' },
      { onEvent: () => {}, onDone: (error) => (done = error) },
    );
    await eventually(() => done !== undefined, 'the refusal');
    fake.goneAs = 'event';
    expect((done as KubeApiError).status).toBe(410);
    expect((done as Error).message).toMatch(/: 410 Gone: the watch was refused$/);
  });

  it('calls nothing after abort()', async () => {
    const client = await KubeClient.connect({ kubeconfig, env: {} });
    const calls: string[] = [];
    const handle = await client.watch(
      CONFIG_MAPS,
      { namespace: 'apps', resourceVersion: fake.resourceVersion },
      { onEvent: (type) => calls.push(type), onDone: () => calls.push('done') },
    );
    await eventually(() => fake.watcherCount('configmaps') === 1, 'the watch');
    handle.abort();
    fake.apply('configmaps', { metadata: { name: 'late', namespace: 'apps' } });
    await eventually(() => fake.watcherCount('configmaps') === 0, 'the watch to close');
    expect(calls).toEqual([]);
  });
});
