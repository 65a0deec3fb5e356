// Which methods a path answers, for the 405 (with `Allow`) a known path gives to an unknown method.
// Fastify's router answers only "not found" for both; a second router of the same kind
// (find-my-way, with the server's options) holds every route's path and says which methods match.
import Router from 'find-my-way';
import type { FastifyInstance } from 'fastify';

type Method = Router.HTTPMethod;
const METHODS: readonly Method[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** Call before any route is added: every route added after it is indexed. */
export function indexRoutes(fastify: FastifyInstance, options: { maxParamLength: number }): (path: string) => Method[] {
  const router = Router({ maxParamLength: options.maxParamLength });
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat() as Method[]) {
      if (!router.hasRoute(method, route.url)) router.on(method, route.url, () => undefined);
      // Fastify answers HEAD for every GET route (exposeHeadRoutes)
      if (method === 'GET' && !router.hasRoute('HEAD', route.url)) router.on('HEAD', route.url, () => undefined);
    }
  });
  return (path) => METHODS.filter((method) => router.find(method, path) !== null);
}
