import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintText } from '../../packages/validator/src/lint-text.js';

const examples = join(import.meta.dirname, '..', '..', '..', 'shared', 'reference', 'examples');
const present = existsSync(examples);
if (!present) console.warn(`conformance: ${examples} is missing — the upstream example suite is skipped`);

describe.skipIf(!present)("the operator's own example manifests", () => {
  const files = present ? readdirSync(examples).filter((f) => f.endsWith('.yaml')) : [];

  it('are all here', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
  });

  it.each(files)('%s lints with zero errors', (file) => {
    const result = lintText(readFileSync(join(examples, file), 'utf8'));
    const errors = result.findings.filter((f) => f.severity === 'error');
    expect(errors).toEqual([]);
    expect(result.documents - result.skipped).toBeGreaterThan(0);
  });
});
