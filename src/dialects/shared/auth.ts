import type { FastifyRequest } from 'fastify';

/** The bearer credential of a request, or undefined when there is no Authorization header. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined || header === '') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  // a malformed header is a wrong key, not a missing one
  return match?.[1] ?? header;
}
