import { randomBytes } from 'node:crypto';
import type { Ids } from '../app/ports/ids.js';
import { makeShortCode, SHORT_CODE_BYTE_LIMIT } from '../core/short-code.js';
import { pooledRandomBytes } from './random-pool.js';


const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function encodeTime(ms: number): string {
  let out = '';
  let value = ms;
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[value % 32] + out;
    value = Math.floor(value / 32);
  }
  return out;
}

/** Monotonic within a process: ids made in the same millisecond still sort in creation order. */
export function createIds(now: () => number = Date.now): Ids {
  let lastTime = -1;
  let lastRandom: number[] = [];
  const next = (): string => {
    const time = now();
    if (time <= lastTime) {
      // increment the 80-bit random part so order is kept inside one millisecond
      for (let i = lastRandom.length - 1; i >= 0; i--) {
        if ((lastRandom[i] as number) < 31) {
          lastRandom[i] = (lastRandom[i] as number) + 1;
          break;
        }
        lastRandom[i] = 0;
      }
    } else {
      lastTime = time;
      lastRandom = Array.from(pooledRandomBytes(16), (b) => b % 32);
    }
    return encodeTime(lastTime) + lastRandom.map((v) => CROCKFORD[v]).join('');
  };
  return {
    id: (prefix) => `${prefix}_${next()}`,
    secret(prefix, bytes = 32) {
      // rejection sampling keeps every base62 character equally likely
      let out = '';
      while (out.length < Math.ceil((bytes * 8) / 5.95)) {
        for (const b of randomBytes(bytes)) if (b < 248) out += BASE62[b % 62];
      }
      return prefix + out.slice(0, Math.ceil((bytes * 8) / 5.95));
    },
    webhookSecret: () => `whsec_${randomBytes(32).toString('base64')}`,
    shortCode() {
      // rejection sampling: only bytes that map evenly onto the alphabet are used
      const even: number[] = [];
      while (even.length < 8) for (const b of pooledRandomBytes(16)) if (b < SHORT_CODE_BYTE_LIMIT && even.length < 8) even.push(b);
      return makeShortCode(even);
    },
  };
}
