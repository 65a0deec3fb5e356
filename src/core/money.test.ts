import { describe, expect, it } from 'vitest';
import { currencyExponent, decimalToMinor, isAtLeastFraction, isSupportedCurrency, isValidAmount, MAX_AMOUNT, minorToDecimal, parseMinorUnits, sumMinor, unitsAtPrice } from './money.js';
import { checkCharacter, makeShortCode, parseShortCode, SHORT_CODE_ALPHABET, SHORT_CODE_BYTE_LIMIT } from './short-code.js';

describe('money', () => {
  it('knows exponents, including BTC in satoshi', () => {
    expect([currencyExponent('NGN'), currencyExponent('JPY'), currencyExponent('KWD'), currencyExponent('BTC')]).toEqual([2, 0, 3, 8]);
    expect(isSupportedCurrency('XYZ')).toBe(false);
    expect(isSupportedCurrency('usd')).toBe(false);
  });
  it('accepts only whole, positive amounts up to 10^12', () => {
    expect([1, MAX_AMOUNT].every(isValidAmount)).toBe(true);
    expect([0, -1, 1.5, MAX_AMOUNT + 1, '100', Number.NaN].some(isValidAmount)).toBe(false);
  });
  it('converts decimal text exactly or not at all', () => {
    expect(decimalToMinor('27.00', 2)).toBe(2700);
    expect(decimalToMinor('0.1', 2)).toBe(10);
    expect(decimalToMinor('0.00039304', 8)).toBe(39304);
    expect(decimalToMinor('150000', 0)).toBe(150000);
    for (const bad of ['1.005', '-1', '0', '0.00', 'abc', '1e3', '', ' 1', '10000000000.01']) expect(decimalToMinor(bad, 2)).toBeNull();
    expect(minorToDecimal(2700, 2)).toBe('27.00');
    expect(minorToDecimal(5, 2)).toBe('0.05');
    expect(minorToDecimal(39304, 8)).toBe('0.00039304');
    expect(minorToDecimal(150, 0)).toBe('150');
  });
  it('round-trips every amount representable in a currency', () => {
    for (const minor of [1, 9, 10, 99, 100, 123456789, MAX_AMOUNT]) expect(decimalToMinor(minorToDecimal(minor, 2), 2)).toBe(minor);
  });
  it('parses minor-unit digit strings exactly, within 0..10^12', () => {
    expect(parseMinorUnits('1050')).toBe(1050);
    expect(parseMinorUnits('0')).toBe(0);
    expect(parseMinorUnits('0001050')).toBe(1050);
    expect(parseMinorUnits('1000000000000')).toBe(MAX_AMOUNT);
    // 9007199254740993 is 2^53 + 1: Number() would read it as 2^53; here it is simply out of range
    for (const bad of ['1000000000001', '9007199254740993', '10.50', '-5', '1e3', '+1', ' 1', '0x10', '']) expect(parseMinorUnits(bad), bad).toBeNull();
  });
  it('sums exactly, or says the sum is out of range', () => {
    expect(sumMinor([])).toBe(0);
    expect(sumMinor([600, 300, 100])).toBe(1000);
    expect(sumMinor([MAX_AMOUNT - 1, 1])).toBe(MAX_AMOUNT);
    expect(sumMinor([MAX_AMOUNT, 1])).toBeNull();
    expect(sumMinor(Array.from({ length: 9_008 }, () => 999_999_999_999))).toBeNull();
    expect(() => sumMinor([1.5])).toThrow(RangeError);
  });
  it('compares a part with a fraction of a whole exactly', () => {
    expect(isAtLeastFraction(989_899_990_199, 999_999_990_099, 9_899, 10_000)).toBe(false);
    expect(isAtLeastFraction(989_899_990_200, 999_999_990_099, 9_899, 10_000)).toBe(true);
    expect(isAtLeastFraction(1, 2, 1, 2)).toBe(true);
    expect(() => isAtLeastFraction(0.5, 1, 1, 2)).toThrow(RangeError);
  });
});

describe('units at a price', () => {
  it('converts exactly, rounding up or down as asked', () => {
    // $20.00 at $50,885.41 per BTC = 39,303.6… satoshi
    expect(unitsAtPrice(2000, 5_088_541, 8, 'up')).toBe(39_304);
    expect(unitsAtPrice(2000, 5_088_541, 8, 'down')).toBe(39_303);
    expect(unitsAtPrice(5_088_541, 5_088_541, 8, 'up')).toBe(100_000_000);
    expect(unitsAtPrice(0, 5_088_541, 8, 'up')).toBe(0);
    // near the largest amount the product passes 2^53 and is still exact
    expect(unitsAtPrice(1_000_000_000_000, 7_650_000_000, 8, 'up')).toBe(13_071_895_425);
    expect(() => unitsAtPrice(1_000_000_000_000, 1, 8, 'up')).toThrow(RangeError);
    expect(() => unitsAtPrice(100, 0, 8, 'up')).toThrow(RangeError);
  });
});

describe('short codes', () => {
  it('formats XXX-XXX-XXC from an alphabet without look-alikes', () => {
    const code = makeShortCode([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(code).toMatch(/^[2-9A-HJKMNP-TV-Z]{3}-[2-9A-HJKMNP-TV-Z]{3}-[2-9A-HJKMNP-TV-Z]{3}$/);
    expect(SHORT_CODE_ALPHABET).not.toMatch(/[01OILU]/);
    expect(parseShortCode(code)).toBe(code);
    expect(parseShortCode(code.toLowerCase().replace(/-/g, ''))).toBe(code);
  });
  it('catches every single-character typo and adjacent swap', () => {
    const code = makeShortCode([10, 20, 30, 40, 50, 60, 70, 80]).replace(/-/g, '');
    for (let i = 0; i < code.length; i++) {
      for (const c of SHORT_CODE_ALPHABET) {
        if (c === code[i]) continue;
        expect(parseShortCode(code.slice(0, i) + c + code.slice(i + 1))).toBeNull();
      }
      if (i < code.length - 1 && code[i] !== code[i + 1]) expect(parseShortCode(code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2))).toBeNull();
    }
    expect(checkCharacter('ABCDEFGH')).toHaveLength(1);
  });
  it('refuses random bytes that would bias the alphabet', () => {
    expect(SHORT_CODE_BYTE_LIMIT).toBe(240);
    expect(() => makeShortCode([240, 1, 2, 3, 4, 5, 6, 7])).toThrow(RangeError);
  });
});

describe('formatMoney', () => {
  it('shows the currency, its decimals and grouped thousands', async () => {
    const { formatMoney } = await import('./money.js');
    expect(formatMoney(123450, 'NZD')).toBe('NZD 1,234.50');
    expect(formatMoney(1500, 'JPY')).toBe('JPY 1,500');
    expect(formatMoney(-5, 'KWD')).toBe('-KWD 0.005');
    expect(formatMoney(100_000_000, 'BTC')).toBe('BTC 1.00000000');
  });
});
