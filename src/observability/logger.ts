import { pino, type Logger } from 'pino';

/** Every place a secret can appear in a log line; pino replaces them before anything is written. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'secretKey',
  'terminalKey',
  'webhookSecret',
  'secret',
  'adminToken',
  'accessToken',
  '*.secretKey',
  '*.terminalKey',
  '*.webhookSecret',
  '*.secret',
  '*.accessToken',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination as never);
}
