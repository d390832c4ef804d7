import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { KUBECTL_SCHEMA, resolveKubectlScalar } from '../../packages/validator/src/source/kubectl-scalars.js';

/** What sigs.k8s.io/yaml (go-yaml v2, YAML 1.1) makes of plain scalars — the value kubectl sends. */
const CASES: [string, unknown][] = [
  ['on', true],
  ['Yes', true],
  ['y', true],
  ['OFF', false],
  ['n', false],
  ['tRue', 'tRue'],
  ['~', null],
  ['Null', null],
  ['0755', 493],
  ['0o17', 15],
  ['0x1F', 31],
  ['08', 8],
  ['1_000', 1000],
  ['+5', 5],
  ['-0b101', -5],
  ['1e3', 1000],
  ['1.5', 1.5],
  ['.5', 0.5],
  ['12:30', '12:30'],
  ['2024-01-31', '2024-01-31'],
  ['500m', '500m'],
  ['1e3Gi', '1e3Gi'],
  ['17', 17],
  ['99999999999999999999', 1e20],
];

describe('plain scalars are read like kubectl reads them', () => {
  it.each(CASES)('%s', (text, expected) => {
    expect(resolveKubectlScalar(text)).toEqual(expected);
    expect((load(`k: ${text}`, { schema: KUBECTL_SCHEMA }) as { k: unknown }).k).toEqual(expected);
  });

  it('keeps quoted scalars as strings', () => {
    expect(load('a: "on"\nb: \'17\'', { schema: KUBECTL_SCHEMA })).toEqual({ a: 'on', b: '17' });
  });

  it('resolves keys too, as kubectl does (a key "on" becomes "true")', () => {
    expect(load('on: 1', { schema: KUBECTL_SCHEMA })).toEqual({ true: 1 });
  });

  it('supports merge keys', () => {
    expect(load('base: &b {x: 1}\nmerged:\n  <<: *b\n  z: 2', { schema: KUBECTL_SCHEMA })).toEqual({
      base: { x: 1 },
      merged: { x: 1, z: 2 },
    });
  });
});
