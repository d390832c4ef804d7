import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import ajvDraft04 from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { lintText } from '../../packages/validator/src/lint-text.js';
import type { FileResult } from '../../packages/validator/src/report/file-result.js';
import { formatGithub } from '../../packages/validator/src/report/github.js';
import { formatJunit } from '../../packages/validator/src/report/junit.js';
import { formatSarif } from '../../packages/validator/src/report/sarif.js';

const require = createRequire(import.meta.url);
const SARIF_SCHEMA = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');

const BAD = readFileSync(new URL('../../examples/bad/typos-and-nulls.yaml', import.meta.url), 'utf8');
const GOOD = readFileSync(new URL('../../examples/good/acid-orders.yaml', import.meta.url), 'utf8');
const result = (file: string, text: string): FileResult => ({ file, text, ...lintText(text) });
const results = [
  result('examples/bad/typos-and-nulls.yaml', BAD),
  result('examples/good/acid-orders.yaml', GOOD),
];

describe('--format sarif', () => {
  const log = JSON.parse(formatSarif(results));

  it('is valid SARIF 2.1.0', () => {
    const ajv = new ajvDraft04.default({ strict: false, validateFormats: false, unicodeRegExp: false });
    const validate = ajv.compile(SARIF_SCHEMA);
    const valid = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    // The check can fail: a level SARIF does not know is refused.
    const broken = structuredClone(log);
    broken.runs[0].results[0].level = 'fatal';
    expect(validate(broken)).toBe(false);
  });

  it('has a result with a real region for every finding, pointing at its rule', () => {
    const run = log.runs[0];
    expect(run.results).toHaveLength(results[0]?.findings.length ?? -1);
    const first = run.results[0];
    const finding = results[0]?.findings[0];
    expect(first.ruleId).toBe(finding?.ruleId);
    expect(run.tool.driver.rules[first.ruleIndex].id).toBe(finding?.ruleId);
    expect(first.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'examples/bad/typos-and-nulls.yaml' },
      region: {
        startLine: finding?.location.line,
        startColumn: finding?.location.column,
        endLine: finding?.location.endLine,
        endColumn: finding?.location.endColumn,
      },
    });
  });

  it('carries rule metadata and help text', () => {
    const rule = log.runs[0].tool.driver.rules.find((r: { id: string }) => r.id === 'schema/null-entry');
    expect(rule.defaultConfiguration.level).toBe('error');
    expect(rule.help.markdown).toContain('foo_user: []');
  });
});

describe('--format github', () => {
  const out = formatGithub(results);

  it('writes one annotation per finding with file, line and column, escaped', () => {
    const annotations = out.split('\n').filter((line) => line.startsWith('::'));
    expect(annotations).toHaveLength(results[0]?.findings.length ?? -1);
    expect(annotations[0]).toMatch(
      /^::error file=examples\/bad\/typos-and-nulls\.yaml,line=10,col=3,endLine=10,endColumn=19,title=schema\/unknown-field::/,
    );
    expect(annotations.every((line) => !line.slice(2).includes('\n'))).toBe(true);
    expect(out).toContain('%0Ahint: ');
  });

  it('escapes the characters workflow commands reserve', () => {
    const odd: FileResult = {
      ...result('a,b:c.yaml', BAD),
      findings: [
        { ...(results[0]?.findings[0] as FileResult['findings'][number]), message: '100% wrong\nreally' },
      ],
    };
    expect(formatGithub([odd])).toContain('file=a%2Cb%3Ac.yaml');
    expect(formatGithub([odd])).toContain('100%25 wrong%0Areally');
  });
});

describe('--format junit', () => {
  const out = formatJunit(results);

  it('has a suite per file, a failure per error and a passing case for a clean file', () => {
    expect(out.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')).toBe(true);
    expect(out.match(/<testsuite /g)).toHaveLength(2);
    expect(out.match(/<failure /g)).toHaveLength(results[0]?.errors ?? -1);
    expect(out).toContain('name="no problems"');
    expect(out).toMatch(/<testsuites name="acid-guard" tests="\d+" failures="8"/);
  });

  it('escapes XML', () => {
    expect(out).not.toMatch(/message="[^"]*<[^"]*"/);
    expect(out).toContain('&quot;');
  });
});
