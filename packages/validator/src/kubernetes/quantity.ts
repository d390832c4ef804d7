/**
 * Kubernetes resource quantities, as `resource.ParseQuantity` (k8s.io/apimachinery) reads them:
 *
 *   <quantity> ::= <sign>? <digits> [ "." <digits> ] <suffix>
 *   <suffix>   ::= Ki | Mi | Gi | Ti | Pi | Ei          (binary, powers of 1024)
 *                | n | u | m | "" | k | M | G | T | P | E (decimal SI)
 *                | (e | E) <sign>? <digits>               (decimal exponent)
 *
 * Exactly one suffix: `500K` (no bare K), `1e3Gi` (exponent and suffix) and `1 Gi` fail, although
 * the operator's CRD patterns admit the first two. The scanner is a port of Go's
 * `parseQuantityString`, quirks included (`.`, `-`, `1.` and `1.Gi` are accepted); values are exact
 * decimals (BigInt coefficient × 10^exponent), rounded up to a whole nano-unit and capped at 2^63−1
 * the way Kubernetes does, so comparisons carry no floating-point error.
 */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** The text as written. */
  readonly text: string;
  readonly format: QuantityFormat;
  /** The value is exactly `coefficient × 10^exponent`; the coefficient has no trailing zeros (0n for zero). */
  readonly coefficient: bigint;
  readonly exponent: number;
}

/** Kubernetes' own error texts (`resource.ErrFormatWrong`, `ErrNumeric`, `ErrSuffix`). */
export const QUANTITY_ERRORS = {
  format: "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
  numeric: 'unable to parse numeric part of quantity',
  suffix: "unable to parse quantity's suffix",
} as const;

export type QuantityReading = { ok: true; quantity: Quantity } | { ok: false; error: string };

const NANO = -9;
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);
const GIBIBYTE = 1n << 30n;

const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIXES: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const SUFFIX_LETTERS = 'eEinumkKMGTP';

/** Readings of recent texts: manifests repeat the same few quantities (`500m`, `1Gi`) over and over. */
const readings = new Map<string, QuantityReading>();
const MAX_READINGS = 1024;

/** Reads a quantity, or says why Kubernetes would refuse it (in Kubernetes' words). */
export function readQuantity(text: string): QuantityReading {
  let reading = readings.get(text);
  if (reading === undefined) {
    reading = Object.freeze(parseQuantityText(text));
    if (readings.size >= MAX_READINGS) readings.clear();
    readings.set(text, reading);
  }
  return reading;
}

function parseQuantityText(text: string): QuantityReading {
  if (text === '') return { ok: false, error: QUANTITY_ERRORS.format };
  if (text === '0')
    return { ok: true, quantity: { text, format: 'DecimalSI', coefficient: 0n, exponent: 0 } };
  const parts = scan(text);
  if (parts === undefined) return { ok: false, error: QUANTITY_ERRORS.format };
  const suffix = interpretSuffix(parts.suffix);
  if (suffix === undefined) return { ok: false, error: QUANTITY_ERRORS.suffix };

  const decimal = readDecimal(parts.value);
  const usesFastPath = fitsInt64Path(parts, suffix);
  // Go parses the numeric text only on its slow path, which fails when it holds no digit (`-e-10`).
  if (!usesFastPath && decimal === undefined) return { ok: false, error: QUANTITY_ERRORS.numeric };
  let coefficient = decimal?.coefficient ?? 0n;
  let exponent = decimal?.exponent ?? 0;
  if (!parts.positive) coefficient = -abs(coefficient);
  if (suffix.base === 2) coefficient *= 1n << BigInt(suffix.exponent);
  else exponent += suffix.exponent;

  let value = roundUpToNano(normalise(coefficient, exponent));
  // Only the slow (arbitrary-precision) path caps, and only decimal-SI and binary-SI amounts.
  if (!usesFastPath && suffix.format !== 'DecimalExponent' && compareMagnitude(value, INT64_MAX) > 0) {
    value = normalise(value.coefficient < 0n ? -INT64_MAX : INT64_MAX, 0);
  }
  return { ok: true, quantity: { text, format: suffix.format, ...value } };
}

/** The quantity, or undefined when Kubernetes would refuse the text. */
export function parseQuantity(text: string): Quantity | undefined {
  const reading = readQuantity(text);
  return reading.ok ? reading.quantity : undefined;
}

/** Exact comparison: -1 when a < b, 0 when equal, 1 when a > b (`1Gi` = `1073741824`, `0.5` = `500m`). */
export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  const signA = sign(a.coefficient);
  const signB = sign(b.coefficient);
  if (signA !== signB) return signA < signB ? -1 : 1;
  if (signA === 0) return 0;
  const magnitude = compareMagnitude(a, b);
  return (signA > 0 ? magnitude : -magnitude) as -1 | 0 | 1;
}

export function isZeroQuantity(quantity: Quantity): boolean {
  return quantity.coefficient === 0n;
}

/** Whole units, rounded up away from zero (`Quantity.Value()`): bytes for memory and storage. */
export function quantityValue(quantity: Quantity): bigint {
  return scaledInteger(quantity, 0);
}

/** Thousandths, rounded up away from zero (`Quantity.MilliValue()`): millicores for CPU. */
export function quantityMilliValue(quantity: Quantity): bigint {
  return scaledInteger(quantity, 3);
}

/**
 * Whole GiB, truncated, as the operator compares volume sizes (`volumes.go:quantityToGigabyte`:
 * `ScaledValue(0) / 2^30`): `1.9Gi` is 1, anything below `1Gi` is 0.
 */
export function quantityWholeGiB(quantity: Quantity): bigint {
  return quantityValue(quantity) / GIBIBYTE;
}

interface ScannedQuantity {
  positive: boolean;
  /** The numeric text as Go's slow path reads it (sign and leading zeros kept). */
  value: string;
  /** Integer digits without leading zeros ("0" when none). */
  num: string;
  /** Fraction digits. */
  denom: string;
  suffix: string;
}

const isDigit = (ch: string | undefined): boolean => ch !== undefined && ch >= '0' && ch <= '9';

/** Go's `parseQuantityString`, step by step; undefined = `ErrFormatWrong`. */
function scan(str: string): ScannedQuantity | undefined {
  const end = str.length;
  let positive = true;
  let pos = 0;
  if (str[0] === '-') {
    positive = false;
    pos++;
  } else if (str[0] === '+') {
    pos++;
  }
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { positive, value: '0', num: '0', denom: '', suffix: '' };

  let i = pos;
  while (i < end && isDigit(str[i])) i++;
  let num = str.slice(pos, i);
  if (i >= end) return { positive, value: str, num, denom: '', suffix: '' };
  pos = i;
  if (num === '') num = '0';

  let denom = '';
  if (str[pos] === '.') {
    pos++;
    i = pos;
    while (i < end && isDigit(str[i])) i++;
    denom = str.slice(pos, i);
    if (i >= end) return { positive, value: str, num, denom, suffix: '' };
    pos = i;
  }
  const value = str.slice(0, pos);

  const suffixStart = pos;
  while (pos < end && SUFFIX_LETTERS.includes(str[pos] as string)) pos++;
  if (pos < end && (str[pos] === '-' || str[pos] === '+')) pos++;
  while (pos < end && isDigit(str[pos])) pos++;
  if (pos < end) return undefined;
  return { positive, value, num, denom, suffix: str.slice(suffixStart) };
}

interface Suffix {
  base: 2 | 10;
  exponent: number;
  format: QuantityFormat;
}

/** Go's `suffixHandler.interpret`: the tables first, then `e<int>` / `E<int>`. */
function interpretSuffix(suffix: string): Suffix | undefined {
  const decimal = DECIMAL_SUFFIXES[suffix];
  if (decimal !== undefined && Object.hasOwn(DECIMAL_SUFFIXES, suffix)) {
    return { base: 10, exponent: decimal, format: 'DecimalSI' };
  }
  const binary = BINARY_SUFFIXES[suffix];
  if (binary !== undefined && Object.hasOwn(BINARY_SUFFIXES, suffix)) {
    return { base: 2, exponent: binary, format: 'BinarySI' };
  }
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    // strconv.ParseInt(s, 10, 64): optional sign, then decimal digits only, within int64.
    const digits = suffix.slice(1);
    if (!/^[+-]?[0-9]+$/.test(digits)) return undefined;
    const parsed = BigInt(digits);
    if (parsed > INT64_MAX || parsed < INT64_MIN) return undefined;
    // Go keeps only the low 32 bits (`int32(parsed)`).
    return { base: 10, exponent: Number(BigInt.asIntN(32, parsed)), format: 'DecimalExponent' };
  }
  return undefined;
}

/**
 * Whether Go takes its int64 fast path (`ParseQuantity`): few enough digits, no finer than nano, and a
 * product that fits. Only the slow path caps and needs a parseable number.
 */
function fitsInt64Path(parts: ScannedQuantity, suffix: Suffix): boolean {
  const digits = parts.num.length + parts.denom.length;
  let precision: number;
  let scale: number;
  let mantissa = 1n;
  if (suffix.base === 10) {
    scale = suffix.exponent;
    precision = 18 - digits;
  } else {
    scale = 0;
    if (parts.denom.length > 0) return false;
    mantissa = 1n << BigInt(suffix.exponent);
    precision = 15 - parts.num.length - Math.trunc((suffix.exponent * 3) / 10) - 1;
  }
  if (precision < 0) return false;
  scale -= parts.denom.length;
  if (scale < NANO) return false;
  const product = BigInt(parts.num + parts.denom) * mantissa;
  return product <= INT64_MAX;
}

/** A decimal text (`-00.50`, `1.`, `.5`) as coefficient × 10^exponent; undefined without digits. */
function readDecimal(text: string): { coefficient: bigint; exponent: number } | undefined {
  const match = /^[+-]?([0-9]*)(?:\.([0-9]*))?$/.exec(text);
  if (match === null) return undefined;
  const whole = match[1] ?? '';
  const fraction = match[2] ?? '';
  if (whole === '' && fraction === '') return undefined;
  return { coefficient: BigInt(`${whole}${fraction}` || '0'), exponent: -fraction.length };
}

function normalise(coefficient: bigint, exponent: number): { coefficient: bigint; exponent: number } {
  if (coefficient === 0n) return { coefficient: 0n, exponent: 0 };
  let c = coefficient;
  let e = exponent;
  while (c % 10n === 0n) {
    c /= 10n;
    e++;
  }
  return { coefficient: c, exponent: e };
}

/** Non-zero values finer than a nano-unit round up (away from zero) to one, as Kubernetes does. */
function roundUpToNano(value: { coefficient: bigint; exponent: number }): {
  coefficient: bigint;
  exponent: number;
} {
  if (value.coefficient === 0n || value.exponent >= NANO) return value;
  const shift = NANO - value.exponent;
  const magnitude = abs(value.coefficient);
  let rounded: bigint;
  if (shift > digitCount(magnitude)) {
    rounded = 1n;
  } else {
    const divisor = 10n ** BigInt(shift);
    rounded = magnitude / divisor + (magnitude % divisor === 0n ? 0n : 1n);
  }
  return normalise(value.coefficient < 0n ? -rounded : rounded, NANO);
}

/** Compares |a| and |b| without building huge powers of ten: by leading-digit position first. */
function compareMagnitude(
  a: { coefficient: bigint; exponent: number },
  b: { coefficient: bigint; exponent: number } | bigint,
): -1 | 0 | 1 {
  const other = typeof b === 'bigint' ? normalise(b, 0) : b;
  const x = abs(a.coefficient);
  const y = abs(other.coefficient);
  if (x === 0n || y === 0n) return x === y ? 0 : x === 0n ? -1 : 1;
  const leadX = digitCount(x) + a.exponent;
  const leadY = digitCount(y) + other.exponent;
  if (leadX !== leadY) return leadX < leadY ? -1 : 1;
  // Same leading position: the exponents differ by at most the digit counts, so aligning is cheap.
  const common = Math.min(a.exponent, other.exponent);
  const alignedX = x * 10n ** BigInt(a.exponent - common);
  const alignedY = y * 10n ** BigInt(other.exponent - common);
  return alignedX === alignedY ? 0 : alignedX < alignedY ? -1 : 1;
}

/** value × 10^digits as an integer, rounded up away from zero, saturating at the int64 range. */
function scaledInteger(quantity: Quantity, digits: number): bigint {
  const { coefficient } = quantity;
  if (coefficient === 0n) return 0n;
  const exponent = quantity.exponent + digits;
  const magnitude = abs(coefficient);
  let result: bigint;
  if (exponent >= 0) {
    result = digitCount(magnitude) + exponent > 19 ? INT64_MAX + 1n : magnitude * 10n ** BigInt(exponent);
  } else if (-exponent > digitCount(magnitude)) {
    result = 1n;
  } else {
    const divisor = 10n ** BigInt(-exponent);
    result = magnitude / divisor + (magnitude % divisor === 0n ? 0n : 1n);
  }
  if (coefficient < 0n) return result > -INT64_MIN ? INT64_MIN : -result;
  return result > INT64_MAX ? INT64_MAX : result;
}

function digitCount(value: bigint): number {
  return abs(value).toString().length;
}

function abs(value: bigint): bigint {
  return value < 0n ? -value : value;
}

function sign(value: bigint): -1 | 0 | 1 {
  return value === 0n ? 0 : value < 0n ? -1 : 1;
}
