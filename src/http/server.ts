// The Fastify server: request ids, JSON parsing, problem+json errors, OpenAPI, health and metrics,
// and the API surfaces the composition root hands it. It knows nothing of business rules or dialects.
import type { IncomingMessage } from 'node:http';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { createJsonSchemaTransformObject, jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Logger } from 'pino';
import type { App } from '../app/context.js';
import { DomainError } from '../core/errors.js';
import { requestSerializer, secretParameterNames } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { toDomainError } from '../dialects/shared/errors.js';
import { pooledRandomBytes } from '../system/random-pool.js';
import { indexRoutes } from './allowed-methods.js';
import { parseJsonBody } from './json-body.js';
import { refuseUnstorable } from './unstorable-text.js';
import { completeDocument, EMPTY_BODY_METHODS, markOptionalBodies, type OpenApiDocument } from './openapi.js';
import { sendProblem } from './problem.js';
import { turnBudget } from './turn-budget.js';
import { serializerCompiler, validatorCompiler } from './zod-compilers.js';

export const BODY_LIMIT = 256 * 1024;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** What a 503 asks the caller to wait: about how long PostgreSQL takes to come back from a restart. */
const RETRY_AFTER_SECONDS = 2;
/**
 * Requests begun per turn of the event loop (http/turn-budget.ts). Measured with 400 connections
 * opened at once against a saturated server: 16 left the slowest first answer under 0.7 s (without
 * a budget: up to 10 s), and neither creates nor reads lost throughput; 8 did as well, but halves
 * what a group commit carries.
 */
const REQUESTS_PER_TURN = 16;
/** Requests begun per turn while connections are being accepted: each waiting one needs a turn. */
const REQUESTS_PER_TURN_WHILE_ACCEPTING = 2;

export interface ServerDeps {
  app: App;
  logger: Logger;
  metrics: Metrics;
  /** Query parameter names whose values never reach a log (the dialects' own, beside the generic ones). */
  secretParameters?: readonly string[];
  /** Where clients reach this server (the documents' `servers`), read per request. */
  publicUrl?: () => string;
  /** The proxies whose X-Forwarded-* headers are believed (config's TRUST_PROXY); none by default. */
  trustProxy?: string[] | null;
  /**
   * How long a client may take to send a whole request; past it Node answers 408 and closes the
   * connection (Fastify's default, 0, let a body shorter than its Content-Length hold one forever).
   */
  requestTimeoutMs?: number;
  /** The API surfaces under a prefix of their own: out of the native document; those with `openapi` get one of their own. */
  prefixed?: readonly PrefixedSurface[];
}

export interface PrefixedSurface {
  name: string;
  prefix: string;
  openapi?: { title: string; description: string; securitySchemes?: Record<string, Record<string, unknown>> };
}

/** The server's maximum path parameter length: long enough that an over-long id reaches the route's schema and gets a problem+json 400. */
const MAX_PARAM_LENGTH = 1000;

/** An API surface (the native API, a provider dialect, …): registers its routes on the server. */
export type Surface = (fastify: FastifyInstance) => Promise<void>;

/** The content codings that compress (RFC 9110's registry): a body in one is not the JSON it claims. */
const COMPRESSING = /^(x-)?(gzip|deflate|br|compress|zstd)$/;

/**
 * A compressed body is not decoded here: read as it came, a gzip body would be refused as bad JSON
 * and a mislabelled plain one taken. So it is refused as what it is (RFC 9110: 415 for a coding the
 * server does not support). Other values are let through: some POS libraries send the charset
 * there (`Content-Encoding: UTF-8`), which never meant a coding.
 */
function refuseEncoding(request: FastifyRequest): DomainError | undefined {
  const coding = request.headers['content-encoding'];
  if (coding === undefined || !coding.split(',').some((part) => COMPRESSING.test(part.trim().toLowerCase()))) return undefined;
  const { 'content-length': length, 'transfer-encoding': chunked } = request.headers;
  if (chunked === undefined && (length === undefined || length === '0')) return undefined; // no body to decode
  return new DomainError('unsupported_media_type', `Content-Encoding ${coding} is not supported: send the body uncompressed.`, 'Content-Encoding');
}

/**
 * A named path parameter left empty (`GET /v1/payment-requests/`, `…//cancel`) names no resource:
 * the router matched the route with '' in its place, and its schema would answer "id: Too small".
 * It is the 404 of a path no route has, as without the trailing slash it would be a list or
 * another route. A wildcard (`*`, the docs' static files) may be empty: its route decides.
 */
function refuseEmptyParameter(request: FastifyRequest): DomainError | undefined {
  const params = request.params as Record<string, string> | undefined;
  if (!params) return undefined;
  for (const name in params) {
    if (name !== '*' && params[name] === '') return new DomainError('route_not_found', `No route ${request.method} ${request.url.split('?')[0]}: a path segment is empty.`);
  }
  return undefined;
}

/** Anything thrown while handling a request leaves as problem+json; a bug is logged first. */
function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { error: problem, bug } = toDomainError(error);
  if (bug) request.log.error({ err: error }, 'unhandled error');
  return sendProblem(reply, request, problem);
}

const underPrefix = (url: string, prefix: string) => url === prefix || url.startsWith(`${prefix}/`);

/**
 * The native API's document at /openapi.json (completed with every operation's errors, see
 * ./openapi.ts), and one for each prefixed surface that asks for one, at <prefix>/openapi.json.
 * Each is served with `servers` naming where this gateway is reached.
 */
async function registerDocuments(fastify: FastifyInstance, deps: ServerDeps): Promise<void> {
  const prefixed = deps.prefixed ?? [];
  const servers = () => (deps.publicUrl ? [{ url: deps.publicUrl(), description: 'This gateway' }] : []);
  await fastify.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'posgate native API', version: '1.0.0',
        description: 'Point-of-sale payment requests. Errors are RFC 9457 problem+json with a stable `code`.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'sk_test_… / tk_test_… (or live)' },
          adminToken: { type: 'http', scheme: 'bearer', description: 'The admin token (POSGATE_ADMIN_TOKEN, or the one printed on first start)' },
        },
      },
      security: [{ apiKey: [] }],
    },
    // the dialects' routes are theirs to document
    transform: (input) => (prefixed.some((surface) => surface.prefix && underPrefix(input.url, surface.prefix)) ? { schema: { hide: true }, url: input.url } : jsonSchemaTransform(input)),
    transformObject: (input) => completeDocument(jsonSchemaTransformObject(input) as OpenApiDocument) as ReturnType<typeof jsonSchemaTransformObject>,
  });
  fastify.get('/openapi.json', { schema: { hide: true } }, async () => ({ ...fastify.swagger(), servers: servers() }));

  // its own schemas only: the native API's named schemas are not part of a dialect's document
  const ownSchemasOnly = createJsonSchemaTransformObject({ schemaRegistry: z.registry() });
  for (const surface of prefixed) {
    if (!surface.openapi || !surface.prefix) continue;
    const decorator = `openapi_${surface.name}`;
    await fastify.register(fastifySwagger, {
      decorator,
      openapi: {
        openapi: '3.1.0',
        info: { title: surface.openapi.title, description: surface.openapi.description, version: '1.0.0', license: { name: 'Apache-2.0', identifier: 'Apache-2.0' } },
        // the dialect writes its schemes in OpenAPI's own words; the plugin's types name every variant
        components: { securitySchemes: (surface.openapi.securitySchemes ?? {}) as never },
        security: Object.keys(surface.openapi.securitySchemes ?? {}).map((name) => ({ [name]: [] })),
      },
      transform: (input) => (underPrefix(input.url, surface.prefix) ? jsonSchemaTransform(input) : { schema: { hide: true }, url: input.url }),
      transformObject: (input) => markOptionalBodies(ownSchemasOnly(input) as OpenApiDocument) as ReturnType<typeof jsonSchemaTransformObject>,
    });
    const document = () => (fastify as unknown as Record<string, () => object>)[decorator]!();
    fastify.get(`${surface.prefix}/openapi.json`, { schema: { hide: true } }, async () => ({ ...document(), servers: servers() }));
  }
}

/** Whether part of a request's body is yet to arrive (Node's parser reads a body only by Content-Length or Transfer-Encoding). */
function bodyStillArriving(raw: IncomingMessage): boolean {
  if (raw.complete) return false;
  const length = raw.headers['content-length'];
  return raw.headers['transfer-encoding'] !== undefined || (length !== undefined && Number(length) > 0);
}

export async function buildServer(deps: ServerDeps, surfaces: Surface[]): Promise<FastifyInstance> {
  const requestTimeout = deps.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  // the scopes registered under a prefix of their own (a provider's API), each with the error
  // handler it set: an error met before routing under one is answered in its format
  const scopes: FastifyInstance[] = [];
  const fastify = Fastify({
    // request URLs are logged with every secret parameter replaced, whichever logger was handed in
    loggerInstance: deps.logger.child({}, { serializers: { req: requestSerializer(secretParameterNames(deps.secretParameters)) } }) as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    // without it the client is the socket's peer: a forwarded-for header is anyone's to write
    trustProxy: deps.trustProxy ?? false,
    genReqId: () => `req_${pooledRandomBytes(12).toString('base64url')}`,
    requestIdHeader: false,
    return503OnClosing: true,
    requestTimeout,
    // given to Node's server when it is made as well: set only afterwards (as Fastify does), it cuts
    // off unfinished headers but never an unfinished body. Node looks for requests past their time
    // every connectionsCheckingInterval (30 s by default): a quarter of the timeout, so that one is
    // cut off within 1.25 times it (at most 30 s: unfinished headers have 60 s at most)
    http: { requestTimeout, connectionsCheckingInterval: Math.min(30_000, Math.ceil(requestTimeout / 4)) },
    // on close, idle keep-alive connections are closed at once and requests in flight are answered
    // (the gateway's close bounds how long it waits for them: STOP_GRACE_MS in main.ts)
    forceCloseConnections: 'idle',
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // errors met before routing (a malformed percent-encoding, an over-long path parameter): no hook
    // has run, so set Request-Id here; under a scope's prefix its own handler answers, as its routes' errors
    frameworkErrors: (error, request, reply) => {
      reply.header('Request-Id', request.id);
      const path = request.url.split('?')[0] as string;
      const scope = scopes.filter((s) => underPrefix(path, s.prefix)).sort((a, b) => b.prefix.length - a.prefix.length)[0];
      if (scope) return scope.errorHandler.call(scope, error, request, reply);
      sendError(error, request, reply);
    },
  });
  fastify.addHook('onRegister', (instance) => {
    if (instance.prefix) scopes.push(instance);
  });
  fastify.setValidatorCompiler(validatorCompiler);
  fastify.setSerializerCompiler(serializerCompiler);

  // JSON only: anything else (text/plain included) is 415 unsupported_media_type
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    // POS clients often send `Content-Type: application/json` with an empty body on actions such as cancel
    if ((body as string).trim() === '') return done(null, undefined);
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  // first of all hooks: a request waits here, its headers read, while a turn of the event loop is full (http/turn-budget.ts)
  const budget = turnBudget({
    perTurn: REQUESTS_PER_TURN, whileAccepting: REQUESTS_PER_TURN_WHILE_ACCEPTING,
    onError: (error) => fastify.log.error({ err: error }, 'a request failed to begin after waiting its turn'),
  });
  fastify.server.on('connection', () => budget.accepted());
  fastify.addHook('onRequest', (_request, _reply, done) => budget.admit(done));
  // the hooks below are synchronous and call done themselves: an async hook costs every request a promise
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('Request-Id', request.id);
    done();
  });
  // before any hook that reads the store (the dialects' authentication included): path and query here, the body once parsed
  fastify.addHook('onRequest', (request, _reply, done) => done(refuseEmptyParameter(request) ?? refuseUnstorable(request.params) ?? refuseUnstorable(request.query) ?? refuseEncoding(request)));
  fastify.addHook('preValidation', (request, _reply, done) => {
    if (request.body === undefined && (EMPTY_BODY_METHODS as readonly string[]).includes(request.method.toLowerCase())) request.body = {};
    done(refuseUnstorable(request.body));
  });
  // once the server is closing, each answer closes its connection: a keep-alive connection would
  // otherwise outlive its last answer and hold the stop until its grace runs out, and the client
  // opens its next request elsewhere (another process behind the balancer) instead of meeting a 503
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  // a 503 (the database is away, the server is closing) says when to come back, in every dialect
  // An answer given before the request's body has all arrived (a refusal by a hook that runs before
  // the body is read: no API key, a media type not taken) closes its connection too: the client need
  // not send the rest of a body no one reads, and a body that stalls draws no 408 after the answer.
  // A request with no body (no Content-Length, nor Transfer-Encoding) has all arrived with its
  // headers, though Node marks it complete only after a synchronous answer (a 404, a 405) is given
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode === 503 && !reply.hasHeader('retry-after')) reply.header('Retry-After', String(RETRY_AFTER_SECONDS));
    if (closing || bodyStillArriving(request.raw)) reply.header('connection', 'close');
    done(null, payload);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    deps.metrics.observeRequest(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode, reply.elapsedTime / 1000, request.url.split('?')[0]);
    done();
  });

  fastify.setErrorHandler((error, request, reply) => sendError(error, request, reply));
  // a known path asked with a method it does not answer: 405 naming the ones it does (RFC 9110)
  const allowedMethods = indexRoutes(fastify, { maxParamLength: MAX_PARAM_LENGTH });
  fastify.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] as string;
    const allowed = allowedMethods(path);
    // a route that answers this method and found nothing (a missing file under /docs/static/) is a 404 too
    if (allowed.length === 0 || (allowed as readonly string[]).includes(request.method)) return sendProblem(reply, request, new DomainError('route_not_found', `No route ${request.method} ${path}.`));
    reply.header('Allow', allowed.join(', '));
    return sendProblem(reply, request, new DomainError('http_method_not_allowed', `${path} answers ${allowed.join(', ')}, not ${request.method}.`));
  });

  await registerDocuments(fastify, deps);
  await fastify.register(fastifySwaggerUi, { routePrefix: '/docs' });
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
