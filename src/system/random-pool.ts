// Random bytes for identifiers (object ids, short codes, request ids), drawn from a pool that is
// refilled 4 KiB at a time. One synchronous call into the CSPRNG costs 3–4 µs whether it returns
// 12 bytes or 4 KiB, and every request draws several; Node's randomUUID pools its entropy for the
// same reason. Every byte is handed out once. Secrets (keys, tokens, webhook secrets, nonces) do
// not come from here: they are rare, and each takes its own call.
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let used = POOL_BYTES;

/** `size` random bytes (at most 4 KiB), a copy of their own. */
export function pooledRandomBytes(size: number): Buffer {
  if (!Number.isInteger(size) || size < 1 || size > POOL_BYTES) throw new RangeError(`pooledRandomBytes: ${size} is not a size from 1 to ${POOL_BYTES}`);
  if (used + size > POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  const bytes = Buffer.from(pool.subarray(used, used + size));
  used += size;
  return bytes;
}
