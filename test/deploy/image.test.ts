/**
 * The container image, checked without a Docker engine (there is none where these tests run): the
 * Dockerfile and .dockerignore are read and judged, and the two stages are played out on the file
 * system — the build context as .dockerignore leaves it, the build stage's COPY and RUN (with the
 * repository's node_modules standing in for `npm ci`), the runtime stage's COPY --from=build — and the
 * result is started with the Deployment's own arguments, as the kubelet would start the container.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { createDevCertificate } from '../../webhook/src/dev-certificate.js';
import { FakeApiServer, type RecordedRequest, writeKubeconfig } from '../support/fake-api-server.js';
import { manifestsOf, requestHttp1, review } from '../webhook/harness.js';
import { copies, execForm, type Instruction, parseDockerfile, type Stage } from './dockerfile.js';
import { isIgnored, parseDockerignore } from './dockerignore.js';
import { type KubernetesObject, ROOT } from './kustomize.js';

const dockerfile = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const ignoreRules = parseDockerignore(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));
const deployment = parse(readFileSync(join(ROOT, 'deploy/base/deployment.yaml'), 'utf8')) as IDeployment;
const pod = deployment.spec?.template.spec;
const container = pod?.containers[0];
const webhookPackage = JSON.parse(readFileSync(join(ROOT, 'webhook/package.json'), 'utf8')) as {
  bin: Record<string, string>;
  version: string;
};

const buildStage = dockerfile.stages[0] as Stage;
const runtimeStage = dockerfile.stages.at(-1) as Stage;
const instructionsOf = (stage: Stage, keyword: string) =>
  stage.instructions.filter((i) => i.keyword === keyword);
const workdirOf = (stage: Stage): string => instructionsOf(stage, 'WORKDIR').at(-1)?.text ?? '/';

describe('Dockerfile', () => {
  it('builds in a stage of its own and runs in a small one', () => {
    expect(dockerfile.stages.map((s) => s.name)).toEqual(['build', 'runtime']);
    expect(buildStage.from).toMatch(/^node:\d+-[a-z]+-slim$/);
    expect(runtimeStage.from).toMatch(/^gcr\.io\/distroless\/nodejs\d+-debian\d+:nonroot$/);
  });

  it('uses one Node major in both stages, one the packages support', () => {
    const major = (image: string) => Number(/node(?:js)?:?(\d+)/.exec(image)?.[1]);
    expect(major(buildStage.from)).toBe(major(runtimeStage.from));
    const engines = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).engines.node as string;
    expect(major(runtimeStage.from)).toBeGreaterThanOrEqual(Number(/\d+/.exec(engines)?.[0]));
  });

  it('runs as a user that is not root, the one the Deployment names', () => {
    const user = instructionsOf(runtimeStage, 'USER').at(-1)?.text;
    expect(user).toMatch(/^\d+:\d+$/);
    const [uid, gid] = (user ?? '').split(':').map(Number);
    expect(uid).not.toBe(0);
    expect(gid).not.toBe(0);
    expect(pod?.securityContext?.runAsUser).toBe(uid);
    expect(pod?.securityContext?.runAsGroup).toBe(gid);
    expect(pod?.securityContext?.runAsNonRoot).toBe(true);
  });

  it('has no dependency installation and no node_modules in the runtime stage', () => {
    expect(instructionsOf(runtimeStage, 'RUN')).toEqual([]);
    const sources = copies(runtimeStage).flatMap((c) => c.sources);
    expect(sources.filter((s) => s.includes('node_modules'))).toEqual([]);
    expect(copies(runtimeStage).every((c) => c.from === 'build')).toBe(true);
    // The bundle and its chunks (with the production dependencies inside), their licence notices,
    // the bin and the package.json it reads.
    expect(sources.sort()).toEqual([
      '/src/webhook/bin/',
      '/src/webhook/dist/THIRD-PARTY-LICENSES.txt',
      '/src/webhook/dist/chunks/',
      '/src/webhook/dist/main.js',
      '/src/webhook/package.json',
    ]);
  });

  it('installs in the build stage from the lock file, without running scripts before the sources are in', () => {
    const runs = instructionsOf(buildStage, 'RUN').map((i) => i.text);
    expect(runs[0]).toBe('npm ci --ignore-scripts');
    expect(runs.some((r) => r.startsWith('npm run build'))).toBe(true);
  });

  it('starts the webhook bin as its entrypoint, in exec form', () => {
    const entrypoint = instructionsOf(runtimeStage, 'ENTRYPOINT').at(-1);
    expect(entrypoint).toBeDefined();
    const words = execForm(entrypoint ?? { keyword: '', text: '', line: 0 });
    expect(words?.[0]).toBe('/nodejs/bin/node');
    const bin = webhookPackage.bin['acid-guard-webhook'];
    expect(words?.[1]).toBe(posix.join(workdirOf(runtimeStage), 'webhook', bin ?? '?'));
    expect(instructionsOf(runtimeStage, 'CMD')).toEqual([]);
    // The Deployment gives arguments only: the image decides what runs.
    expect(container?.command).toBeUndefined();
  });

  it('exposes the port the Deployment uses', () => {
    expect(instructionsOf(runtimeStage, 'EXPOSE').map((i) => Number(i.text))).toEqual([
      container?.ports?.[0]?.containerPort,
    ]);
    expect(container?.args).toContain(`--port=${container?.ports?.[0]?.containerPort}`);
  });
});

/** Every file of the repository that is not under node_modules or .git (those are checked by name). */
function repositoryFiles(dir = '', found: string[] = []): string[] {
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === '.git') continue;
    const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) repositoryFiles(path, found);
    else if (entry.isFile()) found.push(path);
  }
  return found;
}

describe('.dockerignore', () => {
  const context = repositoryFiles().filter((path) => !isIgnored(ignoreRules, path));

  it('leaves tests, dependencies, builds, git and everything else out of the build context', () => {
    for (const path of [
      'node_modules/fastify/package.json',
      'packages/validator/node_modules/x/index.js',
      'webhook/node_modules/x/index.js',
      '.git/HEAD',
      'test/deploy/image.test.ts',
      'webhook/dist/main.js',
      'packages/validator/dist/cli.cjs',
      'docs/webhook.md',
      'examples/good/acid-orders.yaml',
      'deploy/base/deployment.yaml',
      'Dockerfile',
      '.env',
      'coverage/index.html',
    ]) {
      expect(isIgnored(ignoreRules, path), path).toBe(true);
    }
    expect(context.filter((path) => /(^|\/)(test|node_modules|dist|\.git)\//.test(path))).toEqual([]);
  });

  it('keeps what the build stage copies', () => {
    for (const copy of copies(buildStage).filter((c) => c.from === undefined)) {
      for (const source of copy.sources) {
        const wanted = source.replace(/\/$/, '');
        expect(
          context.some((path) => path === wanted || path.startsWith(`${wanted}/`)),
          `${source} (Dockerfile line ${copy.line})`,
        ).toBe(true);
      }
    }
    expect(context).toContain('webhook/src/main.ts');
    expect(context).toContain('packages/validator/src/generated/postgresql.schema.json');
  });

  it('follows Docker: the last matching pattern wins, and a directory pattern covers what is below it', () => {
    const rules = parseDockerignore('*\n!src/\n**/*.md\n!src/keep.md\n');
    expect(isIgnored(rules, 'README.md')).toBe(true);
    expect(isIgnored(rules, 'src/a/b.ts')).toBe(false);
    expect(isIgnored(rules, 'src/a/notes.md')).toBe(true);
    expect(isIgnored(rules, 'src/keep.md')).toBe(false);
    expect(isIgnored(rules, 'other/x.ts')).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------
// The two stages, played out.

const npm = spawnSync('npm', ['--version'], { encoding: 'utf8', timeout: 20_000 });
const npmMissing = npm.error !== undefined || npm.status !== 0;
if (npmMissing) console.warn('test/deploy: skipping the image build simulation: npm cannot be run here');

/** `/src/...` of a stage, inside the simulation's folder. */
const inside = (root: string, stageDir: string, path: string): string =>
  join(root, posix.isAbsolute(path) ? path : posix.join(stageDir, path));

/** COPY from the context or an earlier stage: files to a file, directories' contents into a directory. */
function playCopy(
  root: string,
  sourceRoot: string,
  files: readonly string[],
  stage: Stage,
  only?: Instruction,
): void {
  for (const copy of copies(stage).filter((c) => only === undefined || c.line === only.line)) {
    const destination = inside(root, workdirOf(stage), copy.destination);
    for (const source of copy.sources) {
      const from = copy.from === undefined ? join(sourceRoot, source) : join(root, source);
      const isDirectory =
        copy.from === undefined
          ? files.some((f) => f.startsWith(source.endsWith('/') ? source : `${source}/`))
          : source.endsWith('/');
      if (isDirectory) {
        const prefix = source.endsWith('/') ? source : `${source}/`;
        if (copy.from === undefined) {
          for (const file of files.filter((f) => f.startsWith(prefix))) {
            const target = join(destination, file.slice(prefix.length));
            mkdirSync(dirname(target), { recursive: true });
            cpSync(join(sourceRoot, file), target);
          }
        } else {
          cpSync(from, destination, { recursive: true });
        }
      } else {
        const target = copy.destination.endsWith('/')
          ? join(destination, posix.basename(source))
          : destination;
        mkdirSync(dirname(target), { recursive: true });
        cpSync(from, target);
      }
    }
  }
}

/** The repository's installed packages, standing in for `npm ci`, with the workspaces linked to the copies. */
function linkDependencies(buildDir: string): void {
  const modules = join(buildDir, 'node_modules');
  mkdirSync(join(modules, '@acid-guard'), { recursive: true });
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
    if (entry === '@acid-guard' || entry === '.cache') continue;
    symlinkSync(join(ROOT, 'node_modules', entry), join(modules, entry));
  }
  symlinkSync(join(buildDir, 'packages/validator'), join(modules, '@acid-guard/validator'));
  symlinkSync(join(buildDir, 'webhook'), join(modules, '@acid-guard/webhook'));
}

function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const instruction of instructionsOf(stage, 'ENV')) {
    for (const [, key, value] of instruction.text.matchAll(/(\w+)=(\S+)/g))
      env[key as string] = value as string;
  }
  return env;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The RBAC verb of a request: watch, list (a collection) or get (one object). */
function verbOf(request: RecordedRequest): string {
  if (request.watch) return 'watch';
  return request.path.endsWith(`/${request.resource}`) ? 'list' : 'get';
}

/** Whether the Roles and ClusterRoles of `rbac`, through their bindings, allow the request. */
function allowedBy(rbac: readonly KubernetesObject[], request: RecordedRequest): boolean {
  const rules = (kind: string, name: string, namespace?: string) =>
    (rbac.find(
      (o) =>
        o.kind === kind &&
        o.metadata.name === name &&
        (kind === 'ClusterRole' || o.metadata.namespace === namespace),
    )?.rules ?? []) as {
      apiGroups: string[];
      resources: string[];
      verbs: string[];
      resourceNames?: string[];
    }[];
  const applicable = rbac.flatMap((binding) => {
    const roleRef = binding.roleRef as { kind: string; name: string };
    if (binding.kind === 'ClusterRoleBinding') return rules(roleRef.kind, roleRef.name);
    if (binding.kind === 'RoleBinding' && binding.metadata.namespace === request.namespace) {
      return rules(roleRef.kind, roleRef.name, binding.metadata.namespace);
    }
    return [];
  });
  return applicable.some(
    (rule) =>
      rule.apiGroups.includes(request.group ?? '') &&
      rule.resources.includes(request.resource ?? '') &&
      rule.verbs.includes(verbOf(request)) &&
      (rule.resourceNames === undefined || rule.resourceNames.includes(request.name ?? '')),
  );
}

describe.skipIf(npmMissing)('the image, played out without Docker', () => {
  let root = '';
  let appDir = '';
  let child: ChildProcess | undefined;
  let stderr = '';
  let api: FakeApiServer | undefined;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'acid-guard-image-'));
    const context = repositoryFiles().filter((path) => !isIgnored(ignoreRules, path));
    const buildDir = inside(root, '/', workdirOf(buildStage));
    mkdirSync(buildDir, { recursive: true });
    // The build stage, in order: COPY from the context, RUN (npm ci replaced by the linked packages).
    for (const instruction of buildStage.instructions) {
      if (instruction.keyword === 'COPY') {
        playCopy(root, ROOT, context, buildStage, instruction);
      } else if (instruction.keyword === 'RUN' && instruction.text.startsWith('npm ci')) {
        linkDependencies(buildDir);
      } else if (instruction.keyword === 'RUN') {
        const run = spawnSync('sh', ['-c', instruction.text], {
          cwd: buildDir,
          encoding: 'utf8',
          timeout: 180_000,
          env: { ...process.env, ...envOf(buildStage) },
        });
        if (run.status !== 0) {
          throw new Error(`RUN ${instruction.text} failed (${run.status}): ${run.stdout}${run.stderr}`);
        }
      }
    }
    appDir = inside(root, '/', workdirOf(runtimeStage));
    mkdirSync(appDir, { recursive: true });
    playCopy(root, ROOT, [], runtimeStage);
  }, 240_000);

  afterAll(async () => {
    await api?.stop();
    if (child?.exitCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    if (root !== '') rmSync(root, { recursive: true, force: true });
  });

  it('leaves the bin, the bundle with its chunks and notices, and package.json in the runtime image; no node_modules', () => {
    const files = (dir: string, prefix = ''): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
      );
    const image = files(appDir).sort();
    expect(image.filter((f) => !f.startsWith('webhook/dist/chunks/'))).toEqual([
      'webhook/bin/acid-guard-webhook.js',
      'webhook/dist/THIRD-PARTY-LICENSES.txt',
      'webhook/dist/main.js',
      'webhook/package.json',
    ]);
    // Every chunk the build stage wrote, and nothing else.
    const built = inside(root, '/', `${workdirOf(buildStage)}/webhook/dist/chunks`);
    expect(image.filter((f) => f.startsWith('webhook/dist/chunks/'))).toEqual(
      readdirSync(built)
        .map((name) => `webhook/dist/chunks/${name}`)
        .sort(),
    );
    expect(image.some((f) => /^webhook\/dist\/chunks\/cluster-policy-source-\w+\.js$/.test(f))).toBe(true);
    for (let dir = appDir; dir !== dirname(dir); dir = dirname(dir)) {
      expect(existsSync(join(dir, 'node_modules')), dir).toBe(false);
    }
  });

  it("starts with the Deployment's arguments, reads the cluster within its RBAC, answers reviews, and shuts down in time", async () => {
    // The cluster, as far as the webhook reads it: the operator's Deployment and ConfigMap, the
    // defaults ConfigMap (as kustomize generates it from deploy/base/defaults-policy.yaml).
    const webhookNamespace = deployment.metadata?.namespace ?? '';
    api = await FakeApiServer.start();
    api.apply('deployments', {
      metadata: { name: 'postgres-operator', namespace: 'postgres-operator' },
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'postgres-operator', env: [{ name: 'CONFIG_MAP_NAME', value: 'postgres-operator' }] },
            ],
          },
        },
      },
    });
    api.apply('configmaps', {
      metadata: { name: 'postgres-operator', namespace: 'postgres-operator' },
      data: { enable_team_member_deprecation: 'false' },
    });
    api.apply('configmaps', {
      metadata: { name: 'acid-guard-defaults', namespace: webhookNamespace },
      data: { 'defaults.yaml': readFileSync(join(ROOT, 'deploy/base/defaults-policy.yaml'), 'utf8') },
    });
    const kubeconfig = writeKubeconfig(root, api);

    // The container's view: the Secret at /tls, an emptyDir at /tmp.
    const certificate = createDevCertificate({ hosts: ['127.0.0.1'] });
    const mounts: Record<string, string> = {};
    for (const mount of container?.volumeMounts ?? []) {
      const dir = join(root, 'mounts', mount.name);
      mkdirSync(dir, { recursive: true });
      mounts[mount.mountPath] = dir;
    }
    const tlsDir = mounts['/tls'] ?? '';
    writeFileSync(join(tlsDir, 'tls.crt'), certificate.cert);
    writeFileSync(join(tlsDir, 'tls.key'), certificate.key);
    const port = await freePort();
    const args = (container?.args ?? []).map((arg) => {
      if (arg.startsWith('--port=')) return `--port=${port}`;
      const [flag, value] = arg.split('=', 2);
      const mount = Object.keys(mounts).find((path) => value?.startsWith(`${path}/`));
      return mount === undefined ? arg : `${flag}=${mounts[mount]}${value?.slice(mount.length)}`;
    });
    const entrypoint = execForm(
      instructionsOf(runtimeStage, 'ENTRYPOINT').at(-1) ?? { keyword: '', text: '', line: 0 },
    );
    const script = (entrypoint?.[1] ?? '').replace(workdirOf(runtimeStage), appDir);
    // In the pod the service account's token and the API server's address come from the kubelet;
    // here a kubeconfig points at the fake API server.
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      ...envOf(runtimeStage),
      ACID_GUARD_KUBECONFIG: kubeconfig,
    };
    for (const variable of container?.env ?? []) {
      const fieldPath = variable.valueFrom?.fieldRef?.fieldPath;
      env[variable.name] = fieldPath === 'metadata.namespace' ? webhookNamespace : (variable.value ?? '');
    }
    // Loopback only: tests never listen on other addresses.
    child = spawn(process.execPath, [script, ...args, '--host=127.0.0.1', '--log-level=warn'], {
      cwd: appDir,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });

    let ready = 0;
    for (let attempt = 0; attempt < 100 && ready !== 200; attempt++) {
      ready = await requestHttp1(port, '/readyz', { ca: certificate.cert })
        .then((r) => r.status)
        .catch(() => 0);
      if (ready !== 200) await sleep(100);
      if (child.exitCode !== null) break;
    }
    expect(ready, stderr).toBe(200);

    // Every request it made to the API server is one the base's RBAC allows.
    const rbac = parseAllDocuments(readFileSync(join(ROOT, 'deploy/base/rbac.yaml'), 'utf8')).map(
      (d) => d.toJSON() as KubernetesObject,
    );
    const requests = api.requests.filter((r) => r.resource !== undefined);
    expect(requests.length).toBeGreaterThanOrEqual(4);
    expect(requests.filter((r) => !allowedBy(rbac, r)).map((r) => `${r.method} ${r.path}`)).toEqual([]);

    // A good manifest with `version: 17` unquoted: /validate refuses it, /mutate repairs it.
    const manifest = structuredClone(manifestsOf(join(ROOT, 'examples/good/acid-orders.yaml'))[0]);
    const spec = manifest?.spec as { postgresql: { version: unknown } };
    spec.postgresql.version = 17;
    const body = JSON.stringify(review({ object: manifest }));
    const validated = await requestHttp1(port, '/validate', { ca: certificate.cert, body });
    expect(validated.status).toBe(200);
    expect(validated.json<{ response: { allowed: boolean } }>().response.allowed).toBe(false);
    const mutated = await requestHttp1(port, '/mutate', { ca: certificate.cert, body });
    const patch = mutated.json<{ response: { allowed: boolean; patch?: string } }>().response;
    expect(patch.allowed).toBe(true);
    expect(JSON.parse(Buffer.from(patch.patch ?? '', 'base64').toString('utf8'))).toEqual([
      { op: 'replace', path: '/spec/postgresql/version', value: '17' },
    ]);

    const started = Date.now();
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    const seconds = (Date.now() - started) / 1000;
    expect(code, stderr).toBe(0);
    // What is left of the grace period once the preStop pause is over.
    const pause = container?.lifecycle?.preStop?.sleep?.seconds ?? 0;
    expect(seconds).toBeLessThan((pod?.terminationGracePeriodSeconds ?? 30) - pause);
  }, 30_000);
});
