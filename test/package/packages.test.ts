/**
 * The packages as a user meets them: `npm pack` of @acid-guard/validator and @acid-guard/webhook
 * (from the build `npm test` runs first), the tarballs installed into empty projects with nothing of
 * this repository around them, then the CLI through `npx`, the library from an ES module and from
 * TypeScript checked against the published declarations, and the webhook's bin serving `/readyz`.
 * Sizes and dependency counts are measured and held to budgets: generous, but a bundle that doubles
 * or a dependency that drags in a tree fails here.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanEnv,
  createProject,
  install,
  installedPackages,
  MB,
  type Packed,
  pack,
  packageId,
  ROOT,
  run,
  treeSize,
} from './npm-project.js';

interface Manifest {
  name: string;
  version: string;
  license: string;
  engines: { node: string };
  repository: { type: string; url: string; directory: string };
  bin: Record<string, string>;
  main: string;
  types: string;
  exports: Record<string, string | Record<string, string>>;
  files: string[];
  keywords: string[];
  description: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const PACKAGES = {
  validator: { dir: join(ROOT, 'packages/validator'), folder: 'packages/validator' },
  webhook: { dir: join(ROOT, 'webhook'), folder: 'webhook' },
} as const;
const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
const validatorManifest = manifestOf(PACKAGES.validator.dir);
const webhookManifest = manifestOf(PACKAGES.webhook.dir);

/**
 * Budgets, against the sizes measured when they were set (0.1.0: validator 1.02 MB packed, 5.5 MB
 * unpacked, 69 MB installed with 80 packages, 55 MB of them @kubernetes/client-node; webhook 1.3 MB
 * packed, 16.7 MB unpacked, nothing else installed). About 1.5× of each, so that only a real change
 * of what is shipped trips them; the webhook's zero dependencies are exact, by design.
 */
const BUDGET = {
  validator: { packed: 1.5 * MB, unpacked: 8 * MB, installed: 100 * MB, dependencies: 120 },
  webhook: { packed: 2.5 * MB, unpacked: 26 * MB, installed: 26 * MB, dependencies: 0 },
};

/** What a tarball may hold: the built JavaScript, declarations, the schema, README, LICENSE and the bundled packages' licences. */
const SHIPPED = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^bin\/[\w-]+\.c?js$/,
  /^dist\/([\w-]+\/)*[\w.-]+\.(js|cjs|d\.ts)$/,
  /^dist\/postgresql\.schema\.json$/,
  /^dist\/THIRD-PARTY-LICENSES\.txt$/,
];

const BAD = 'examples/bad/typos-and-nulls.yaml';
const GOOD = 'examples/good/acid-orders.yaml';
const WORKSPACE_BIN = join(ROOT, 'packages/validator/bin/acid-guard.cjs');

const npm = spawnSync('npm', ['--version'], { encoding: 'utf8', timeout: 20_000 });
const npmMissing = npm.error !== undefined || npm.status !== 0;
if (npmMissing) console.warn('test/package: skipping the package tests: npm cannot be run here');

describe.skipIf(npmMissing)('the packages as published', () => {
  let work = '';
  let validator: Packed;
  let webhook: Packed;
  /** An empty project with only the validator's tarball installed. */
  let consumer = '';
  /** An empty project with only the webhook's tarball installed. */
  let server = '';
  /** Why the tarballs could not be installed here (no registry, and the npm cache lacks a package). */
  let unavailable: string | undefined;

  const needsInstall = (context: { skip: () => void }) => {
    if (unavailable !== undefined) context.skip();
  };
  /** A command in `cwd`, as a user runs it there. */
  const inProject = (cwd: string, command: string, args: string[], timeout = 30_000) =>
    run(command, args, { cwd, timeout, env: cleanEnv() });

  beforeAll(() => {
    for (const built of ['packages/validator/dist/cli.cjs', 'webhook/dist/main.js']) {
      if (!existsSync(join(ROOT, built))) throw new Error(`${built} is missing: build first (npm run build)`);
    }
    work = mkdtempSync(join(tmpdir(), 'acid-guard-packages-'));
    const packs = join(work, 'packs');
    mkdirSync(packs);
    validator = pack(PACKAGES.validator.dir, packs);
    webhook = pack(PACKAGES.webhook.dir, packs);

    consumer = join(work, 'consumer');
    server = join(work, 'server');
    for (const [project, tarball] of [
      [consumer, validator.tarball],
      [server, webhook.tarball],
    ] as const) {
      mkdirSync(project);
      createProject(project);
      const outcome = install(project, [tarball]);
      if (outcome.ok) continue;
      if (outcome.network === undefined) throw new Error(`npm install ${tarball} failed:\n${outcome.stderr}`);
      unavailable = `npm install could not reach the registry (${outcome.network}) and the npm cache lacks a dependency`;
      console.warn(`test/package: skipping what needs the installed packages: ${unavailable}`);
      return;
    }
    mkdirSync(join(consumer, 'manifests'));
    copyFileSync(join(ROOT, BAD), join(consumer, 'manifests/bad.yaml'));
    copyFileSync(join(ROOT, GOOD), join(consumer, 'manifests/good.yaml'));
  }, 400_000);

  afterAll(() => {
    // Two installed projects, about 90 MB of node_modules: seconds on a loaded machine.
    if (work !== '') rmSync(work, { recursive: true, force: true });
  }, 60_000);

  describe.each([
    ['@acid-guard/validator', 'validator'],
    ['@acid-guard/webhook', 'webhook'],
  ] as const)('%s: the tarball', (name, key) => {
    const manifest = key === 'validator' ? validatorManifest : webhookManifest;
    const packed = () => (key === 'validator' ? validator : webhook);

    it('holds built JavaScript, declarations, the schema, README and LICENSE: no sources, tests or maps', () => {
      const paths = packed().files.map((f) => f.path);
      expect(paths.filter((path) => !SHIPPED.some((allowed) => allowed.test(path)))).toEqual([]);
      expect(paths).toEqual(
        expect.arrayContaining([
          'package.json',
          'README.md',
          'LICENSE',
          'dist/index.d.ts',
          'dist/THIRD-PARTY-LICENSES.txt',
        ]),
      );
      // The LICENSE shipped is the repository's.
      expect(readFileSync(join(PACKAGES[key].dir, 'LICENSE'), 'utf8')).toBe(
        readFileSync(join(ROOT, 'LICENSE'), 'utf8'),
      );
    }, 10_000);

    it('names in package.json only files it holds, declarations first', () => {
      const paths = new Set(packed().files.map((f) => f.path));
      const strip = (target: string) => target.replace(/^\.\//, '');
      expect(manifest.name).toBe(name);
      for (const target of Object.values(manifest.bin)) expect(paths, target).toContain(strip(target));
      expect(paths).toContain(strip(manifest.main));
      expect(paths).toContain(strip(manifest.types));
      for (const [subpath, target] of Object.entries(manifest.exports)) {
        const targets = typeof target === 'string' ? [target] : Object.values(target);
        for (const file of targets) expect(paths, `${subpath}: ${file}`).toContain(strip(file));
        // TypeScript takes the first condition that matches: "types" must come before "default".
        if (typeof target !== 'string') expect(Object.keys(target)[0], subpath).toBe('types');
      }
    }, 10_000);

    it('says what it is, under which license, for which Node, and where it comes from', () => {
      expect(manifest.license).toBe('MIT');
      expect(manifest.engines.node).toBe(manifestOf(ROOT).engines.node);
      expect(manifest.repository).toEqual({
        type: 'git',
        url: 'git+https://github.com/acid-guard/acid-guard.git',
        directory: PACKAGES[key].folder,
      });
      expect(manifest.description.length).toBeGreaterThan(20);
      expect(manifest.keywords).toContain('postgres-operator');
      expect(manifest.version).toBe(manifestOf(ROOT).version);
    }, 10_000);

    it('stays within its size budget', () => {
      console.info(
        `test/package: ${name}: ${(packed().size / MB).toFixed(2)} MB packed, ` +
          `${(packed().unpackedSize / MB).toFixed(2)} MB unpacked, ${packed().files.length} files`,
      );
      expect(packed().size).toBeLessThan(BUDGET[key].packed);
      expect(packed().unpackedSize).toBeLessThan(BUDGET[key].unpacked);
    }, 10_000);
  });

  it('the webhook needs nothing installed beside its bundle; its library takes the validator as a peer', () => {
    // webhook/dist/main.js holds fastify, pino, prom-client, the validator and the Kubernetes client.
    expect(webhookManifest.dependencies ?? {}).toEqual({});
    expect(webhookManifest.peerDependencies?.['@acid-guard/validator']).toBe(validatorManifest.version);
    for (const peer of Object.keys(webhookManifest.peerDependencies ?? {})) {
      expect(webhookManifest.peerDependenciesMeta?.[peer]?.optional, peer).toBe(true);
    }
  }, 10_000);

  it('installs within budget: size and production dependencies', (context) => {
    needsInstall(context);
    for (const [key, project] of [
      ['validator', consumer],
      ['webhook', server],
    ] as const) {
      const packages = installedPackages(project).map(packageId);
      const manifest = key === 'validator' ? validatorManifest : webhookManifest;
      const own = `${manifest.name}@${manifest.version}`;
      expect(packages).toContain(own);
      const dependencies = packages.filter((id) => id !== own);
      const size = treeSize(join(project, 'node_modules'));
      console.info(
        `test/package: npm install @acid-guard/${key}: ${(size / MB).toFixed(1)} MB in node_modules, ` +
          `${dependencies.length} production dependencies`,
      );
      expect(size).toBeLessThan(BUDGET[key].installed);
      expect(dependencies.length).toBeLessThanOrEqual(BUDGET[key].dependencies);
    }
  }, 60_000);

  describe('npx acid-guard, from the installed tarball', () => {
    /** The same command through npx in the consumer project and through the workspace's bin. */
    const both = (args: string[]) => ({
      installed: inProject(consumer, 'npx', ['--no', 'acid-guard', ...args]),
      workspace: inProject(consumer, process.execPath, [WORKSPACE_BIN, ...args]),
    });

    it('lints a bad manifest: exit 1 and the same findings as the workspace', (context) => {
      needsInstall(context);
      const { installed, workspace } = both(['lint', 'manifests/bad.yaml']);
      expect(installed.status, installed.stderr).toBe(1);
      expect(installed.stdout).toMatch(/^manifests\/bad\.yaml:18:14 error .*\[schema\/not-a-string\]$/m);
      expect(installed.stdout).toBe(workspace.stdout);
      expect(workspace.status).toBe(1);
    }, 60_000);

    it('lints a good manifest: exit 0, as the workspace', (context) => {
      needsInstall(context);
      const { installed, workspace } = both(['lint', 'manifests/good.yaml']);
      expect(installed.status, installed.stderr).toBe(0);
      expect(installed.stdout).toMatch(/no problems \(1 file, 1 postgresql manifest checked\)/);
      expect(installed.stdout).toBe(workspace.stdout);
    }, 60_000);

    it('prints the same JSON for a directory', (context) => {
      needsInstall(context);
      const { installed, workspace } = both(['lint', '--format', 'json', 'manifests']);
      expect(installed.status).toBe(1);
      const report = JSON.parse(installed.stdout) as { summary: { files: number; errors: number } };
      expect(report.summary.files).toBe(2);
      expect(report.summary.errors).toBeGreaterThan(0);
      expect(installed.stdout).toBe(workspace.stdout);
    }, 60_000);

    it('runs the commands bundled apart: mutate, and audit with the Kubernetes client', (context) => {
      needsInstall(context);
      const mutated = both(['mutate', 'manifests/good.yaml']);
      expect(mutated.installed.status, mutated.installed.stderr).toBe(0);
      expect(mutated.installed.stdout).toBe(mutated.workspace.stdout);
      // A kubeconfig whose API server refuses connections: exit 2, the request named.
      writeFileSync(
        join(consumer, 'kubeconfig.yaml'),
        [
          'apiVersion: v1',
          'kind: Config',
          'clusters: [{name: c, cluster: {server: "https://127.0.0.1:9"}}]',
          'users: [{name: u, user: {token: t}}]',
          'contexts: [{name: x, context: {cluster: c, user: u, namespace: default}}]',
          'current-context: x',
          '',
        ].join('\n'),
      );
      const audit = both(['audit', '--kubeconfig', 'kubeconfig.yaml', '-n', 'default']);
      expect(audit.installed.status, audit.installed.stderr).toBe(2);
      expect(audit.installed.stderr).toMatch(/^acid-guard: GET https:\/\/127\.0\.0\.1:9\/.*ECONNREFUSED/);
      expect(audit.installed.stderr).toBe(audit.workspace.stderr);
    }, 60_000);
  });

  it('imports the library from an ES module', (context) => {
    needsInstall(context);
    writeFileSync(
      join(consumer, 'check.mjs'),
      [
        "import { readFileSync } from 'node:fs';",
        "import { lintText, RULES, validate } from '@acid-guard/validator';",
        "import schema from '@acid-guard/validator/schema.json' with { type: 'json' };",
        "const result = lintText(readFileSync('manifests/bad.yaml', 'utf8'));",
        "const good = lintText(readFileSync('manifests/good.yaml', 'utf8'));",
        "const findings = validate({ apiVersion: 'acid.zalan.do/v1', kind: 'postgresql', metadata: { name: 'acid-x' }, spec: { teamId: 'acid', numberOfInstances: 1, volume: { size: '1Gi' }, postgresql: { version: 17 } } });",
        'console.log(JSON.stringify({',
        "  bad: result.findings.map((f) => f.location.line + ':' + f.location.column + ' ' + f.ruleId),",
        '  good: good.errors,',
        '  validate: findings.map((f) => f.ruleId),',
        '  rules: RULES.length,',
        '  schema: typeof schema.properties,',
        '}));',
      ].join('\n'),
    );
    const result = inProject(consumer, process.execPath, ['check.mjs']);
    expect(result.status, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as {
      bad: string[];
      good: number;
      validate: string[];
      rules: number;
      schema: string;
    };
    // The library's findings are the CLI's, line for line.
    const cli = JSON.parse(
      inProject(consumer, 'npx', ['--no', 'acid-guard', 'lint', '--format', 'json', 'manifests/bad.yaml'])
        .stdout,
    ) as { findings: { line: number; column: number; ruleId: string }[] };
    expect(out.bad).toEqual(cli.findings.map((f) => `${f.line}:${f.column} ${f.ruleId}`));
    expect(out.bad).toContain('18:14 schema/not-a-string');
    expect(out.good).toBe(0);
    expect(out.validate).toContain('schema/not-a-string');
    expect(out.rules).toBeGreaterThan(100);
    expect(out.schema).toBe('object');
  }, 60_000);

  it('type-checks a TypeScript file against the published declarations', (context) => {
    needsInstall(context);
    const tsconfig = (skipLibCheck: boolean) =>
      writeFileSync(
        join(consumer, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022',
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            lib: ['ES2023'],
            strict: true,
            noEmit: true,
            skipLibCheck,
          },
          files: ['check.ts'],
        }),
      );
    const tsc = () =>
      inProject(
        consumer,
        process.execPath,
        [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', '.'],
        120_000,
      );
    writeFileSync(
      join(consumer, 'check.ts'),
      [
        "import { type Finding, type LintResult, lintText, type Postgresql, RULES, validate } from '@acid-guard/validator';",
        '',
        "const manifest: Postgresql = { apiVersion: 'acid.zalan.do/v1', kind: 'postgresql', metadata: { name: 'acid-x' }, spec: { teamId: 'acid', numberOfInstances: 1, volume: { size: '1Gi' }, postgresql: { version: '17' } } };",
        "const findings: Finding[] = validate(manifest, { operation: 'UPDATE', old: manifest });",
        "const result: LintResult = lintText('kind: postgresql');",
        'const lines: number[] = result.findings.map((f) => f.location.line);',
        'const ids: string[] = RULES.map((rule) => rule.id);',
        '// The declarations are real types, not any: a wrong operation is an error.',
        "// @ts-expect-error 'PATCH' is not an Operation",
        "validate(manifest, { operation: 'PATCH' });",
        'export { findings, ids, lines };',
        '',
      ].join('\n'),
    );
    // As most projects check (tsc --init sets skipLibCheck): clean.
    tsconfig(true);
    const checked = tsc();
    expect(checked.stdout + checked.stderr).toBe('');
    expect(checked.status).toBe(0);
    // With every declaration checked, ours (and check.ts) are clean too. The only complaint is the
    // Kubernetes client's: its isomorphic-ws imports `ws`, whose types it does not depend on (a
    // project that checks libraries adds @types/ws). Any other error fails here.
    tsconfig(false);
    const strict = tsc();
    const errors = [...strict.stdout.matchAll(/^(\S+)\(\d+,\d+\): error (TS\d+)/gm)].map(
      ([, file, code]) => `${file} ${code}`,
    );
    expect(strict.stdout.split('\n').filter((line) => /^\S.*error TS/.test(line)).length).toBe(errors.length);
    expect(errors).toEqual(['node_modules/isomorphic-ws/index.d.ts TS7016']);
    // And the check can fail: a finding is not a number.
    tsconfig(true);
    writeFileSync(
      join(consumer, 'check.ts'),
      "import { validate } from '@acid-guard/validator';\nexport const n: number = validate({})[0];\n",
    );
    const failed = tsc();
    expect(failed.status).not.toBe(0);
    expect(failed.stdout).toMatch(/check\.ts.*error TS2322/);
  }, 240_000);

  describe('acid-guard-webhook, from its tarball alone', () => {
    let child: ChildProcess | undefined;

    afterAll(async () => {
      if (child !== undefined && child.exitCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
    });

    it('prints its version', (context) => {
      needsInstall(context);
      const version = inProject(server, join(server, 'node_modules/.bin/acid-guard-webhook'), ['--version']);
      expect(version.status, version.stderr).toBe(0);
      expect(version.stdout.trim()).toContain(webhookManifest.version);
    }, 30_000);

    it('starts with --dev, answers /readyz with 200 and stops on SIGTERM', async (context) => {
      needsInstall(context);
      const started = spawn(join(server, 'node_modules/.bin/acid-guard-webhook'), ['--dev', '--port', '0'], {
        cwd: server,
        env: cleanEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = started;
      let stdout = '';
      let stderr = '';
      started.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      started.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      // Ready: a JSON log line with msg "ready" and the port; the dev certificate's path on stderr.
      const deadline = Date.now() + 20_000;
      let port: number | undefined;
      let ca: string | undefined;
      while ((port === undefined || ca === undefined) && Date.now() < deadline && started.exitCode === null) {
        await sleep(50);
        const ready = stdout
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as { msg?: string; port?: number })
          .find((entry) => entry.msg === 'ready');
        port = ready?.port;
        ca = /--cacert (\S+)/.exec(stderr)?.[1];
      }
      expect(port, `${stdout}\n${stderr}`).toBeTypeOf('number');
      expect(ca).toBeTypeOf('string');
      const status = await new Promise<number | undefined>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port, path: '/readyz', ca: readFileSync(ca as string), timeout: 10_000 },
          (res) => {
            res.resume();
            resolve(res.statusCode);
          },
        );
        req.on('timeout', () => req.destroy(new Error('GET /readyz timed out')));
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(200);
      const exited = once(started, 'exit');
      started.kill('SIGTERM');
      const [code] = (await Promise.race([exited, sleep(15_000).then(() => ['timeout'])])) as [
        number | string,
      ];
      expect(code).toBe(0);
    }, 60_000);

    it('serves as a library once its peers are installed', (context) => {
      needsInstall(context);
      const fastify = packageId(join(ROOT, 'node_modules/fastify')).replace(/^fastify@/, '');
      const promClient = packageId(join(ROOT, 'node_modules/prom-client')).replace(/^prom-client@/, '');
      // Into the consumer project, which has the validator: the webhook and its other two peers.
      const outcome = install(consumer, [webhook.tarball, `fastify@${fastify}`, `prom-client@${promClient}`]);
      if (!outcome.ok && outcome.network !== undefined) {
        console.warn(`test/package: skipping the webhook library check: ${outcome.network}`);
        context.skip();
      }
      expect(outcome.ok, outcome.ok ? '' : outcome.stderr).toBe(true);
      const loaded = inProject(consumer, process.execPath, [
        '--input-type=module',
        '-e',
        "const m = await import('@acid-guard/webhook'); console.log([typeof m.createWebhook, typeof m.validateAdmission].join(' '));",
      ]);
      expect(loaded.status, loaded.stderr).toBe(0);
      expect(loaded.stdout.trim()).toBe('function function');
    }, 300_000);
  });
});
