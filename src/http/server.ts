// The Fastify server: request ids, JSON parsing, problem+json errors, OpenAPI, health and metrics,
// and the API surfaces the composition root hands it. It knows nothing of business rules or dialects.
import { randomBytes } from 'node:crypto';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { App } from '../app/context.js';
import { DomainError, ERROR_CODES } from '../core/errors.js';
import { requestSerializer, secretParameterNames } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { toDomainError } from '../dialects/shared/errors.js';
import { sendProblem } from './problem.js';

export const BODY_LIMIT = 256 * 1024;
/** What a 503 asks the caller to wait: about how long PostgreSQL takes to come back from a restart. */
const RETRY_AFTER_SECONDS = 2;

export interface ServerDeps {
  app: App;
  logger: Logger;
  metrics: Metrics;
  /** Query parameter names whose values never reach a log (the dialects' own, beside the generic ones). */
  secretParameters?: readonly string[];
}

/** An API surface (the native API, a provider dialect, …): registers its routes on the server. */
export type Surface = (fastify: FastifyInstance) => Promise<void>;

/** Anything thrown while handling a request leaves as problem+json; a bug is logged first. */
function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { error: problem, bug } = toDomainError(error);
  if (bug) request.log.error({ err: error }, 'unhandled error');
  return sendProblem(reply, request, problem);
}

export async function buildServer(deps: ServerDeps, surfaces: Surface[]): Promise<FastifyInstance> {
  const fastify = Fastify({
    // request URLs are logged with every secret parameter replaced, whichever logger was handed in
    loggerInstance: deps.logger.child({}, { serializers: { req: requestSerializer(secretParameterNames(deps.secretParameters)) } }) as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    genReqId: () => `req_${randomBytes(12).toString('base64url')}`,
    requestIdHeader: false,
    return503OnClosing: true,
    forceCloseConnections: true,
    // long enough that an over-long id reaches the route's schema and gets a problem+json 400
    routerOptions: { maxParamLength: 1000 },
    // errors met before routing (a malformed percent-encoding, …): no hook has run, so set Request-Id here
    frameworkErrors: (error, request, reply) => {
      reply.header('Request-Id', request.id);
      sendError(error, request, reply);
    },
  });
  fastify.setValidatorCompiler(validatorCompiler);
  fastify.setSerializerCompiler(serializerCompiler);

  // POS clients often send `Content-Type: application/json` with an empty body on actions such as cancel.
  const strictJson = fastify.getDefaultJsonParser('error', 'error');
  // JSON only: anything else (text/plain included) is 415 unsupported_media_type
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if ((body as string).trim() === '') return done(null, undefined);
    strictJson(request, body as string, (error, value) => (error ? done(new DomainError('invalid_json', `The body is not valid JSON: ${error.message}`), undefined) : done(null, value)));
  });

  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('Request-Id', request.id);
  });
  fastify.addHook('preValidation', async (request) => {
    if (request.body === undefined && ['POST', 'PUT', 'PATCH'].includes(request.method)) request.body = {};
  });
  // a 503 (the database is away, the server is closing) says when to come back, in every dialect
  fastify.addHook('onSend', async (_request, reply) => {
    if (reply.statusCode === 503 && !reply.hasHeader('retry-after')) reply.header('Retry-After', String(RETRY_AFTER_SECONDS));
  });
  fastify.addHook('onResponse', async (request, reply) => {
    deps.metrics.observeRequest(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode, reply.elapsedTime / 1000, request.url.split('?')[0]);
  });

  fastify.setErrorHandler((error, request, reply) => sendError(error, request, reply));
  fastify.setNotFoundHandler((request, reply) => sendProblem(reply, request, new DomainError('route_not_found', `No route ${request.method} ${request.url.split('?')[0]}.`)));

  await fastify.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'posgate native API', version: '1.0.0', description: 'Point-of-sale payment requests. Errors are RFC 9457 problem+json with a stable `code`.' },
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'sk_test_… / tk_test_… (or live); admin token under /admin/v1' } },
        schemas: { ErrorCode: { type: 'string', enum: [...ERROR_CODES], description: 'Stable error codes of problem+json responses' } },
      },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await fastify.register(fastifySwaggerUi, { routePrefix: '/docs' });

  fastify.get('/openapi.json', { schema: { hide: true } }, async () => fastify.swagger());
  fastify.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  fastify.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await deps.app.db.read.getSetting('readiness_probe');
      return { status: 'ready', storage: deps.app.db.driver };
    } catch {
      return reply.status(503).send({ status: 'unavailable', storage: deps.app.db.driver });
    }
  });
  fastify.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()));

  for (const surface of surfaces) await surface(fastify);
  return fastify;
}
