import { describe, expect, it } from 'vitest';
import { checksumB, code128Svg, CODE128_WIDTHS, modulesB, symbolsB } from './code128.js';

// module strings of the symbols that take part in "PJJ123C", as the Code 128 symbology table gives them
const START_B = '11010010000';
const STOP = '1100011101011'; // 11000111010 and the 2-module termination bar
const P = '11101110110'; // value 48
const J = '10110111000'; // value 42
const ONE = '10011100110'; // value 17
const TWO = '11001110010'; // value 18
const THREE = '11001011100'; // value 19
const C = '10001000110'; // value 35
const W = '11101000110'; // value 55

describe('Code 128 set B', () => {
  it('has 107 distinct symbols, each 11 modules wide (stop 13), bars and spaces alternating', () => {
    expect(CODE128_WIDTHS).toHaveLength(107);
    expect(new Set(CODE128_WIDTHS).size).toBe(107);
    CODE128_WIDTHS.forEach((w, value) => {
      const total = [...w].reduce((sum, d) => sum + Number(d), 0);
      expect(total, `symbol ${value}`).toBe(value === 106 ? 13 : 11);
    });
  });

  it('computes the mod-103 check symbol (start value + Σ position × value)', () => {
    // 104 + 48·1 + 42·2 + 42·3 + 17·4 + 18·5 + 19·6 + 35·7 = 879; 879 mod 103 = 55
    expect(checksumB('PJJ123C')).toBe(55);
    // the published example "abcdef": 104 + 1435 = 1539; 1539 mod 103 = 97
    expect(checksumB('abcdef')).toBe(97);
    expect(symbolsB('PJJ123C')).toEqual([104, 48, 42, 42, 17, 18, 19, 35, 55, 106]);
  });

  it('draws the bar pattern of a known value', () => {
    expect(modulesB('PJJ123C')).toBe(START_B + P + J + J + ONE + TWO + THREE + C + W + STOP);
    expect(modulesB('PJJ123C')).toHaveLength(11 * 9 + 13);
  });

  it('refuses characters outside code set B', () => {
    expect(() => modulesB('é')).toThrow(RangeError);
    expect(() => modulesB('')).toThrow(RangeError);
    expect(() => modulesB('a\nb')).toThrow(RangeError);
  });

  it('renders an SVG whose bars are exactly the modules', () => {
    const svg = code128Svg('PJJ123C', { height: 40 });
    expect(svg).toMatch(/^<svg [^>]*viewBox="0 0 132 40"[^>]*>.*<\/svg>$/);
    expect(svg).not.toContain('http');
    const d = /<path fill="#000000" d="([^"]*)"/.exec(svg)?.[1] ?? '';
    const bars = [...d.matchAll(/M(\d+) 0h(\d+)/g)].map((m) => [Number(m[1]) - 10, Number(m[2])] as const);
    const drawn = Array.from({ length: 112 }, () => '0');
    for (const [x, w] of bars) for (let i = x; i < x + w; i++) drawn[i] = '1';
    expect(drawn.join('')).toBe(modulesB('PJJ123C'));
  });
});
