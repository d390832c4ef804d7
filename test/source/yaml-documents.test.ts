import { describe, expect, it } from 'vitest';
import { LineIndex } from '../../packages/validator/src/source/line-index.js';
import { parseYamlDocuments, YAML_LIMITS } from '../../packages/validator/src/source/yaml-documents.js';

const TEXT = `# leading comment
a: 1
---
# a comment-only document is no document
---
spec:
  users:
    foo_user:
    "quoted": [login]
  list:
    - first
    - {inline: value}
  on: yes
`;

function slice(text: string, span: { start: number; end: number }): string {
  return text.slice(span.start, span.end);
}

describe('parseYamlDocuments', () => {
  const docs = parseYamlDocuments(TEXT);

  it('reads every non-empty document, numbered among non-empty ones', () => {
    expect(docs.map((d) => d.index)).toEqual([0, 1]);
    expect(docs[0]?.value).toEqual({ a: 1 });
    expect(docs[1]?.value).toEqual({
      spec: {
        users: { foo_user: null, quoted: ['login'] },
        list: ['first', { inline: 'value' }],
        true: true,
      },
    });
  });

  it('locates values, keys, list items and quoted keys', () => {
    const doc = docs[1];
    if (!doc) throw new Error('missing document');
    expect(slice(TEXT, doc.locate('spec.users[quoted]'))).toBe('[login]');
    expect(slice(TEXT, doc.locate('spec.users[quoted]', 'key'))).toBe('"quoted"');
    expect(slice(TEXT, doc.locate('spec.list[1].inline'))).toBe('value');
    expect(slice(TEXT, doc.locate('spec.list[1]'))).toBe('{inline: value}');
    expect(slice(TEXT, doc.locate('spec.true', 'key'))).toBe('on');
  });

  it('points a null value at its key', () => {
    const doc = docs[1];
    expect(doc && slice(TEXT, doc.locate('spec.users[foo_user]'))).toBe('foo_user');
  });

  it('points a missing field at the mapping that should hold it, from its key on', () => {
    const doc = docs[1];
    if (!doc) throw new Error('missing document');
    const span = doc.locate('spec.users[nobody].deeper');
    expect(slice(TEXT, span).startsWith('users:')).toBe(true);
    expect(new LineIndex(TEXT).position(span.start)).toEqual({ line: 7, column: 3 });
  });

  it('reports every duplicate key with its path and keeps the last value, as kubectl does', () => {
    const [doc] = parseYamlDocuments('a: 1\nb:\n  c: 1\n  c: 2\na: 3\n');
    expect(doc?.value).toEqual({ a: 3, b: { c: 2 } });
    expect(doc?.problems.map((p) => [p.ruleId, p.segments.join('.')])).toEqual([
      ['yaml/duplicate-key', 'b.c'],
      ['yaml/duplicate-key', 'a'],
    ]);
  });

  it('isolates a syntax error to its own document', () => {
    const text = 'ok: 1\n---\nbroken: [1\nnext: 2\n---\nfine: true\n';
    const result = parseYamlDocuments(text);
    expect(result.map((d) => d.value)).toEqual([{ ok: 1 }, undefined, { fine: true }]);
    const problem = result[1]?.problems[0];
    expect(problem?.ruleId).toBe('yaml/syntax');
    expect(new LineIndex(text).position(problem?.span.start ?? 0).line).toBeGreaterThanOrEqual(3);
  });

  it('stops an alias bomb instead of expanding it', () => {
    let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i <= 8; i++) {
      const prev = `*a${i - 1}`;
      text += `a${i}: &a${i} [${Array(10).fill(prev).join(', ')}]\n`;
    }
    const started = Date.now();
    const [doc] = parseYamlDocuments(text);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(doc?.value).toBeUndefined();
    expect(doc?.problems[0]?.ruleId).toBe('yaml/alias-expansion');
  });

  it('refuses nesting deeper than the limit with a clear message', () => {
    const depth = YAML_LIMITS.maxDepth + 10;
    const [doc] = parseYamlDocuments(`${'['.repeat(depth)}${']'.repeat(depth)}`);
    expect(doc?.value).toBeUndefined();
    expect(doc?.problems[0]?.message).toMatch(/deeper than/);
  });

  it('reads JSON, including tab-indented JSON', () => {
    const [doc] = parseYamlDocuments('{\n\t"kind": "postgresql",\n\t"spec": {"teamId": "acid"}\n}\n');
    expect(doc?.value).toEqual({ kind: 'postgresql', spec: { teamId: 'acid' } });
  });
});

describe('LineIndex', () => {
  it('maps offsets to 1-based lines and columns', () => {
    const lines = new LineIndex('ab\ncd\r\nef');
    expect(lines.position(0)).toEqual({ line: 1, column: 1 });
    expect(lines.position(4)).toEqual({ line: 2, column: 2 });
    expect(lines.position(7)).toEqual({ line: 3, column: 1 });
    expect(lines.line(2)).toBe('cd');
  });
});
