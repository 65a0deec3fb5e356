import { describe, expect, it } from 'vitest';
import { pooledRandomBytes } from './random-pool.js';

describe('pooledRandomBytes', () => {
  it('hands every byte out once: draws across several refills never repeat', () => {
    // 16-byte draws over 40 KiB: ten refills; a repeated draw means bytes were handed out twice
    const seen = new Set<string>();
    for (let i = 0; i < 2560; i++) seen.add(pooledRandomBytes(16).toString('hex'));
    expect(seen.size).toBe(2560);
  });

  it('returns a copy: the refills that follow leave bytes already handed out as they were', () => {
    const drawn = pooledRandomBytes(12);
    const kept = Buffer.from(drawn);
    for (let more = 0; more < 3 * 4096; more += 64) pooledRandomBytes(64);
    expect(drawn).toEqual(kept);
  });

  it('refuses a size it cannot serve from one pool', () => {
    for (const size of [0, -1, 1.5, 4097, Number.NaN]) expect(() => pooledRandomBytes(size), String(size)).toThrow(RangeError);
    expect(pooledRandomBytes(4096)).toHaveLength(4096);
  });
});
