/**
 * The built CLI loads the files bundled apart only for the commands and flags that need them: a
 * plain lint reads dist/cli.cjs alone; --operator-version and --crd bring dist/schema-choice.cjs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from './cli-harness.js';

const folder = mkdtempSync(join(tmpdir(), 'acid-guard-bundles-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A preload that prints every dist/*.cjs file the process requires, on stderr. */
const tracer = join(folder, 'trace.cjs');
writeFileSync(
  tracer,
  `const Module = require('node:module');
const load = Module._load;
Module._load = function (request, ...rest) {
  if (/dist[\\\\/][\\w-]+\\.cjs$/.test(request)) process.stderr.write('loaded ' + request.split(/[\\\\/]/).pop() + '\\n');
  return load.call(this, request, ...rest);
};
`,
);

const v13 = join(folder, 'v13.yaml');
writeFileSync(
  v13,
  'apiVersion: acid.zalan.do/v1\nkind: postgresql\nmetadata:\n  name: acid-old\nspec:\n  teamId: acid\n  numberOfInstances: 2\n  postgresql:\n    version: "13"\n  volume:\n    size: 1Gi\n',
);

function run(args: string[]): { code: number; stdout: string; loaded: string[] } {
  const result = spawnSync(process.execPath, ['-r', tracer, BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ACID_GUARD_NO_CODE_CACHE: '1' },
  });
  const loaded = result.stderr
    .split('\n')
    .filter((line) => line.startsWith('loaded '))
    .map((line) => line.slice('loaded '.length));
  return { code: result.status ?? -1, stdout: result.stdout, loaded };
}

describe('files bundled apart', () => {
  it('a plain lint reads cli.cjs alone, and judges with operator v2.0.1 (PostgreSQL 13 refused)', () => {
    const plain = run(['lint', v13]);
    expect(plain.loaded).toEqual(['cli.cjs']);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toMatch(/spec\.postgresql\.version/);
  });

  it('--operator-version 1.15.1 loads schema-choice.cjs and accepts PostgreSQL 13', () => {
    const old = run(['lint', '--operator-version', '1.15.1', v13]);
    expect(old.loaded).toEqual(['cli.cjs', 'schema-choice.cjs']);
    expect(old.code).toBe(0);
  });

  it('--crd compiles the given CRD from schema-choice.cjs', () => {
    const crd = join(ROOT, '..', 'shared', 'reference', 'v1.15.1', 'postgresql.crd.yaml');
    const withCrd = run(['lint', '--crd', crd, v13]);
    expect(withCrd.loaded).toEqual(['cli.cjs', 'schema-choice.cjs']);
    expect(withCrd.code).toBe(0);
  });
});
