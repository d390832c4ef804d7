import { describe, expect, it } from 'vitest';
import {
  compareQuantities,
  parseQuantity,
  QUANTITY_ERRORS,
  type Quantity,
  quantityMilliValue,
  quantityValue,
  quantityWholeGiB,
  readQuantity,
} from '../../packages/validator/src/kubernetes/quantity.js';

function quantity(text: string): Quantity {
  const parsed = parseQuantity(text);
  if (parsed === undefined) throw new Error(`${text} should parse`);
  return parsed;
}

/** The exact value as a decimal string, for readable expectations. */
function exact(text: string): string {
  const { coefficient, exponent } = quantity(text);
  return exponent === 0 ? `${coefficient}` : `${coefficient}e${exponent}`;
}

describe('parseQuantity: the Kubernetes grammar', () => {
  it.each([
    ['0', '0', 'DecimalSI'],
    ['1', '1', 'DecimalSI'],
    ['250m', '25e-2', 'DecimalSI'],
    ['0.5', '5e-1', 'DecimalSI'],
    ['1.5', '15e-1', 'DecimalSI'],
    ['+2', '2', 'DecimalSI'],
    ['-2', '-2', 'DecimalSI'],
    ['100n', '1e-7', 'DecimalSI'],
    ['5u', '5e-6', 'DecimalSI'],
    ['2k', '2e3', 'DecimalSI'],
    ['1M', '1e6', 'DecimalSI'],
    ['1G', '1e9', 'DecimalSI'],
    ['1T', '1e12', 'DecimalSI'],
    ['1P', '1e15', 'DecimalSI'],
    ['1E', '1e18', 'DecimalSI'],
    ['1Ki', '1024', 'BinarySI'],
    ['1Mi', '1048576', 'BinarySI'],
    ['1Gi', '1073741824', 'BinarySI'],
    ['1.5Gi', '1610612736', 'BinarySI'],
    ['1Ti', '1099511627776', 'BinarySI'],
    ['1Pi', '1125899906842624', 'BinarySI'],
    ['1Ei', '1152921504606846976', 'BinarySI'],
    ['1e3', '1e3', 'DecimalExponent'],
    ['1E3', '1e3', 'DecimalExponent'],
    ['1e+3', '1e3', 'DecimalExponent'],
    ['1e-3', '1e-3', 'DecimalExponent'],
    ['1.5e3', '15e2', 'DecimalExponent'],
    ['0Gi', '0', 'BinarySI'],
    ['000', '0', 'DecimalSI'],
    ['007Mi', '7340032', 'BinarySI'],
  ])('%s = %s (%s)', (text, value, format) => {
    expect(exact(text)).toBe(value);
    expect(quantity(text).format).toBe(format);
    expect(quantity(text).text).toBe(text);
  });

  it.each([
    // Go's parseQuantityString quirks, kept on purpose: Kubernetes accepts these too.
    ['.5', '5e-1'],
    ['1.', '1'],
    ['1.G', '1e9'],
    ['.', '0'],
    ['-', '0'],
    ['Gi', '0'],
  ])('accepts the Go quirk %s = %s', (text, value) => {
    expect(exact(text)).toBe(value);
  });

  it.each([
    ['500K', QUANTITY_ERRORS.suffix],
    ['1ki', QUANTITY_ERRORS.suffix],
    ['1i', QUANTITY_ERRORS.suffix],
    ['1e', QUANTITY_ERRORS.suffix],
    ['1Mi2', QUANTITY_ERRORS.suffix],
    ['1ee3', QUANTITY_ERRORS.suffix],
    ['-3.01e-', QUANTITY_ERRORS.suffix],
    ['1e3Gi', QUANTITY_ERRORS.format],
    ['1e1.5', QUANTITY_ERRORS.format],
    ['1 Gi', QUANTITY_ERRORS.format],
    [' 1', QUANTITY_ERRORS.format],
    ['1Gi ', QUANTITY_ERRORS.format],
    ['1.1.1', QUANTITY_ERRORS.format],
    ['aoeu', QUANTITY_ERRORS.format],
    ['', QUANTITY_ERRORS.format],
    ['1Gi\u00a0', QUANTITY_ERRORS.format],
    // No digits at all reaches Go's arbitrary-precision path only when finer than nano.
    ['-e-10', QUANTITY_ERRORS.numeric],
  ])('refuses %j', (text, error) => {
    expect(readQuantity(text)).toEqual({ ok: false, error });
    expect(parseQuantity(text)).toBeUndefined();
  });

  it('rounds values finer than a nano-unit up, away from zero', () => {
    expect(exact('0.1n')).toBe('1e-9');
    expect(exact('1e-20')).toBe('1e-9');
    expect(exact('-1e-20')).toBe('-1e-9');
    expect(exact('1.0000000001')).toBe('1000000001e-9');
    expect(exact('1e-2147483648')).toBe('1e-9');
  });

  it('caps decimal and binary amounts beyond 2^63-1 only on the arbitrary-precision path', () => {
    expect(exact('8Ei')).toBe('9223372036854775807');
    expect(exact('7Ei')).toBe('8070450532247928832');
    expect(exact('12345678901234567890')).toBe('9223372036854775807');
    // Fits the int64 fast path (value and scale kept separately): not capped.
    expect(exact('100E')).toBe('1e20');
    // Exponent form is never capped.
    expect(exact('1e30')).toBe('1e30');
  });

  it('keeps huge exponents exact without building the number, and truncates them to 32 bits like Go', () => {
    expect(exact('1e2147483647')).toBe('1e2147483647');
    expect(exact('1e4294967296')).toBe('1');
    expect(parseQuantity('1e9223372036854775808')).toBeUndefined();
  });
});

describe('compareQuantities: exact', () => {
  it.each([
    ['1Gi', '1073741824', 0],
    ['0.5', '500m', 0],
    ['1.5Gi', '1536Mi', 0],
    ['1Ki', '1024', 0],
    ['1k', '1000', 0],
    ['1e3', '1k', 0],
    ['1G', '1Gi', -1],
    ['1Gi', '1G', 1],
    ['1023Mi', '1Gi', -1],
    ['250m', '0.25', 0],
    ['100m', '250m', -1],
    ['1', '999m', 1],
    ['0', '0Gi', 0],
    ['1n', '1e-20', 0],
    ['-1', '0', -1],
    ['-2', '-1', -1],
    ['1e2147483647', '8Ei', 1],
    ['0.1000000001', '100000001n', 0],
    // 2^63-1 + 1 in exponent form versus the capped binary value.
    ['9223372036854775808', '8Ei', 0],
    ['9.223372036854775808e18', '8Ei', 1],
  ])('%s vs %s = %i', (a, b, order) => {
    expect(compareQuantities(quantity(a), quantity(b))).toBe(order);
    expect(compareQuantities(quantity(b), quantity(a))).toBe(-order || 0);
  });

  it('has no floating-point error where Number would', () => {
    // 0.1 + 0.2 style: 300m is exactly 0.3.
    expect(compareQuantities(quantity('300m'), quantity('0.3'))).toBe(0);
    // 2^53 + 1 bytes is more than 2^53 bytes.
    expect(compareQuantities(quantity('9007199254740993'), quantity('8Pi'))).toBe(1);
  });
});

describe('quantity conversions', () => {
  it('gives whole units and millis rounded up, as Value() and MilliValue() do', () => {
    expect(quantityValue(quantity('1.5Gi'))).toBe(1610612736n);
    expect(quantityValue(quantity('100m'))).toBe(1n);
    expect(quantityValue(quantity('0'))).toBe(0n);
    expect(quantityMilliValue(quantity('0.5'))).toBe(500n);
    expect(quantityMilliValue(quantity('2'))).toBe(2000n);
    expect(quantityMilliValue(quantity('1n'))).toBe(1n);
    expect(quantityMilliValue(quantity('-1n'))).toBe(-1n);
  });

  it('saturates at the int64 range', () => {
    expect(quantityValue(quantity('1e30'))).toBe((1n << 63n) - 1n);
    expect(quantityValue(quantity('-1e30'))).toBe(-(1n << 63n));
    expect(quantityValue(quantity('1e2147483647'))).toBe((1n << 63n) - 1n);
  });

  it('counts whole GiB truncated, like the operator compares volume sizes', () => {
    expect(quantityWholeGiB(quantity('1Gi'))).toBe(1n);
    expect(quantityWholeGiB(quantity('1.9Gi'))).toBe(1n);
    expect(quantityWholeGiB(quantity('1023Mi'))).toBe(0n);
    expect(quantityWholeGiB(quantity('1G'))).toBe(0n);
    expect(quantityWholeGiB(quantity('2G'))).toBe(1n);
    expect(quantityWholeGiB(quantity('10Gi'))).toBe(10n);
    expect(quantityWholeGiB(quantity('1Ti'))).toBe(1024n);
    // ScaledValue(0) rounds up first: 1Gi plus a nano-byte is still 1 GiB.
    expect(quantityWholeGiB(quantity('1073741824.000000001'))).toBe(1n);
  });
});
