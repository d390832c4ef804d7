/**
 * PostgreSQL's own reading of a parameter value (`guc.c`: `parse_bool`, `parse_int`, `parse_real`,
 * `convert_to_base_unit`, `config_enum_lookup_by_name`), so that a value is judged exactly as the
 * server would judge it, then checked against the parameter's range.
 */
import type { ParameterDefinition, ParameterUnit } from './parameter-table.js';

/** PostgreSQL's hint for a bad memory unit (12 and later, which added `B`). */
export const MEMORY_UNITS_HINT = 'Valid units for this parameter are "B", "kB", "MB", "GB", and "TB".';
/** PostgreSQL's hint for a bad time unit (12 and later, which added `us`). */
export const TIME_UNITS_HINT = 'Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".';

const INT_MAX = 2147483647;
const INT_MIN = -2147483648;
/** `MAX_UNIT_LEN`: PostgreSQL reads at most three characters of a unit. */
const MAX_UNIT_LEN = 3;

/** The units a value may be written with, largest first, with their size in bytes or microseconds. */
const MEMORY_UNITS: readonly (readonly [string, number])[] = [
  ['TB', 1024 ** 4],
  ['GB', 1024 ** 3],
  ['MB', 1024 ** 2],
  ['kB', 1024],
  ['B', 1],
];
const TIME_UNITS: readonly (readonly [string, number])[] = [
  ['d', 86_400_000_000],
  ['h', 3_600_000_000],
  ['min', 60_000_000],
  ['s', 1_000_000],
  ['ms', 1000],
  ['us', 1],
];
/** A parameter's unit in bytes or microseconds. */
const UNIT_SIZE: Readonly<Record<ParameterUnit, number>> = {
  B: 1,
  kB: 1024,
  MB: 1024 ** 2,
  '8kB': 8192,
  ms: 1000,
  s: 1_000_000,
  min: 60_000_000,
};

/**
 * PostgreSQL's conversion tables (`memory_unit_conversion_table`, `time_unit_conversion_table`), per
 * base unit of a parameter: the multiplier of each unit, written as PostgreSQL computes it so that
 * rounding comes out the same. Blocks are 8 kB in every build Spilo ships (BLCKSZ = XLOG_BLCKSZ = 8192).
 */
const CONVERSIONS: Readonly<Record<ParameterUnit, readonly (readonly [string, number])[]>> = {
  B: [
    ['TB', 1024.0 * 1024.0 * 1024.0 * 1024.0],
    ['GB', 1024.0 * 1024.0 * 1024.0],
    ['MB', 1024.0 * 1024.0],
    ['kB', 1024.0],
    ['B', 1.0],
  ],
  kB: [
    ['TB', 1024.0 * 1024.0 * 1024.0],
    ['GB', 1024.0 * 1024.0],
    ['MB', 1024.0],
    ['kB', 1.0],
    ['B', 1.0 / 1024.0],
  ],
  MB: [
    ['TB', 1024.0 * 1024.0],
    ['GB', 1024.0],
    ['MB', 1.0],
    ['kB', 1.0 / 1024.0],
    ['B', 1.0 / (1024.0 * 1024.0)],
  ],
  '8kB': [
    ['TB', (1024.0 * 1024.0 * 1024.0) / (8192 / 1024)],
    ['GB', (1024.0 * 1024.0) / (8192 / 1024)],
    ['MB', 1024.0 / (8192 / 1024)],
    ['kB', 1.0 / (8192 / 1024)],
    ['B', 1.0 / 8192],
  ],
  ms: [
    ['d', 1000 * 60 * 60 * 24],
    ['h', 1000 * 60 * 60],
    ['min', 1000 * 60],
    ['s', 1000],
    ['ms', 1],
    ['us', 1.0 / 1000],
  ],
  s: [
    ['d', 60 * 60 * 24],
    ['h', 60 * 60],
    ['min', 60],
    ['s', 1],
    ['ms', 1.0 / 1000],
    ['us', 1.0 / (1000 * 1000)],
  ],
  min: [
    ['d', 60 * 24],
    ['h', 60],
    ['min', 1],
    ['s', 1.0 / 60],
    ['ms', 1.0 / (1000 * 60)],
    ['us', 1.0 / (1000 * 1000 * 60)],
  ],
};

export function isMemoryUnit(unit: ParameterUnit): boolean {
  return unit === 'B' || unit === 'kB' || unit === 'MB' || unit === '8kB';
}

/** C's `isspace` in the C locale. */
function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\v' || ch === '\f' || ch === '\r';
}

/** C's `rint` in the default rounding mode: to the nearest integer, halves to even. */
export function rint(x: number): number {
  if (!Number.isFinite(x)) return x;
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** What a C number parser read: the value, where it stopped (0 = nothing read) and whether it overflowed. */
interface CNumber {
  value: number;
  end: number;
  rangeError: boolean;
}

const HEX = /^[0-9a-fA-F]$/;

function skipSpaceAndSign(text: string): { at: number; negative: boolean } {
  let at = 0;
  while (isSpace(text[at])) at++;
  let negative = false;
  if (text[at] === '+' || text[at] === '-') {
    negative = text[at] === '-';
    at++;
  }
  return { at, negative };
}

const DIGITS: Readonly<Record<number, RegExp>> = { 8: /^[0-7]*/, 10: /^[0-9]*/, 16: /^[0-9a-fA-F]*/ };

/** `strtol(text, &end, 0)` with a 64-bit long: decimal, `0x` hex or `0` octal. */
export function strtol(text: string): CNumber {
  const { at: start, negative } = skipSpaceAndSign(text);
  let at = start;
  let base = 10;
  if (text[at] === '0' && (text[at + 1] === 'x' || text[at + 1] === 'X') && HEX.test(text[at + 2] ?? '')) {
    base = 16;
    at += 2;
  } else if (text[at] === '0') {
    base = 8;
  }
  const digits = (DIGITS[base] as RegExp).exec(text.slice(at))?.[0] ?? '';
  if (digits === '') return { value: 0, end: 0, rangeError: false };
  const end = at + digits.length;
  // Up to 13 digits of any base stay far below 2^63 and exact in a double.
  if (digits.length <= 13) {
    const magnitude = Number.parseInt(digits, base);
    return { value: negative ? -magnitude : magnitude, end, rangeError: false };
  }
  const prefix = base === 16 ? '0x' : base === 8 ? '0o' : '';
  const magnitude = BigInt(`${prefix}${digits}`);
  const signed = negative ? -magnitude : magnitude;
  const rangeError = signed > 9223372036854775807n || signed < -9223372036854775808n;
  return { value: Number(signed), end, rangeError };
}

/** `strtod(text, &end)`: decimal and hex floats, `inf`, `infinity` and `nan` in any case. */
export function strtod(text: string): CNumber {
  const { at: start, negative } = skipSpaceAndSign(text);
  const sign = negative ? -1 : 1;
  const rest = text.slice(start);
  const special = /^(infinity|inf|nan(\([0-9A-Za-z_]*\))?)/i.exec(rest);
  if (special !== null) {
    const word = (special[0] as string).toLowerCase();
    return {
      value: word.startsWith('nan') ? Number.NaN : sign * Number.POSITIVE_INFINITY,
      end: start + word.length,
      rangeError: false,
    };
  }
  const hex = /^0[xX]((?:[0-9a-fA-F]+(?:\.[0-9a-fA-F]*)?)|(?:\.[0-9a-fA-F]+))([pP][+-]?[0-9]+)?/.exec(rest);
  if (hex !== null) return hexFloat(hex, start, sign);
  const decimal = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(rest);
  if (decimal === null) return { value: 0, end: 0, rangeError: false };
  const digits = decimal[0];
  const magnitude = Number(digits);
  const value = sign * magnitude;
  const mantissa = digits.split(/[eE]/)[0] ?? '';
  return {
    value,
    end: start + digits.length,
    rangeError: outOfDoubleRange(magnitude, /[1-9]/.test(mantissa)),
  };
}

function hexFloat(match: RegExpExecArray, start: number, sign: number): CNumber {
  const [whole = '', mantissa = '', exponent] = match;
  const [integer = '', fraction = ''] = mantissa.split('.');
  let magnitude = 0;
  for (const digit of integer) magnitude = magnitude * 16 + Number.parseInt(digit, 16);
  let scale = 1 / 16;
  for (const digit of fraction) {
    magnitude += Number.parseInt(digit, 16) * scale;
    scale /= 16;
  }
  if (exponent !== undefined) magnitude *= 2 ** Number(exponent.slice(1));
  return {
    value: sign * magnitude,
    end: start + whole.length,
    rangeError: outOfDoubleRange(magnitude, /[1-9a-fA-F]/.test(mantissa)),
  };
}

/** glibc sets ERANGE on overflow and when a non-zero number underflows to zero or a subnormal. */
function outOfDoubleRange(magnitude: number, nonZeroDigits: boolean): boolean {
  if (!Number.isFinite(magnitude)) return true;
  return nonZeroDigits && magnitude < 2.2250738585072014e-308;
}

/** `parse_bool`: on/off, true/false, yes/no, 1/0, any case, and unique prefixes (`t`, `fa`, `of`, not `o`). */
export function parsePostgresBool(text: string): boolean | undefined {
  const value = text.toLowerCase();
  const length = value.length;
  const prefixOf = (word: string) => length > 0 && word.startsWith(value);
  switch (value[0]) {
    case 't':
      return prefixOf('true') ? true : undefined;
    case 'f':
      return prefixOf('false') ? false : undefined;
    case 'y':
      return prefixOf('yes') ? true : undefined;
    case 'n':
      return prefixOf('no') ? false : undefined;
    case 'o':
      // "o" alone is ambiguous: PostgreSQL compares at least two characters.
      if (value === 'on') return true;
      if (length >= 2 && 'off'.startsWith(value)) return false;
      return undefined;
    case '1':
      return length === 1 ? true : undefined;
    case '0':
      return length === 1 ? false : undefined;
    default:
      return undefined;
  }
}

/** Why a number could not be read. */
export type NumberError =
  /** Not a number at all (PostgreSQL gives no hint). */
  | { reason: 'syntax' }
  /** A unit the parameter does not take, or text after the unit. */
  | { reason: 'unit'; unit: string }
  /** The parameter has no unit but the value has one. */
  | { reason: 'no-unit'; unit: string }
  /** Beyond a C int (integer parameters only). */
  | { reason: 'int-range'; value: number };

export type NumberResult = { ok: true; value: number } | ({ ok: false } & NumberError);

/**
 * `convert_to_base_unit`: the value in the parameter's unit, or undefined for an unknown unit (units
 * are case-sensitive) or text after it. A fractional value is rounded to a whole number of the next
 * smaller unit (`1.5GB` = 1536MB), as PostgreSQL does.
 */
export function convertToBaseUnit(value: number, unitText: string, base: ParameterUnit): number | undefined {
  let at = 0;
  let unit = '';
  while (at < unitText.length && !isSpace(unitText[at]) && unit.length < MAX_UNIT_LEN) unit += unitText[at++];
  while (isSpace(unitText[at])) at++;
  if (at < unitText.length) return undefined;
  const table = CONVERSIONS[base];
  const index = table.findIndex(([name]) => name === unit);
  const entry = table[index];
  if (entry === undefined) return undefined;
  const converted = value * entry[1];
  const smaller = table[index + 1];
  return smaller === undefined ? converted : rint(converted / smaller[1]) * smaller[1];
}

function withUnit(
  value: number,
  end: number,
  text: string,
  unit: ParameterUnit | undefined,
): NumberResult | undefined {
  let at = end;
  while (isSpace(text[at])) at++;
  if (at === text.length) return undefined;
  const unitText = text.slice(at);
  if (unit === undefined) return { ok: false, reason: 'no-unit', unit: unitText };
  const converted = convertToBaseUnit(value, unitText, unit);
  return converted === undefined
    ? { ok: false, reason: 'unit', unit: unitText }
    : { ok: true, value: converted };
}

/** `parse_int`: decimal, hex or octal, or a fraction, with an optional unit; rounded to an int. */
export function parseIntegerSetting(text: string, unit: ParameterUnit | undefined): NumberResult {
  let parsed = strtol(text);
  const stop = text[parsed.end];
  if (stop === '.' || stop === 'e' || stop === 'E' || parsed.rangeError) parsed = strtod(text);
  if (parsed.end === 0 || parsed.rangeError || Number.isNaN(parsed.value))
    return { ok: false, reason: 'syntax' };
  const converted = withUnit(parsed.value, parsed.end, text, unit);
  if (converted !== undefined && !converted.ok) return converted;
  const value = rint(converted?.value ?? parsed.value);
  if (value > INT_MAX || value < INT_MIN) return { ok: false, reason: 'int-range', value };
  return { ok: true, value };
}

/** `parse_real`: a C double with an optional unit. */
export function parseRealSetting(text: string, unit: ParameterUnit | undefined): NumberResult {
  const parsed = strtod(text);
  if (parsed.end === 0 || parsed.rangeError || Number.isNaN(parsed.value))
    return { ok: false, reason: 'syntax' };
  return withUnit(parsed.value, parsed.end, text, unit) ?? { ok: true, value: parsed.value };
}

/** `config_enum_lookup_by_name`: listed and hidden values, compared case-insensitively. */
export function parseEnumSetting(text: string, definition: ParameterDefinition): string | undefined {
  const lower = text.toLowerCase();
  const values = [...(definition.enumValues ?? []), ...(definition.enumHidden ?? [])];
  return values.find((value) => value.toLowerCase() === lower);
}

/** The result of checking one value against one parameter definition. */
export type ValueCheck =
  | { kind: 'ok'; value: boolean | number | string }
  | { kind: 'invalid'; message: string; hint?: string; suggestion?: string }
  | { kind: 'out-of-range'; value: number; message: string; hint: string };

/**
 * Checks a value the way PostgreSQL does when it reads postgresql.conf: the messages are the server's
 * own (`invalid value for parameter …`, `… is outside the valid range …`) with its hints.
 */
export function checkParameterValue(definition: ParameterDefinition, text: string): ValueCheck {
  const { name } = definition;
  switch (definition.type) {
    case 'bool': {
      const value = parsePostgresBool(text);
      if (value !== undefined) return { kind: 'ok', value };
      return { kind: 'invalid', message: `parameter "${name}" requires a Boolean value` };
    }
    case 'enum': {
      const value = parseEnumSetting(text, definition);
      if (value !== undefined) return { kind: 'ok', value };
      return {
        kind: 'invalid',
        message: `invalid value for parameter "${name}": "${text}"`,
        hint: `Available values: ${(definition.enumValues ?? []).join(', ')}.`,
      };
    }
    case 'integer':
    case 'real':
      return checkNumber(definition, text);
    default:
      return { kind: 'ok', value: text };
  }
}

function checkNumber(definition: ParameterDefinition, text: string): ValueCheck {
  const { name, unit } = definition;
  const parsed =
    definition.type === 'integer' ? parseIntegerSetting(text, unit) : parseRealSetting(text, unit);
  const invalid = `invalid value for parameter "${name}": "${text}"`;
  if (!parsed.ok) {
    switch (parsed.reason) {
      case 'syntax':
        return { kind: 'invalid', message: invalid };
      case 'no-unit':
        return {
          kind: 'invalid',
          message: invalid,
          hint: 'This parameter takes a plain number, without a unit.',
        };
      case 'unit': {
        const suggestion = unit === undefined ? undefined : suggestUnitFix(text, definition);
        return {
          kind: 'invalid',
          message: invalid,
          hint: unit !== undefined && isMemoryUnit(unit) ? MEMORY_UNITS_HINT : TIME_UNITS_HINT,
          ...(suggestion === undefined ? {} : { suggestion }),
        };
      }
      case 'int-range':
        return {
          kind: 'out-of-range',
          value: parsed.value,
          message: invalid,
          hint: `Value exceeds integer range: ${rangeHint(definition)}.`,
        };
    }
  }
  const { value } = parsed;
  const min = definition.min ?? Number.NEGATIVE_INFINITY;
  const max = definition.max ?? Number.POSITIVE_INFINITY;
  if (value >= min && value <= max) return { kind: 'ok', value };
  const inUnit = (n: number) => `${formatNumber(n)}${unit === undefined ? '' : ` ${unit}`}`;
  return {
    kind: 'out-of-range',
    value,
    message: `${inUnit(value)}${readable(value, unit)} is outside the valid range for parameter "${name}" (${inUnit(min)} .. ${inUnit(max)})`,
    hint: rangeHint(definition),
  };
}

/** ` (16kB)` after a number of blocks or any value whose plain form says less than a unit would. */
function readable(value: number, unit: ParameterUnit | undefined): string {
  if (unit === undefined) return '';
  const shown = formatQuantity(value, unit);
  return shown === `${formatNumber(value)}${unit}` || shown === formatNumber(value) ? '' : ` (${shown})`;
}

function rangeHint(definition: ParameterDefinition): string {
  const { min, max, unit } = definition;
  if (min === undefined || max === undefined) return 'write a smaller number';
  return `write a value from ${formatApproximate(min, unit)} to ${formatApproximate(max, unit)}`;
}

/** A number as PostgreSQL's `%g` would roughly show it, without a trailing `.0`. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
  if (Math.abs(value) >= 1e21 || (value !== 0 && Math.abs(value) < 1e-6)) return value.toExponential();
  return String(value);
}

/**
 * A value in a parameter's unit written with the largest unit that divides it exactly: 16384 (8kB) →
 * 128MB, 300 (s) → 5min. Zero, negative sentinels and unitless numbers stay plain numbers.
 */
export function formatQuantity(value: number, unit: ParameterUnit | undefined): string {
  if (unit === undefined || value <= 0 || !Number.isFinite(value)) return formatNumber(value);
  const smallest = value * UNIT_SIZE[unit];
  for (const [name, size] of isMemoryUnit(unit) ? MEMORY_UNITS : TIME_UNITS) {
    const count = smallest / size;
    if (Number.isInteger(count)) return `${count}${name}`;
  }
  return `${formatNumber(value)}${unit}`;
}

/** Like `formatQuantity`, but a long exact number becomes a rounded one in a larger unit: `≈8TB`. */
export function formatApproximate(value: number, unit: ParameterUnit | undefined): string {
  const exact = formatQuantity(value, unit);
  if (unit === undefined || !/^[0-9]{7,}/.test(exact)) return exact;
  const smallest = value * UNIT_SIZE[unit];
  for (const [name, size] of isMemoryUnit(unit) ? MEMORY_UNITS : TIME_UNITS) {
    if (smallest >= size) return `≈${Number((smallest / size).toFixed(1))}${name}`;
  }
  return exact;
}

/** Unit spellings people bring from Kubernetes and elsewhere, with PostgreSQL's for them. */
const UNIT_SPELLINGS: Readonly<Record<string, string>> = {
  Ki: 'kB',
  KiB: 'kB',
  K: 'kB',
  k: 'kB',
  KB: 'kB',
  kb: 'kB',
  Kb: 'kB',
  Mi: 'MB',
  MiB: 'MB',
  M: 'MB',
  mb: 'MB',
  Mb: 'MB',
  Gi: 'GB',
  GiB: 'GB',
  G: 'GB',
  gb: 'GB',
  Gb: 'GB',
  Ti: 'TB',
  TiB: 'TB',
  T: 'TB',
  tb: 'TB',
  b: 'B',
  S: 's',
  sec: 's',
  secs: 's',
  second: 's',
  seconds: 's',
  MS: 'ms',
  msec: 'ms',
  msecs: 'ms',
  m: 'min',
  mins: 'min',
  minute: 'min',
  minutes: 'min',
  H: 'h',
  hr: 'h',
  hrs: 'h',
  hour: 'h',
  hours: 'h',
  D: 'd',
  day: 'd',
  days: 'd',
};

/** `2GiB` → `2GB`: the value with PostgreSQL's spelling of its unit, when that spelling is valid here. */
export function suggestUnitFix(text: string, definition: ParameterDefinition): string | undefined {
  const match = /^(\s*[+-]?[0-9.]+)\s*([A-Za-z]+)\s*$/.exec(text);
  if (match === null) return undefined;
  const [, number = '', unit = ''] = match;
  const fixed = UNIT_SPELLINGS[unit];
  if (fixed === undefined) return undefined;
  const candidate = `${number.trim()}${fixed}`;
  return checkParameterValue(definition, candidate).kind === 'invalid' ? undefined : candidate;
}
