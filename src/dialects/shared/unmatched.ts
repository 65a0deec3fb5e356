// What a dialect answers for a path under its prefix that no route took: one of its paths asked with
// a method it does not answer is 405 naming the ones it does (Allow, RFC 9110), as the native API
// answers; any other path is 404. The dialect renders the refusal in its own envelope.
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { DomainError } from '../../core/errors.js';

const METHODS: readonly HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** The refusal for a request `scope` has no route for; sets Allow on `reply` when the path is one of its own. */
export function unmatchedRoute(scope: FastifyInstance, request: FastifyRequest, reply: FastifyReply, notFound: string): DomainError {
  const path = request.url.split('?')[0] as string;
  const allowed = METHODS.filter((method) => scope.findRoute({ method, url: path }) !== null);
  if (allowed.length === 0) return new DomainError('route_not_found', notFound);
  reply.header('Allow', allowed.join(', '));
  return new DomainError('http_method_not_allowed', `${path} answers ${allowed.join(', ')}, not ${request.method}.`);
}
