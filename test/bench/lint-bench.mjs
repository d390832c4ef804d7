// Lint benchmarks: bulk (1,000 copies of the operator's complete example in one file) and cold start
// (one small manifest), each as a ratio to `node -e 0` measured in the same run, runs interleaved so
// that both see the same machine load. Prints figures; never fails on absolute times.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'packages/validator/bin/acid-guard.cjs');
const work = join(root, '.bench');
mkdirSync(work, { recursive: true });

const referenceExample = join(
  root,
  '..',
  'shared',
  'reference',
  'examples',
  'complete-postgres-manifest.yaml',
);
const ownExample = join(root, 'examples', 'good', 'acid-orders.yaml');
const source = existsSync(referenceExample) ? referenceExample : ownExample;
const template = readFileSync(source, 'utf8');
const bulk = join(work, 'bulk-1000.yaml');
const copies = [];
for (let i = 0; i < 1000; i++) copies.push(template.replace(/name: ([a-z-]+)/, `name: $1-${i}`));
writeFileSync(bulk, copies.join('\n---\n'));
const small = join(root, 'examples', 'good', 'acid-orders.yaml');
// Judging with another CRD: the operator's own v1.15.1 CRD (recognised, so its precompiled validator
// runs) and a variant of it that matches no shipped schema (compiled with ajv at start-up).
const referenceV1Crd = join(root, '..', 'shared', 'reference', 'v1.15.1', 'postgresql.crd.yaml');
const customCrd = join(work, 'custom-postgresql.crd.yaml');
if (existsSync(referenceV1Crd)) {
  const crd = readFileSync(referenceV1Crd, 'utf8');
  const extended = crd.replace(/^(\s+)- "17"$/m, '$1- "17"\n$1- "18"');
  if (extended === crd) throw new Error(`${referenceV1Crd}: the version enum was not found`);
  writeFileSync(customCrd, extended);
}

function wall(args, env = process.env) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { encoding: 'utf8', env });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0 && result.status !== 1)
    throw new Error(`${args.join(' ')} failed: ${result.stderr}`);
  return { ms, stdout: result.stdout };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function compare(name, args, runs, env) {
  const base = [];
  const subject = [];
  let last = '';
  for (let i = 0; i < runs; i++) {
    base.push(wall(['-e', '0']).ms);
    const run = wall(args, env);
    subject.push(run.ms);
    last = run.stdout;
  }
  const b = median(base);
  const s = median(subject);
  return { name, runs, baselineMs: b, subjectMs: s, ratio: s / b, last };
}

export function runLintBenchmarks() {
  const results = [
    compare('lint bulk (1,000 manifests, 7.7 MB)', [bin, 'lint', bulk], 7),
    compare('lint cold start (1 manifest)', [bin, 'lint', small], 21),
    compare('lint cold start without code cache', [bin, 'lint', small], 21, {
      ...process.env,
      ACID_GUARD_NO_CODE_CACHE: '1',
    }),
    compare(
      'lint cold start --operator-version 1.15.1',
      [bin, 'lint', '--operator-version', '1.15.1', small],
      21,
    ),
  ];
  if (existsSync(referenceV1Crd)) {
    results.push(
      compare(
        'lint cold start --crd (v1.15.1 CRD, recognised)',
        [bin, 'lint', '--crd', referenceV1Crd, small],
        21,
      ),
      compare('lint cold start --crd (other CRD, compiled)', [bin, 'lint', '--crd', customCrd, small], 21),
    );
  } else {
    console.log(`skipped the --crd figures: ${referenceV1Crd} is missing`);
  }
  // Only the built-in schema has a target; the others are reported for comparison.
  const targets = {
    'lint bulk (1,000 manifests, 7.7 MB)': 8,
    'lint cold start (1 manifest)': 1.5,
    'lint cold start without code cache': 1.5,
  };
  console.log(
    `input: ${copies.length} copies of ${source.replace(`${root}/`, '')} (${(readFileSync(bulk).length / 1e6).toFixed(1)} MB)`,
  );
  for (const r of results) {
    const target = targets[r.name];
    const verdict =
      target === undefined ? 'no target' : `target ≤ ${target}×: ${r.ratio <= target ? 'met' : 'NOT met'}`;
    console.log(
      `${r.name}: median ${r.subjectMs.toFixed(0)} ms vs node -e 0 ${r.baselineMs.toFixed(0)} ms over ${r.runs} interleaved runs → ${r.ratio.toFixed(2)}× (${verdict})`,
    );
  }
  console.log(`bulk summary line: ${results[0].last.trim().split('\n').at(-1)}`);
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) runLintBenchmarks();
