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
