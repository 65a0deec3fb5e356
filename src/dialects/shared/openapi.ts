// What a route says of itself in the OpenAPI document beyond its request and response schemas.
// The server (src/http/openapi.ts) reads these when it completes the document: it adds each
// operation's error responses from the shape of the route (auth, body, parameters, idempotency)
// and from `x-errors`, each code under the status the API's table gives it.
import type { ErrorCode } from '../../core/errors.js';

declare module 'fastify' {
  interface FastifySchema {
    /** The codes this operation's use case answers with, beyond those its shape implies. */
    'x-errors'?: readonly ErrorCode[];
  }
}

/** A route's error codes, checked against the list of codes by the compiler. */
export const errors = (...codes: ErrorCode[]): readonly ErrorCode[] => codes;

/**
 * How a dialect documents its routes in its own document (`Dialect.openapi`): every route of the
 * dialect carries the same responses (its envelope, one per status it answers with) and its tag.
 * `attachValidation` keeps Fastify from answering for the route: the dialect checks the input
 * itself and answers in its own format. Fastify still runs the schemas given, and a body that
 * passes is replaced by what the schema parsed it to, so give only schemas the route parses alike.
 */
export function dialectOperations(tag: string, responses: Record<number, unknown>) {
  // generic in its parts, so that a route's type provider still infers its request from them
  return <P extends { body?: unknown; querystring?: unknown; params?: unknown; headers?: unknown } = Record<never, never>>(operationId: string, summary: string, parts: P = {} as P) => ({
    attachValidation: true as const,
    schema: { tags: [tag], operationId, summary, response: responses, ...parts },
  });
}
