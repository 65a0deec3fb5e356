import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConfigError } from './config.js';

function decode(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) throw new ConfigError('POSGATE_SECRET_KEY must be 32 bytes, as 64 hex characters or base64');
  return key;
}

/**
 * The key that seals secrets at rest: POSGATE_SECRET_KEY, else DATA_DIR/secret.key, made on first
 * start with owner-only permissions. Several processes on one database must share one key.
 */
export function loadSecretKey(configured: string | null, dataDir: string): Buffer {
  if (configured) return decode(configured);
  const file = join(dataDir, 'secret.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  }
  return decode(readFileSync(file, 'utf8'));
}
