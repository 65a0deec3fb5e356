// HTTP plumbing shared by the patron-facing pages: security headers, HTML replies and error pages,
// a log serializer that keeps display keys out of the logs, and a long-poll helper.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isDomainError, type DomainError } from '../core/errors.js';
import { toDomainError } from '../dialects/shared/errors.js';
import { errorPage } from './html.js';

/** Everything is served by posgate itself: no inline script or style, no other origin. */
export const CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export function securityHeaders(reply: FastifyReply): void {
  reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
  reply.header('x-content-type-options', 'nosniff');
  // a display URL carries its key: never hand it to another site
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-frame-options', 'DENY');
}

/** A live page: never cached (it holds the state of a payment). */
export function sendHtml(reply: FastifyReply, html: string, status = 200): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
}

export function noStore(reply: FastifyReply): void {
  reply.header('cache-control', 'no-store');
}

const PAGE_ERRORS: Partial<Record<DomainError['code'], { status: number; heading: string }>> = {
  not_found: { status: 404, heading: 'Not found' },
  route_not_found: { status: 404, heading: 'Not found' },
  missing_api_key: { status: 401, heading: 'Key required' },
  invalid_api_key: { status: 401, heading: 'Key not valid' },
};

function wantsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return /\btext\/html\b/.test(accept);
}

/**
 * Runs a page handler. A browser (Accept: text/html) that follows a dead link gets a small HTML
 * page with the same status; any other client gets the usual problem+json (the error is rethrown).
 */
export async function htmlRoute(request: FastifyRequest, reply: FastifyReply, render: () => Promise<string>): Promise<FastifyReply> {
  try {
    return sendHtml(reply, await render());
  } catch (error) {
    const known = isDomainError(error) ? PAGE_ERRORS[error.code] : undefined;
    if (!known || !wantsHtml(request)) throw error;
    return sendHtml(reply, errorPage(known.status, known.heading, (error as DomainError).message), known.status);
  }
}

/** Refusals the server's own checks make of every request before any page runs. */
const CHECK_ERRORS: Partial<Record<DomainError['code'], { status: number; heading: string }>> = {
  parameter_invalid: { status: 400, heading: 'Not understood' },
  invalid_json: { status: 400, heading: 'Not understood' },
  unsupported_media_type: { status: 415, heading: 'Not understood' },
  payload_too_large: { status: 413, heading: 'Too large' },
};

/** What a browser is shown of an error no page expected: a bug (logged as such), or the database away for a moment. */
const UNEXPECTED: Partial<Record<DomainError['code'], { status: number; heading: string; detail: string }>> = {
  internal_error: { status: 500, heading: 'Something went wrong', detail: 'Something went wrong on our side, and it has been logged. Reload the page to see what was done; try again if it was not.' },
  service_unavailable: { status: 503, heading: 'Unavailable for a moment', detail: 'The database is unavailable for a moment. Reload the page shortly.' },
};

/**
 * The error handler of a scope of pages, for what its handlers do not catch. For a browser: a
 * refusal met before any page ran (a NUL in the URL, a compressed body: the server's checks of
 * every request) is a page, as htmlRoute answers a dead link; so are a bug (logged, as the
 * server's handler logs one) and a database that is away. Anything else, and any client that is
 * not a browser, goes on to the server's handler (problem+json).
 */
export function refuseAsPage(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (!wantsHtml(request)) throw error;
  // Fastify's own refusals of a body (its type, its size, bad JSON) are read as the API reads them
  const { error: problem, bug } = toDomainError(error);
  const known = PAGE_ERRORS[problem.code] ?? CHECK_ERRORS[problem.code];
  if (known) {
    securityHeaders(reply);
    return sendHtml(reply, errorPage(known.status, known.heading, problem.message), known.status);
  }
  const unexpected = UNEXPECTED[problem.code];
  if (!unexpected) throw error;
  if (bug) request.log.error({ err: error }, 'unhandled error');
  securityHeaders(reply);
  return sendHtml(reply, errorPage(unexpected.status, unexpected.heading, unexpected.detail), unexpected.status);
}

/** Aborts when the client goes away (or the server closes), so a long-poll stops reading for nobody. */
export function abortOnClose(reply: FastifyReply, closing: AbortSignal): AbortSignal {
  const controller = new AbortController();
  const abort = () => controller.abort();
  reply.raw.once('close', abort);
  if (closing.aborted) abort();
  else closing.addEventListener('abort', abort, { once: true });
  controller.signal.addEventListener('abort', () => closing.removeEventListener('abort', abort), { once: true });
  reply.raw.once('finish', () => closing.removeEventListener('abort', abort));
  return controller.signal;
}
