/**
 * What the package tests need from npm: pack a workspace package as `npm publish` would, install
 * tarballs into an empty project as a user would, and measure what that project then holds.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

/** A file of a packed tarball, as `npm pack --json` lists it. */
export interface PackedFile {
  path: string;
  size: number;
}

export interface Packed {
  /** Absolute path of the tarball. */
  tarball: string;
  /** Size of the .tgz in bytes. */
  size: number;
  /** Sum of the unpacked file sizes in bytes. */
  unpackedSize: number;
  files: PackedFile[];
}

/**
 * The environment for npm and the installed commands: without the `npm_*` variables of an npm that
 * may have started vitest (`npm test`), which would otherwise leak its prefix, workspace or lifecycle
 * settings into the child npm.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key)) env[key] = value;
  }
  return { ...env, NO_COLOR: '1', npm_config_update_notifier: 'false', ...extra };
}

export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; timeout: number; env?: NodeJS.ProcessEnv; input?: string },
): SpawnSyncReturns<string> {
  return spawnSync(command, args, {
    cwd: options.cwd,
    env: options.env ?? cleanEnv(),
    input: options.input,
    encoding: 'utf8',
    timeout: options.timeout,
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** `npm pack` of a workspace package (already built: no scripts run) into `destination`. */
export function pack(packageDir: string, destination: string): Packed {
  const result = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', destination], {
    cwd: packageDir,
    timeout: 120_000,
  });
  if (result.status !== 0) throw new Error(`npm pack in ${packageDir} failed: ${result.stderr}`);
  const [summary] = JSON.parse(result.stdout) as {
    filename: string;
    size: number;
    unpackedSize: number;
    files: PackedFile[];
  }[];
  if (summary === undefined) throw new Error(`npm pack in ${packageDir} printed no summary`);
  return {
    tarball: join(destination, summary.filename),
    size: summary.size,
    unpackedSize: summary.unpackedSize,
    files: summary.files,
  };
}

/** Why an install failed when the cause is the network (no registry and nothing in the cache). */
export function networkProblem(stderr: string): string | undefined {
  return /\b(ENOTCACHED|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH)\b/.exec(
    stderr,
  )?.[0];
}

export type InstallOutcome = { ok: true } | { ok: false; network?: string; stderr: string };

/**
 * `npm install` of the given specs (tarballs, name@range) in `project`. `--prefer-offline` takes what
 * the npm cache holds without asking the registry and fetches the rest, so that the same test runs on
 * a machine without a registry (from the cache `npm ci` filled) and in CI (from the registry).
 */
export function install(project: string, specs: readonly string[]): InstallOutcome {
  const result = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...specs], {
    cwd: project,
    timeout: 240_000,
  });
  if (result.status === 0) return { ok: true };
  const stderr = `${result.stderr}${result.error === undefined ? '' : `\n${result.error.message}`}`;
  const network = networkProblem(stderr);
  return network === undefined ? { ok: false, stderr } : { ok: false, network, stderr };
}

/** An empty ESM project, as `npm init` would leave it. */
export function createProject(dir: string): void {
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'acid-guard-consumer', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`,
  );
}

/** The packages installed under node_modules (nested ones included), by folder. */
export function installedPackages(project: string): string[] {
  const found: string[] = [];
  const visit = (nodeModules: string, depth: number) => {
    // npm nests at most a few levels for conflicting versions; 20 is far beyond any real tree.
    if (depth > 20) throw new Error(`node_modules nested deeper than 20 levels under ${project}`);
    let entries: string[];
    try {
      entries = readdirSync(nodeModules);
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.startsWith('.')) continue;
      const dirs = entry.startsWith('@')
        ? readdirSync(join(nodeModules, entry)).map((name) => join(nodeModules, entry, name))
        : [join(nodeModules, entry)];
      for (const dir of dirs) {
        found.push(dir);
        visit(join(dir, 'node_modules'), depth + 1);
      }
    }
  };
  visit(join(project, 'node_modules'), 0);
  return found;
}

/** `name@version` of the package in `dir`. */
export function packageId(dir: string): string {
  const { name, version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  return `${name}@${version}`;
}

/** Bytes of every file under `dir` (symbolic links not followed). */
export function treeSize(dir: string): number {
  let total = 0;
  const stack = [dir];
  // Bounded by the tree itself: every directory is visited once, links are not followed.
  while (stack.length > 0) {
    const current = stack.pop() as string;
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) stack.push(path);
      else if (entry.isFile()) total += lstatSync(path).size;
    }
  }
  return total;
}

export const MB = 1024 * 1024;
