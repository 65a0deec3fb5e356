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

/** Query parameters that carry secrets (the MobilePay wrapper sends its token in the URL). */
const SECRET_QUERY = /([?&](?:accessToken|previousAccessToken|apiKey|api_key|secret|token)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY, '$1[redacted]');
}

interface LoggedRequest {
  method: string;
  url: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** Fastify's request serializer, with secrets in the query string replaced. */
function serializeRequest(req: LoggedRequest) {
  return { method: req.method, url: redactUrl(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort };
}

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, serializers: { req: serializeRequest } }, destination as never);
}
