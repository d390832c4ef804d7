import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderObject } from '../../packages/validator/src/cluster/render-object.js';
import { parseYamlDocuments } from '../../packages/validator/src/source/yaml-documents.js';
import { postgresql } from './fixtures.js';

/** What `kubectl`-style reading makes of a rendering. */
function readBack(text: string): unknown {
  const documents = parseYamlDocuments(text);
  expect(documents).toHaveLength(1);
  expect(documents[0]?.problems).toEqual([]);
  return documents[0]?.value;
}

describe('renderObject: an API object as YAML that reads back as the same value', () => {
  it('is YAML, without metadata.managedFields', () => {
    const object = postgresql('apps', 'acid-orders');
    (object.metadata as Record<string, unknown>).managedFields = [
      { manager: 'kubectl', operation: 'Update' },
    ];
    const text = renderObject(object);
    expect(text.startsWith('apiVersion: acid.zalan.do/v1\nkind: postgresql\nmetadata:\n')).toBe(true);
    expect(text).not.toContain('managedFields');
    expect(text).toContain('  numberOfInstances: 2\n');
  });

  it('quotes every string a YAML 1.1 reader would turn into something else', () => {
    const tricky = [
      'on',
      'Off',
      'y',
      'N',
      '0755',
      '0o17',
      '0x1F',
      '1_000',
      '~',
      'null',
      '',
      '.inf',
      '12:30',
      '1e3',
      '+12',
    ];
    const object = {
      kind: 'ConfigMap',
      data: Object.fromEntries(tricky.map((value, i) => [`k${i}`, value])),
    };
    const text = renderObject(object);
    expect(text.startsWith('kind: ConfigMap')).toBe(true);
    expect(text).toContain('k5: "0o17"');
    expect(readBack(text)).toEqual(object);
  });

  it('round-trips any JSON value the API server could hold (property)', () => {
    const scalar = fc.oneof(
      fc.string(),
      fc.constantFrom(
        'on',
        'yes',
        '0755',
        '0o7',
        '12:30',
        '-.inf',
        '.NaN',
        'true',
        '2024-01-01',
        '- a',
        '#x',
        '"q"',
        "'",
        '\t',
      ),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
    );
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, scalar, tie('list'), tie('map')),
      list: fc.array(tie('node'), { maxLength: 4 }),
      map: fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('on', 'null', '1', 'y')), tie('node'), {
        maxKeys: 4,
        noNullPrototype: true,
      }),
    }));
    fc.assert(
      fc.property(value.map, (spec) => {
        // As the API server sends it: parsed from JSON.
        const object = JSON.parse(
          JSON.stringify({
            apiVersion: 'acid.zalan.do/v1',
            kind: 'postgresql',
            metadata: { name: 'x' },
            spec,
          }),
        );
        const text = renderObject(object);
        // Quoting alone does it: the JSON fallback is never needed.
        expect(text.startsWith('apiVersion: ')).toBe(true);
        expect(readBack(text)).toEqual(object);
      }),
      { numRuns: 300 },
    );
  });
});
