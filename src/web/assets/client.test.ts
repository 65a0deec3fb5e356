// The browser's money code, run here as the browser runs it (the shared client script, evaluated).
import { describe, expect, it } from 'vitest';
import { CHECK_IN_JS } from './check-in-client.js';
import { CLIENT_JS } from './client.js';
import { DISPLAY_JS } from './display-client.js';
import { PATRON_JS } from './patron-client.js';
import { PAY_JS } from './pay-client.js';

interface Client {
  minorToDecimal(minor: number, exponent: number): string;
  formatMoney(minor: number | null, currency: string, exponent: number): string;
  parseMajor(text: string, exponent: number): { minor?: number; error?: string };
  duration(ms: number): string;
  locale: string | undefined;
}

function loadClient(): Client {
  const window: { posgate?: Client } = {};
  new Function('window', CLIENT_JS)(window);
  const client = window.posgate as Client;
  client.locale = 'en-US';
  return client;
}

const P = loadClient();

describe('client money', () => {
  it('writes minor units as exact decimals with the currency exponent', () => {
    expect(P.minorToDecimal(1500, 2)).toBe('15.00');
    expect(P.minorToDecimal(5, 2)).toBe('0.05');
    expect(P.minorToDecimal(1000, 0)).toBe('1000');
    expect(P.minorToDecimal(1234, 3)).toBe('1.234');
    expect(P.minorToDecimal(39304, 8)).toBe('0.00039304');
    expect(P.minorToDecimal(999_999_999_999, 2)).toBe('9999999999.99');
  });

  it('formats with Intl in the currency, with its own exponent', () => {
    const money = (minor: number | null, currency: string, exponent: number) => P.formatMoney(minor, currency, exponent).replace(/\u00a0/g, ' ');
    expect(money(1500, 'NZD', 2)).toBe('NZ$15.00');
    expect(money(1000, 'JPY', 0)).toBe('¥1,000');
    expect(money(1234, 'KWD', 3)).toBe('KWD 1.234');
    expect(money(39304, 'BTC', 8)).toBe('BTC 0.00039304');
    expect(money(999_999_999_999, 'USD', 2)).toBe('$9,999,999,999.99');
    expect(money(null, 'USD', 2)).toBe('');
  });

  it('reads a typed amount exactly, refusing more decimals than the currency has', () => {
    expect(P.parseMajor('12.5', 2)).toEqual({ minor: 1250 });
    expect(P.parseMajor(' 12.50 ', 2)).toEqual({ minor: 1250 });
    expect(P.parseMajor('12,5', 2)).toEqual({ minor: 1250 });
    expect(P.parseMajor('1,500', 3).error).toMatch(/dot/); // KWD: a thousand or one and a half? refuse, never guess
    expect(P.parseMajor('1.500', 3)).toEqual({ minor: 1500 });
    expect(P.parseMajor('.5', 2)).toEqual({ minor: 50 });
    expect(P.parseMajor('0.07', 2)).toEqual({ minor: 7 });
    expect(P.parseMajor('1000', 0)).toEqual({ minor: 1000 });
    expect(P.parseMajor('1.234', 3)).toEqual({ minor: 1234 });
    // 0.1 + 0.2 style float traps do not exist: the digits are joined, never multiplied
    expect(P.parseMajor('0.29', 2)).toEqual({ minor: 29 });
    expect(P.parseMajor('4.35', 2)).toEqual({ minor: 435 });
    expect(P.parseMajor('10.005', 2).error).toMatch(/at most 2 decimals/);
    expect(P.parseMajor('10.5', 0).error).toMatch(/no decimals/);
    expect(P.parseMajor('0', 2).error).toMatch(/greater than zero/);
    expect(P.parseMajor('0.00', 2).error).toMatch(/greater than zero/);
    expect(P.parseMajor('-5', 2).error).toBeDefined();
    expect(P.parseMajor('1e3', 2).error).toBeDefined();
    expect(P.parseMajor('', 2).error).toBeDefined();
    expect(P.parseMajor('abc', 2).error).toBeDefined();
    expect(P.parseMajor('1,000.50', 2).error).toBeDefined();
    expect(P.parseMajor('10000000000.01', 2).error).toMatch(/too large/);
    expect(P.parseMajor('10000000000.00', 2)).toEqual({ minor: 1_000_000_000_000 });
  });

  it('counts down as m:ss', () => {
    expect(P.duration(120_000)).toBe('2:00');
    expect(P.duration(61_001)).toBe('1:02');
    expect(P.duration(0)).toBe('0:00');
    expect(P.duration(3_725_000)).toBe('1:02:05');
  });
});

describe('page scripts', () => {
  it.each([['client', CLIENT_JS], ['pay', PAY_JS], ['display', DISPLAY_JS], ['patron', PATRON_JS], ['check-in', CHECK_IN_JS]])('%s parses as a script and names no other origin', (_name, source) => {
    expect(() => new Function(source)).not.toThrow();
    expect(source).not.toMatch(/https?:\/\//);
    expect(source).not.toContain('eval(');
  });
});
