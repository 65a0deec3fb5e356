// Every route a dialect's code registers, as Fastify is given them: what a dialect's document test
// compares its document with (the routes' own code, not a list kept beside it).
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';

/** Runs `register` on a Fastify of its own (compiling schemas as the server does) and returns what it registered. */
export async function registeredRoutes(register: (fastify: FastifyInstance) => Promise<void>): Promise<RouteOptions[]> {
  const fastify = Fastify();
  fastify.setValidatorCompiler(validatorCompiler);
  fastify.setSerializerCompiler(serializerCompiler);
  const routes: RouteOptions[] = [];
  fastify.addHook('onRoute', (route) => {
    routes.push(route);
  });
  await register(fastify);
  await fastify.ready();
  await fastify.close();
  return routes;
}
