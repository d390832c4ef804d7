import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintText } from '../../packages/validator/src/lint-text.js';
import { ROOT } from './cli-harness.js';

/**
 * examples/bad/*.yaml mark each expected finding with `# expect: rule-id[, rule-id]` on the line where
 * the finding starts; the linter must report exactly those, at those lines. examples/good has none.
 */
function expectations(text: string): string[] {
  const expected: string[] = [];
  text.split('\n').forEach((line, i) => {
    const match = /#\s*expect:\s*(.+)$/.exec(line);
    for (const id of match?.[1]?.split(',') ?? []) expected.push(`${i + 1} ${id.trim()}`);
  });
  return expected.sort();
}

const dir = (kind: string) => join(ROOT, 'examples', kind);

describe('examples/bad: every expected finding at its line, and nothing else', () => {
  it.each(readdirSync(dir('bad')))('%s', (file) => {
    const text = readFileSync(join(dir('bad'), file), 'utf8');
    const expected = expectations(text);
    expect(expected.length).toBeGreaterThan(0);
    const actual = lintText(text)
      .findings.map((f) => `${f.location.line} ${f.ruleId}`)
      .sort();
    expect(actual).toEqual(expected);
  });
});

describe('examples/good: no finding at all', () => {
  it.each(readdirSync(dir('good')))('%s', (file) => {
    const result = lintText(readFileSync(join(dir('good'), file), 'utf8'));
    expect(result.findings).toEqual([]);
    expect(result.documents).toBeGreaterThan(0);
  });
});
