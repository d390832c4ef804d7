import { defineScalarTag, FAILSAFE_SCHEMA, mergeTag, NOT_RESOLVED, type Schema } from 'js-yaml';

/**
 * Plain scalars resolved the way `kubectl`, Helm, Argo CD and Flux resolve them: they all read YAML
 * through sigs.k8s.io/yaml, i.e. go-yaml v2, which follows YAML 1.1. So `on`, `yes`, `y` are booleans,
 * `0755` is octal and `1_000` is 1000 — while `12:30` and `2024-01-01` stay strings (go-yaml keeps
 * timestamps as strings when decoding into interface{}). A linter that resolved YAML 1.2 would miss
 * `ssl: on` turning into a boolean that the CRD rejects.
 */

const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const TRUES = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSES = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
const SPECIAL_FLOATS: Record<string, number> = {
  '.nan': Number.NaN,
  '.NaN': Number.NaN,
  '.NAN': Number.NaN,
  '.inf': Number.POSITIVE_INFINITY,
  '.Inf': Number.POSITIVE_INFINITY,
  '.INF': Number.POSITIVE_INFINITY,
  '+.inf': Number.POSITIVE_INFINITY,
  '+.Inf': Number.POSITIVE_INFINITY,
  '+.INF': Number.POSITIVE_INFINITY,
  '-.inf': Number.NEGATIVE_INFINITY,
  '-.Inf': Number.NEGATIVE_INFINITY,
  '-.INF': Number.NEGATIVE_INFINITY,
};
const DIGIT_START = [...'0123456789+-.'];
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** Go's strconv.ParseInt/ParseUint with base 0 (after go-yaml removed underscores). */
function parseGoInteger(text: string): number | undefined {
  const match = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!match) return undefined;
  const sign = match[1] === '-' ? -1 : 1;
  const body = match[2] as string;
  let value: bigint;
  if (/^0[xXoObB]/.test(body)) value = BigInt(`0${body[1]?.toLowerCase()}${body.slice(2)}`);
  else if (body.length > 1 && body.startsWith('0')) value = BigInt(`0o${body.slice(1)}`);
  else value = BigInt(body);
  // Out of int64 and uint64 range: go-yaml falls through to the float rule.
  if (sign < 0 ? value > 2n ** 63n : value >= 2n ** 64n) return undefined;
  return sign * Number(value);
}

export function resolveKubectlScalar(source: string): null | boolean | number | string {
  if (NULLS.has(source)) return null;
  if (TRUES.has(source)) return true;
  if (FALSES.has(source)) return false;
  const special = SPECIAL_FLOATS[source];
  if (special !== undefined) return special;
  const first = source[0];
  if (first === undefined || !DIGIT_START.includes(first)) return source;
  const plain = source.replaceAll('_', '');
  const integer = parseGoInteger(plain);
  if (integer !== undefined) return integer;
  if (YAML_STYLE_FLOAT.test(plain)) return Number.parseFloat(plain);
  // go-yaml v2 also reads a signed binary literal after the float rule.
  const binary = /^-0b([01]+)$/.exec(plain);
  if (binary) return -Number(BigInt(`0b${binary[1]}`));
  return source;
}

const identifyNever = () => false;

const nullTag = defineScalarTag('tag:yaml.org,2002:null', {
  implicit: true,
  implicitFirstChars: ['', '~', 'n', 'N'],
  resolve: (source) => (NULLS.has(source) ? null : NOT_RESOLVED),
  identify: (data) => data === null,
  represent: () => 'null',
});

const boolTag = defineScalarTag('tag:yaml.org,2002:bool', {
  implicit: true,
  implicitFirstChars: [...'yYnNtTfFoO'],
  resolve: (source) => (TRUES.has(source) ? true : FALSES.has(source) ? false : NOT_RESOLVED),
  identify: (data) => typeof data === 'boolean',
});

const numberTag = defineScalarTag('tag:yaml.org,2002:float', {
  implicit: true,
  implicitFirstChars: DIGIT_START,
  resolve: (source) => {
    const value = resolveKubectlScalar(source);
    return typeof value === 'number' ? value : NOT_RESOLVED;
  },
  identify: identifyNever,
});

const intTag = defineScalarTag('tag:yaml.org,2002:int', {
  resolve: (source) => {
    const value = resolveKubectlScalar(source);
    return typeof value === 'number' && Number.isInteger(value) ? value : NOT_RESOLVED;
  },
  identify: identifyNever,
});

/** The js-yaml schema: strings, sequences and mappings plus the kubectl scalar rules and merge keys. */
export const KUBECTL_SCHEMA: Schema = FAILSAFE_SCHEMA.withTags(nullTag, boolTag, intTag, numberTag, mergeTag);
