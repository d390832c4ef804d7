import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lintText } from '../../packages/validator/src/lint-text.js';
import { mutate } from '../../packages/validator/src/mutate/mutate.js';
import { schemaForOperatorVersion } from '../../packages/validator/src/schema/operator-versions.js';
import { validate } from '../../packages/validator/src/validate.js';

/**
 * Random and mutated manifests through lintText, validate and mutate: never an exception. Bounded:
 * a few hundred runs each, well under a minute together.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const seeds = ['good', 'bad'].flatMap((kind) =>
  readdirSync(join(ROOT, 'examples', kind)).map((file) =>
    readFileSync(join(ROOT, 'examples', kind, file), 'utf8'),
  ),
);

/** Edits that keep a text mostly YAML: cut, duplicate or swap lines, inject characters YAML cares about. */
const mutatedText = fc
  .tuple(
    fc.constantFrom(...seeds),
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.constantFrom('cut', 'dup', 'indent', 'dedent', 'inject', 'truncate'),
        fc.constantFrom(
          ':',
          '- ',
          '&a ',
          '*a',
          '{',
          '[',
          '"',
          "'",
          '|',
          '>',
          '#',
          '\t',
          '~',
          '---\n',
          '? ',
          '!!str ',
          '\u0000',
          '\uFFFF',
        ),
      ),
      { maxLength: 6 },
    ),
  )
  .map(([seed, edits]) => {
    const lines = seed.split('\n');
    for (const [at, edit, text] of edits) {
      if (lines.length === 0) lines.push('');
      const i = at % lines.length;
      const line = lines[i] ?? '';
      if (edit === 'cut') lines.splice(i, 1);
      else if (edit === 'dup') lines.splice(i, 0, line);
      else if (edit === 'indent') lines[i] = `  ${line}`;
      else if (edit === 'dedent') lines[i] = line.replace(/^ {1,2}/, '');
      else if (edit === 'inject')
        lines[i] = `${line.slice(0, at % (line.length + 1))}${text}${line.slice(at % (line.length + 1))}`;
      else lines.length = Math.max(1, i);
    }
    return lines.join('\n');
  });

/** Objects of any shape, some of them close to a manifest. */
const anyValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.string(),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.constantFrom(
        'spec',
        'users',
        'volume',
        'size',
        'version',
        'postgresql',
        'teamId',
        'x',
        '__proto__',
        'parameters',
      ),
      tie('value'),
      { maxKeys: 4 },
    ),
  ),
})).value;

const manifestLike = fc.record({
  apiVersion: fc.constantFrom('acid.zalan.do/v1', 'v1', 7),
  kind: fc.constantFrom('postgresql', 'Postgresql', 'List'),
  metadata: fc.oneof(fc.record({ name: fc.oneof(fc.string(), fc.constant('acid-x')) }), anyValue),
  spec: anyValue,
});

describe('fuzz: the library never throws', () => {
  it('lintText on mutated example files', () => {
    fc.assert(
      fc.property(mutatedText, (text) => {
        const result = lintText(text);
        expect(result.errors + result.warnings).toBe(result.findings.length);
        for (const f of result.findings) expect(f.location.line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });

  it('lintText on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        expect(() => lintText(text)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });

  it('validate under the v1.15.1 schema, where env, sidecars and initContainers are free-form', async () => {
    const schema = await schemaForOperatorVersion('1.15.1');
    const freeForm = fc.record({
      env: fc.array(anyValue, { maxLength: 3 }),
      sidecars: fc.array(anyValue, { maxLength: 3 }),
      initContainers: fc.array(anyValue, { maxLength: 3 }),
      users: fc.dictionary(fc.constantFrom('app', 'Bad', 'postgres'), fc.oneof(fc.constant(null), anyValue)),
    });
    fc.assert(
      fc.property(freeForm, (spec) => {
        const object = {
          apiVersion: 'acid.zalan.do/v1',
          kind: 'postgresql',
          metadata: { name: 'acid-x' },
          spec,
        };
        const findings = validate(object, { schema });
        expect(findings.filter((f) => f.ruleId === 'internal/rule-failed')).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('validate and mutate on arbitrary objects, for every operation', () => {
    fc.assert(
      fc.property(
        manifestLike,
        anyValue,
        fc.constantFrom('CREATE', 'UPDATE', 'DELETE' as const),
        (object, old, operation) => {
          const findings = validate(object, { operation, old });
          expect(findings.every((f) => f.ruleId !== 'internal/rule-failed')).toBe(true);
          expect(() => mutate(object)).not.toThrow();
        },
      ),
      { numRuns: 400 },
    );
  });
});
