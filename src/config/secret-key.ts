import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConfigError, SECRET_KEY_FORMAT, secretKeyBytes } from './config.js';

function decode(text: string, source: string): Buffer {
  const key = secretKeyBytes(text);
  if (!key) throw new ConfigError(source === 'POSGATE_SECRET_KEY' ? SECRET_KEY_FORMAT : `${source} must hold 32 bytes, as 64 hex characters or base64`);
  return key;
}

/**
 * The key that seals secrets at rest: POSGATE_SECRET_KEY, else DATA_DIR/secret.key, made on first
 * start with owner-only permissions. Several processes on one database must share one key.
 */
export function loadSecretKey(configured: string | null, dataDir: string): Buffer {
  // loadConfig has checked its format already: this names it again for a Config made otherwise
  if (configured) return decode(configured, 'POSGATE_SECRET_KEY');
  const file = join(dataDir, 'secret.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  }
  return decode(readFileSync(file, 'utf8'), file);
}
