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

/** Query parameters that carry secrets under any API, lower case; each dialect adds its own names. */
const GENERIC_SECRET_PARAMS = ['apikey', 'api_key', 'secret', 'token', 'key'];

/** The set of secret parameter names: the generic ones and `extra` (a dialect's), compared in lower case. */
export function secretParameterNames(extra: Iterable<string> = []): ReadonlySet<string> {
  return new Set([...GENERIC_SECRET_PARAMS, ...[...extra].map((name) => name.toLowerCase())]);
}

const GENERIC = secretParameterNames();

function decodedName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return raw.toLowerCase();
  }
}

/** The URL with the value of every secret parameter replaced, however its name was encoded. */
export function redactUrl(url: string, secretNames: ReadonlySet<string> = GENERIC): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const query = url.slice(at + 1).split('&').map((part) => {
    const name = part.split('=', 1)[0] as string;
    return secretNames.has(decodedName(name)) ? `${name}=[redacted]` : part;
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

/** Fastify's request serializer, with the value of every parameter in `secretNames` replaced. */
export function requestSerializer(secretNames: ReadonlySet<string> = GENERIC) {
  return (req: LoggedRequest) => ({ method: req.method, url: redactUrl(req.url, secretNames), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort });
}

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, serializers: { req: requestSerializer() } }, destination as never);
}
