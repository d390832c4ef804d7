import { describe, expect, it } from 'vitest';
import schemaJson from '../../packages/validator/src/generated/postgresql.schema.json' with { type: 'json' };
import type { JsonSchema } from '../../packages/validator/src/schema/json-schema.js';
import { re2ToEcmaScript } from '../../packages/validator/src/schema/re2-pattern.js';

/** Every distinct pattern of the generated schema: [RE2 as the CRD spells it, ECMAScript translation]. */
function patternsOf(schema: JsonSchema): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (node: unknown) => {
    if (node === null || typeof node !== 'object') return;
    const n = node as JsonSchema;
    if (typeof n.pattern === 'string') found.set(n['x-kubernetes-pattern'] ?? n.pattern, n.pattern);
    for (const value of Object.values(node)) visit(value);
  };
  visit(schema);
  return found;
}

/** Values Kubernetes (Go's RE2 `MatchString`) accepts and rejects, per pattern family. */
const CASES: { name: string; match: (re2: string) => boolean; accept: string[]; reject: string[] }[] = [
  {
    name: 'CPU',
    match: (p) => p.startsWith('^(\\d+m|'),
    accept: ['500m', '1', '0.5', '2.125', '0'],
    reject: ['.5', '1.2345', '', '1000u', '0.5m', '1 ', ' 1', '1e3', '٣'],
  },
  {
    name: 'memory',
    match: (p) => p.includes('[EPTGMK]i?'),
    accept: ['100Mi', '1Gi', '1.5G', '1e9', '0', '0Gi', '500K', '1e3Gi'],
    reject: ['1k', '1m', '', '.5Gi', '1Gb', '1 Gi', '1.5'],
  },
  {
    name: 'cron schedule',
    match: (p) => p.startsWith('^(\\d+|\\*)(/\\d+)?'),
    accept: ['30 00 * * *', '*/5 * * * *', '0 0 1 1 0', '0\t0 * * *', '99 * * * *'],
    reject: [
      '@daily',
      '0 0 * * MON',
      '0-5 * * * *',
      '1,2 * * * *',
      '* * * *',
      '0\u00a00 * * *',
      '0\u000b0 * * *',
    ],
  },
  {
    name: 'timestamp',
    match: (p) => p.includes('[Tt]'),
    accept: ['2017-12-19T12:40:33+01:00', '2024-02-29t00:00:60.123-05:30'],
    reject: [
      '2017-12-19T12:40:33Z',
      '2017-12-19 12:40:33+01:00',
      '2017-13-01T00:00:00+00:00',
      '2017-12-19T24:00:00+00:00',
    ],
  },
  {
    name: 'maintenance window',
    match: (p) => p.includes('(Mon|Tue|Wed|Thu|Fri|Sat|Sun)'),
    // The CRD pattern (with RE2's escaped spaces) is looser than the operator's parser: rules catch the rest.
    accept: ['01:00-06:00', 'Sat:00:00-04:00', ' 1:5-2:00 ', 'Mon:22:00-02:00'],
    reject: [
      'Sat:01:00-Sat:03:00',
      'sat:01:00-02:00',
      '25:00-26:00',
      '01:00',
      '01:00:00-02:00:00',
      '\t01:00-02:00',
    ],
  },
  {
    name: 'CIDR',
    match: (p) => p.includes('25[0-5]'),
    accept: ['127.0.0.1/32', '10.0.0.0/8', '0.0.0.0/0', '2001:db8::/32', '::1/128', 'fe80::1:2/64'],
    reject: ['10.0.0.0', '256.0.0.0/8', '10.0.0.0/33', '2001:db8::/129', '010.0.0.0/8', 'localhost/32'],
  },
  {
    name: 'Kubernetes quantity',
    match: (p) => p.startsWith('^(\\+|-)?'),
    accept: ['1', '500m', '1Gi', '1e3', '+1.5', '.5', '2E'],
    reject: ['', 'Gi', '1GiB', '1 Gi', '1e'],
  },
  {
    name: 'UUID (format: uuid)',
    match: (p) => p.startsWith('^[0-9a-fA-F]{8}'),
    accept: ['efd12e58-5786-11e8-b5a7-06148230260c', 'EFD12E58578611E8B5A706148230260C'],
    reject: ['efd12e58-5786-11e8-b5a7', 'not-a-uuid', 'efd12e58-5786-11e8-b5a7-06148230260g'],
  },
];

describe('CRD patterns (RE2) translated to ECMAScript', () => {
  const patterns = patternsOf(schemaJson as JsonSchema);

  it('has a test case for every pattern in the schema', () => {
    for (const re2 of patterns.keys()) {
      expect(
        CASES.some((c) => c.match(re2)),
        `no cases for ${re2}`,
      ).toBe(true);
    }
  });

  for (const c of CASES) {
    it(`${c.name}: accepts what Kubernetes accepts and rejects what it rejects`, () => {
      const matching = [...patterns.entries()].filter(([re2]) => c.match(re2));
      expect(matching.length, `pattern for ${c.name} in the schema`).toBeGreaterThan(0);
      for (const [, ecma] of matching) {
        const regex = new RegExp(ecma, 'u');
        for (const value of c.accept) expect(regex.test(value), `accept ${JSON.stringify(value)}`).toBe(true);
        for (const value of c.reject)
          expect(regex.test(value), `reject ${JSON.stringify(value)}`).toBe(false);
      }
    });
  }
});

describe('re2ToEcmaScript', () => {
  it.each([
    ['^\\ *a\\ *$', '^ *a *$'],
    ['^\\s+$', '^[\\t\\n\\f\\r ]+$'],
    ['^a\\-b\\:c$', '^a-b:c$'],
    ['^a{2}b{,3}$', '^a{2}b\\{,3\\}$'],
    ['^[]a]$', '^[\\]a]$'],
    ['^[[:digit:]]+$', '^[0-9]+$'],
    ['^(?P<n>a)$', '^(?<n>a)$'],
    ['^a.b$', '^a[^\\n]b$'],
    ['\\Aa\\z', '^a$'],
    ['^\\Qa.b\\E$', '^a\\.b$'],
    ['(?i)^ab[c-d]$', '^[aA][bB][c-dC-D]$'],
    ['^\\x{41}\\101$', '^\\u{41}\\u{41}$'],
  ])('%s → %s', (re2, expected) => {
    const translated = re2ToEcmaScript(re2);
    expect(translated).toBe(expected);
    expect(() => new RegExp(translated, 'u')).not.toThrow();
  });

  it('keeps RE2 semantics the u flag would change', () => {
    expect(new RegExp(re2ToEcmaScript('^a\\sb$'), 'u').test('a\u00a0b')).toBe(false);
    expect(new RegExp(re2ToEcmaScript('^a.b$'), 'u').test('a\rb')).toBe(true);
  });

  it('refuses what it cannot translate faithfully, with a clear message', () => {
    expect(() => re2ToEcmaScript('(?s)a.b')).toThrow(/flags \(\?s\) are not supported/);
    expect(() => re2ToEcmaScript('a\\C')).toThrow(/escape \\C is not supported/);
    expect(() => re2ToEcmaScript('[a')).toThrow(/unterminated character class/);
  });
});
