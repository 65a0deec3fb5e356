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

/** Query parameters that carry secrets (the MobilePay wrapper sends its token in the URL), lower case. */
const SECRET_PARAMS = new Set(['accesstoken', 'previousaccesstoken', 'apikey', 'api_key', 'secret', 'token', 'key']);

function decodedName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return raw.toLowerCase();
  }
}

/** The URL with the value of every secret parameter replaced, however its name was encoded. */
export function redactUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const query = url.slice(at + 1).split('&').map((part) => {
    const name = part.split('=', 1)[0] as string;
    return SECRET_PARAMS.has(decodedName(name)) ? `${name}=[redacted]` : part;
  });
  return `${url.slice(0, at)}?${query.join('&')}`;
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
