/**
 * Field names checked against the kinds' TypeScript interfaces: every object becomes an object literal
 * typed with its interface, and `tsc` reports what the interface does not know (TS2353) or a value its
 * union types refuse. The OpenAPI schemas behind `validate()` allow unknown fields; the API server
 * does not (`kubectl apply` validates strictly), so a misspelt `readinesProbe` is caught here.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeObject, type KubernetesObject, ROOT } from './kustomize.js';
import { SCHEMAS, schemaKey } from './schemas.js';

export interface FieldProblem {
  object: string;
  message: string;
  /** The line of the object's JSON the problem is on. */
  source: string;
}

const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** Checks the objects' field names and literal values; objects without a typed schema are left out. */
export function fieldProblems(objects: readonly KubernetesObject[]): FieldProblem[] {
  const imports = new Map<string, { alias: string; typeName: string; module: string }>();
  const lines: string[] = [];
  const owners: { firstLine: number; object: string }[] = [];
  objects.forEach((object, index) => {
    const schema = SCHEMAS[schemaKey(object)];
    if (schema === undefined) return;
    const key = `${schema.typeModule}#${schema.typeName}`;
    const known = imports.get(key);
    const alias = known?.alias ?? `T${imports.size}`;
    if (known === undefined)
      imports.set(key, { alias, typeName: schema.typeName, module: schema.typeModule });
    owners.push({ firstLine: lines.length + 1, object: describeObject(object) });
    lines.push(...`export const object${index}: ${alias} = ${JSON.stringify(object, null, 2)};`.split('\n'));
  });
  const header = [...imports.values()].map(
    ({ alias, typeName, module }) => `import type { ${typeName} as ${alias} } from '${module}';`,
  );
  const source = [...header, ...lines];
  const offset = header.length;

  // Inside node_modules, so that the packages resolve as they do for the tests themselves.
  const cache = join(ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const folder = mkdtempSync(join(cache, 'acid-guard-deploy-fields-'));
  try {
    const file = join(folder, 'objects.ts');
    writeFileSync(file, `${source.join('\n')}\n`);
    const result = spawnSync(
      process.execPath,
      [
        TSC,
        '--ignoreConfig',
        '--noEmit',
        '--pretty',
        'false',
        '--strict',
        '--skipLibCheck',
        '--target',
        'es2022',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--types',
        '',
        file,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (result.error !== undefined) throw result.error;
    const problems: FieldProblem[] = [];
    for (const line of result.stdout.split('\n')) {
      const match = /^.*objects\.ts\((\d+),(\d+)\): error (TS\d+: .*)$/.exec(line);
      if (!match) continue;
      const lineNumber = Number(match[1]);
      if (lineNumber <= offset) throw new Error(`a type import failed: ${match[3]}`);
      const owner = owners.findLast((o) => o.firstLine <= lineNumber - offset);
      problems.push({
        object: owner?.object ?? '?',
        message: match[3] ?? line,
        source: (source[lineNumber - 1] ?? '').trim(),
      });
    }
    if (result.status !== 0 && problems.length === 0) {
      throw new Error(`tsc failed without a diagnostic: ${result.stdout}${result.stderr}`);
    }
    return problems;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
