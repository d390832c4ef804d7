/**
 * The pre-commit hooks of .pre-commit-hooks.yaml: first run as pre-commit runs them (the entry, then
 * the staged file names, in the repository being committed to), then installed and run by the real
 * pre-commit, from a commit of this working tree, as a user's .pre-commit-config.yaml brings them in.
 *
 * What pre-commit (3.x, Debian's 3.0.4 here) does for `language: node`: in its clone of this
 * repository it runs `npm install` (dev dependencies too: the root "prepare" script builds the CLI),
 * then `npm pack`, takes *all* of that command's standard output as the tarball's file name, and runs
 * `npm install -g` of it; the hooks' entry is then a bin of the root package on PATH. So the root
 * package needs a version, an `acid-guard` bin and the CLI's built files in its tarball, and `npm pack`
 * must print nothing but the file name — npm ≥ 10 prints the "prepare" script's banner and output
 * there unless `foreground-scripts` is off, hence that setting in the repository's .npmrc.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cleanEnv, networkProblem } from '../package/npm-project.js';
import { snapshotWorkingTree } from '../package/working-tree.js';
import { ROOT } from './kustomize.js';

interface Hook {
  id: string;
  name: string;
  description: string;
  entry: string;
  language: string;
  files: string;
}

const hooks = parse(readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];
const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version?: string;
  scripts?: Record<string, string>;
  repository?: { url: string };
  bin?: Record<string, string>;
  files?: string[];
};
const validatorPackage = JSON.parse(readFileSync(join(ROOT, 'packages/validator/package.json'), 'utf8')) as {
  bin: Record<string, string>;
};
const BIN = join(ROOT, 'packages/validator', validatorPackage.bin['acid-guard'] ?? '');

const hook = (id: string): Hook => {
  const found = hooks.find((h) => h.id === id);
  if (found === undefined) throw new Error(`no hook ${id}`);
  return found;
};

describe('.pre-commit-hooks.yaml', () => {
  it('offers the lint hook and the hook that also checks changes against the last commit', () => {
    expect(hooks.map((h) => h.id)).toEqual(['acid-guard', 'acid-guard-changes']);
    expect(hook('acid-guard').entry).toBe('acid-guard lint');
    expect(hook('acid-guard-changes').entry).toBe('acid-guard lint --base HEAD');
    for (const h of hooks) {
      expect(h.language).toBe('node');
      expect(h.name).toMatch(/\S/);
      expect(h.description).toMatch(/\S/);
    }
  });

  it('sees YAML and JSON files only', () => {
    for (const h of hooks) {
      // pre-commit applies `files` with Python's re.search; this pattern means the same in JavaScript.
      const files = new RegExp(h.files);
      for (const name of [
        'cluster.yaml',
        'k8s/db/cluster.yml',
        'acid-minimal.json',
        '.pre-commit-config.yaml',
      ]) {
        expect(files.test(name), name).toBe(true);
      }
      for (const name of ['README.md', 'cluster.yaml.orig', 'main.ts', 'yaml', 'Dockerfile']) {
        expect(files.test(name), name).toBe(false);
      }
    }
  });

  it("names as entry a command the CLI's package provides", () => {
    for (const h of hooks) expect(Object.keys(validatorPackage.bin)).toContain(h.entry.split(' ')[0]);
  });
});

const git = spawnSync('git', ['--version'], { encoding: 'utf8' });
const gitMissing = git.error !== undefined || git.status !== 0;
if (gitMissing) console.warn('test/deploy: skipping the pre-commit hook runs: git cannot be run here');

describe.skipIf(gitMissing)('the hooks, run in a repository as pre-commit runs them', () => {
  let repo = '';
  const run = (command: string, args: string[]) =>
    spawnSync(command, args, {
      cwd: repo,
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, NO_COLOR: '1' },
    });
  /** The hook's entry with the file names appended, the bin standing for the installed `acid-guard`. */
  const runHook = (id: string, files: string[]) => {
    const [, ...args] = hook(id).entry.split(' ');
    return run(process.execPath, [BIN, ...args, ...files]);
  };
  const cluster = (size: string) =>
    readFileSync(join(ROOT, 'examples/good/acid-orders.yaml'), 'utf8').replace('size: 20Gi', `size: ${size}`);

  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'acid-guard-pre-commit-'));
    mkdirSync(join(repo, 'k8s'));
    writeFileSync(join(repo, 'k8s/cluster.yaml'), cluster('20Gi'));
    writeFileSync(
      join(repo, 'k8s/app.json'),
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }),
    );
    writeFileSync(join(repo, '.pre-commit-config.yaml'), 'repos: []\n');
    for (const args of [
      ['init', '--quiet'],
      ['add', '.'],
      ['-c', 'user.name=test', '-c', 'user.email=test@example.com', 'commit', '--quiet', '-m', 'first'],
    ]) {
      expect(run('git', args).status).toBe(0);
    }
  });

  afterAll(() => {
    if (repo !== '') rmSync(repo, { recursive: true, force: true });
  });

  it('acid-guard: passes good manifests and other YAML or JSON files', () => {
    const result = runHook('acid-guard', ['k8s/cluster.yaml', 'k8s/app.json', '.pre-commit-config.yaml']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/1 postgresql manifest checked/);
  });

  it('acid-guard: stops the commit at a broken manifest, with file:line:column', () => {
    writeFileSync(join(repo, 'k8s/broken.yaml'), cluster('20Gi').replace('version: "17"', 'version: 17'));
    const result = runHook('acid-guard', ['k8s/broken.yaml']);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^k8s\/broken\.yaml:\d+:\d+ error .*\[schema\/not-a-string\]/m);
  });

  it('acid-guard-changes: stops a volume shrink against the last commit', () => {
    writeFileSync(join(repo, 'k8s/cluster.yaml'), cluster('10Gi'));
    const result = runHook('acid-guard-changes', ['k8s/cluster.yaml']);
    expect(result.status, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/k8s\/cluster\.yaml:\d+:\d+ error .*\[update\/volume-shrink\]/);
    // The plain hook has nothing to compare with, and lets the same file through.
    expect(runHook('acid-guard', ['k8s/cluster.yaml']).status).toBe(0);
  });
});

const npm = spawnSync('npm', ['--version'], { encoding: 'utf8', timeout: 20_000 });
const npmMissing = npm.error !== undefined || npm.status !== 0;
const binMissing = rootPackage.bin?.['acid-guard'] === undefined;
if (npmMissing) console.warn('test/deploy: skipping the pre-commit install check: npm cannot be run here');
else if (binMissing) {
  console.warn(
    'test/deploy: skipping the pre-commit install check: the root package.json has no "acid-guard" bin, so the ' +
      'package pre-commit installs for `language: node` hooks (npm pack of this repository) has no command for their entry; ' +
      'it needs "version", "bin": {"acid-guard": "packages/validator/bin/acid-guard.cjs"} and "files" with the bin and packages/validator/dist/',
  );
}

describe.skipIf(npmMissing || binMissing)('installing the hooks as pre-commit does', () => {
  let folder = '';

  it('lets `npm pack` print only the tarball name, which pre-commit reads as a path', () => {
    // The root "prepare" script builds; with foreground-scripts on (npm ≥ 10's default for pack, which
    // `npm config get` does not show), its banner and output land on npm pack's standard output, and
    // pre-commit fails to install the hooks ("tarball data for file:…/> acid-guard@0.1.0 prepare …
    // seems to be corrupted"). Only an explicit setting turns it off.
    expect(rootPackage.scripts?.prepare).toBeDefined();
    const npmrc = join(ROOT, '.npmrc');
    const settings = existsSync(npmrc) ? readFileSync(npmrc, 'utf8') : '';
    expect(settings, 'the repository needs an .npmrc with foreground-scripts=false').toMatch(
      /^\s*foreground-scripts\s*=\s*false\s*$/m,
    );
  });

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'acid-guard-pack-'));
  });

  afterAll(() => {
    if (folder !== '') rmSync(folder, { recursive: true, force: true });
  });

  it("packs the root package with the CLI's bin and built files, and the bin runs without node_modules", () => {
    expect(rootPackage.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(join(ROOT, rootPackage.bin?.['acid-guard'] ?? '')).toBe(BIN);
    // --ignore-scripts: the build already ran (npm test, or vitest's global setup); pre-commit's own
    // `npm pack` runs "prepare", which builds again.
    const packed = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', folder], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(packed.status, packed.stderr).toBe(0);
    const [summary] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    const paths = summary?.files.map((f) => f.path) ?? [];
    for (const wanted of [
      'packages/validator/bin/acid-guard.cjs',
      'packages/validator/dist/cli.cjs',
      'packages/validator/dist/mutate-command.cjs',
      'packages/validator/dist/schema-choice.cjs',
    ]) {
      expect(paths).toContain(wanted);
    }
    expect(paths.filter((p) => p.startsWith('test/') || p.includes('node_modules/'))).toEqual([]);
    const unpacked = join(folder, 'unpacked');
    mkdirSync(unpacked);
    expect(spawnSync('tar', ['-xzf', join(folder, summary?.filename ?? ''), '-C', unpacked]).status).toBe(0);
    const bin = join(unpacked, 'package', rootPackage.bin?.['acid-guard'] ?? '');
    const good = spawnSync(process.execPath, [bin, 'lint', join(ROOT, 'examples/good/acid-orders.yaml')], {
      cwd: folder,
      encoding: 'utf8',
    });
    expect(good.status, good.stderr).toBe(0);
    const bad = spawnSync(process.execPath, [bin, 'lint', join(ROOT, 'examples/bad/typos-and-nulls.yaml')], {
      cwd: folder,
      encoding: 'utf8',
    });
    expect(bad.status).toBe(1);
  });
});

/** The four lines of README.md's pre-commit section: what a user adds under `repos:`. */
interface RepoEntry {
  repo: string;
  rev: string;
  hooks: { id: string }[];
}
const readmeEntry = (): RepoEntry[] => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### pre-commit'));
  const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return parse(block) as RepoEntry[];
};

describe("README's pre-commit lines", () => {
  it('are four lines naming this repository, a release tag and a hook it offers', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = /```yaml\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf('### pre-commit')))?.[1] ?? '';
    expect(block.trim().split('\n')).toHaveLength(4);
    const [entry, ...more] = readmeEntry();
    expect(more).toEqual([]);
    const repository = rootPackage.repository?.url.replace(/^git\+/, '').replace(/\.git$/, '');
    expect(entry?.repo).toBe(repository);
    expect(entry?.rev).toBe(`v${rootPackage.version}`);
    expect(hooks.map((h) => h.id)).toEqual(expect.arrayContaining(entry?.hooks.map((h) => h.id) ?? ['?']));
  });
});

const preCommit = spawnSync('pre-commit', ['--version'], { encoding: 'utf8', timeout: 20_000 });
const preCommitMissing = preCommit.error !== undefined || preCommit.status !== 0;
const notACheckout =
  spawnSync('git', ['-C', ROOT, 'rev-parse', '--git-dir'], { encoding: 'utf8' }).status !== 0;
if (preCommitMissing) {
  console.warn(
    'test/deploy: skipping the real pre-commit runs: pre-commit is not installed (.ci/run installs Debian\'s "pre-commit")',
  );
} else if (gitMissing || npmMissing || notACheckout) {
  console.warn(
    'test/deploy: skipping the real pre-commit runs: they need git, npm and a git checkout of the repository',
  );
}

/**
 * The real pre-commit, against a commit of this working tree. Each `try-repo` installs the hooks
 * afresh in a store of its own (it ignores PRE_COMMIT_HOME); a .pre-commit-config.yaml — the README's
 * lines with the snapshot as `repo:` — shares one environment, installed once in PRE_COMMIT_HOME, by
 * every other run here. Both installs run side by side, each about 45 s on a 2-core machine with the
 * npm cache filled (npm install of the repository, the build twice: by npm install and by npm pack).
 */
describe.skipIf(preCommitMissing || gitMissing || npmMissing || notACheckout)(
  'the hooks, installed and run by pre-commit',
  () => {
    let work = '';
    let snapshot = '';
    let user = '';
    let env: NodeJS.ProcessEnv = {};
    let tryRepo: Ran = { status: null, output: '' };
    /** Why the hooks could not be installed here (no registry, and the npm cache lacks a package). */
    let unavailable: string | undefined;

    interface Ran {
      status: number | null;
      output: string;
    }
    /** Runs a command in the user's repository, stdout and stderr together, bounded in time. */
    const ran = (command: string, args: string[], timeout: number): Promise<Ran> =>
      new Promise((resolve) => {
        const child = spawn(command, args, { cwd: user, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        const timer = setTimeout(() => {
          output += `\n(killed after ${timeout} ms)`;
          child.kill('SIGKILL');
        }, timeout);
        child.on('close', (status) => {
          clearTimeout(timer);
          resolve({ status, output });
        });
      });
    const preCommitRun = (args: string[]) => ran('pre-commit', ['run', '--color', 'never', ...args], 120_000);
    const git = (args: string[]) => {
      const result = spawnSync(
        'git',
        ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args],
        {
          cwd: user,
          encoding: 'utf8',
          timeout: 30_000,
        },
      );
      expect(result.status, result.stderr).toBe(0);
    };
    const example = (file: string) => readFileSync(join(ROOT, 'examples', file), 'utf8');

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), 'acid-guard-pre-commit-real-'));
      snapshot = join(work, 'acid-guard');
      user = join(work, 'user');
      mkdirSync(snapshot);
      mkdirSync(join(user, 'k8s'), { recursive: true });
      const rev = snapshotWorkingTree(ROOT, snapshot);
      env = cleanEnv({ PRE_COMMIT_HOME: join(work, 'pre-commit-home') });

      const [entry] = readmeEntry();
      const config = { repos: [{ ...entry, repo: snapshot, rev, hooks: hooks.map((h) => ({ id: h.id })) }] };
      writeFileSync(join(user, '.pre-commit-config.yaml'), JSON.stringify(config, null, 2));
      writeFileSync(join(user, 'k8s/cluster.yaml'), example('good/acid-orders.yaml'));
      writeFileSync(join(user, 'k8s/bad.yaml'), example('bad/typos-and-nulls.yaml'));
      writeFileSync(
        join(user, 'k8s/app.json'),
        JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }),
      );
      git(['init', '--quiet']);
      git(['add', '.']);
      git(['commit', '--quiet', '-m', 'first']);

      const [tried, installed] = await Promise.all([
        ran(
          'pre-commit',
          ['try-repo', '--color', 'never', snapshot, 'acid-guard', '--files', 'k8s/bad.yaml'],
          400_000,
        ),
        ran('pre-commit', ['install-hooks', '--color', 'never'], 400_000),
      ]);
      tryRepo = tried;
      const network = networkProblem(`${tried.output}\n${installed.output}`);
      if (network !== undefined && (installed.status !== 0 || tried.status === 3)) {
        unavailable = `npm install could not reach the registry (${network}) and the npm cache lacks a package`;
        console.warn(`test/deploy: skipping the real pre-commit runs: ${unavailable}`);
        return;
      }
      const hint = /seems to be corrupted/.test(installed.output)
        ? ' — npm pack printed more than the file name: .npmrc needs foreground-scripts=false'
        : '';
      expect(installed.status, `${installed.output}${hint}`).toBe(0);
    }, 480_000);

    afterAll(() => {
      if (work !== '') rmSync(work, { recursive: true, force: true });
    }, 60_000);

    it('try-repo: the hook fails on a bad manifest and prints each finding with line:column', (context) => {
      if (unavailable !== undefined) context.skip();
      expect(tryRepo.status, tryRepo.output).toBe(1);
      expect(tryRepo.output).toMatch(/^acid-guard lint\.+Failed$/m);
      expect(tryRepo.output).toMatch(
        /^k8s\/bad\.yaml:18:14 error spec\.postgresql\.version: .*\[schema\/not-a-string\]$/m,
      );
      expect(tryRepo.output).toMatch(/✖ 8 errors \(1 file, 1 postgresql manifest checked\)/);
    }, 10_000);

    it('the README lines: the hook stops a bad manifest', async (context) => {
      if (unavailable !== undefined) context.skip();
      const result = await preCommitRun(['acid-guard', '--files', 'k8s/bad.yaml']);
      expect(result.status, result.output).toBe(1);
      expect(result.output).toMatch(/^acid-guard lint\.+Failed$/m);
      expect(result.output).toMatch(
        /^k8s\/bad\.yaml:14:5 error spec\.users\[app_reader\]: .*\[schema\/null-entry\]$/m,
      );
    }, 130_000);

    it('the README lines: the hook passes a good manifest and other YAML or JSON', async (context) => {
      if (unavailable !== undefined) context.skip();
      const result = await preCommitRun(['acid-guard', '--files', 'k8s/cluster.yaml', 'k8s/app.json']);
      expect(result.status, result.output).toBe(0);
      expect(result.output).toMatch(/^acid-guard lint\.+Passed$/m);
    }, 130_000);

    it('acid-guard-changes: stops a staged downgrade and volume shrink against the last commit', async (context) => {
      if (unavailable !== undefined) context.skip();
      writeFileSync(
        join(user, 'k8s/cluster.yaml'),
        example('good/acid-orders.yaml')
          .replace('version: "17"', 'version: "16"')
          .replace('size: 20Gi', 'size: 10Gi'),
      );
      git(['add', 'k8s/cluster.yaml']);
      try {
        // No --files: pre-commit takes the staged files, as on `git commit`.
        const changes = await preCommitRun(['acid-guard-changes']);
        expect(changes.status, changes.output).toBe(1);
        expect(changes.output).toMatch(/^acid-guard lint --base HEAD\.+Failed$/m);
        expect(changes.output).toMatch(
          /^k8s\/cluster\.yaml:\d+:\d+ error spec\.postgresql\.version: version 17 → 16: .*\[update\/version-downgrade\]$/m,
        );
        expect(changes.output).toMatch(/^k8s\/cluster\.yaml:\d+:\d+ error .*\[update\/volume-shrink\]$/m);
        // The plain hook judges the file alone, and lets it through.
        const plain = await preCommitRun(['acid-guard']);
        expect(plain.status, plain.output).toBe(0);
      } finally {
        git(['reset', '--quiet', '--hard']);
      }
    }, 260_000);
  },
);
