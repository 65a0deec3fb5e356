// The Centrapay dialect, mounted at /centrapay: X-Api-Key auth, Centrapay's error body, its rate
// limit, and its routes. Translation only: every rule lives in core/ and app/
// (docs/dialects/centrapay.md).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { authenticate } from '../../app/use-cases/merchants.js';
import { flagFrom, intFrom } from '../../config/config.js';
import { merchantNow } from '../../app/time.js';
import type { Dialect } from '../dialect.js';
import { unmatchedRoute } from '../shared/unmatched.js';
import { toDomainError } from '../shared/errors.js';
import { issueCentrapayCredentials } from './credentials.js';
import { CentrapayRefusal, type CentrapayDeps } from './deps.js';
import { bodyOf, centrapayErrorOf, reasonOf, type Operation } from './errors.js';
import { CENTRAPAY_OPENAPI } from './openapi.js';
import { createRateLimiter } from './rate-limit.js';
import { actionRoutes } from './routes/actions.js';
import { activityRoutes } from './routes/activities.js';
import { jwksRoutes } from './routes/jwks.js';
import { requestRoutes } from './routes/requests.js';
import { centrapayWebhookFormat, WEBHOOK_TYPES } from './webhooks.js';

export const CENTRAPAY_PREFIX = '/centrapay';

function sendError(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof CentrapayRefusal) return reply.status(error.statusCode).send(bodyOf({ statusCode: error.statusCode, message: error.code }, error.detail));
  const { error: problem, bug } = toDomainError(error);
  if (bug) request.log.error({ err: error }, 'unhandled error');
  const operation = (request.routeOptions.config as { operation?: Operation } | undefined)?.operation ?? 'other';
  const refusal = centrapayErrorOf(problem, operation);
  return reply.status(refusal.statusCode).send(bodyOf(refusal, bug ? undefined : reasonOf(problem)));
}

const headerOf = (request: FastifyRequest, name: string) => {
  const value = request.headers[name];
  return (Array.isArray(value) ? value[0] : value) || undefined;
};

export async function centrapayApi(fastify: FastifyInstance, deps: CentrapayDeps): Promise<void> {
  const limiter = createRateLimiter(deps.rateLimitPerMinute);
  const notFound = (scope: FastifyInstance) => scope.setNotFoundHandler((request, reply) =>
    sendError(request, reply, unmatchedRoute(scope, request, reply, `No route ${request.method} ${request.url.split('?')[0]}.`)));
  // /centrapay: what takes no key (the webhook JWKS; the server's /centrapay/openapi.json answers
  // here too), so a path of it asked with another method is 405 with Allow, and a path nothing
  // answers 404, without a key: the X-Api-Key hook and the rate limit are the API's alone
  await fastify.register(async (c) => {
    c.setErrorHandler((error, request, reply) => sendError(request, reply, error));
    notFound(c);
    // /centrapay/api: every call of a merchant's, its key checked first (a path of it asked with
    // another method is 401 without one, then 405), the rate limit after
    await c.register(async (api) => {
      notFound(api);
      api.addHook('onRequest', async (request, reply) => {
        request.caller = await authenticate(deps.app, headerOf(request, 'x-api-key'), 'centrapay', { ownRequestsOnly: true });
        const limited = deps.rateLimitPerMinute > 0 && (request.caller.livemode || deps.rateLimitInTest);
        if (!limited) return;
        const now = await merchantNow(deps.app, deps.app.db.read, request.caller.merchantId, request.caller.livemode);
        const wait = limiter.take(`${request.caller.merchantId}:${request.caller.livemode}`, now);
        if (wait !== null) {
          reply.header('retry-after', String(wait));
          throw new CentrapayRefusal(429, 'RATE_LIMIT_EXCEEDED', 'Too many requests for this account this minute.');
        }
      });
      // the routes are checked by their schemas, as ever: documented() attaches a failed check
      // (dialectOperations), and it is thrown here to sendError, which answers it 400 as before
      api.addHook('preHandler', async (request) => {
        if (request.validationError) throw request.validationError;
      });
      requestRoutes(api, deps);
      actionRoutes(api, deps);
      activityRoutes(api, deps);
    }, { prefix: '/api' });
    jwksRoutes(c, deps);
  }, { prefix: CENTRAPAY_PREFIX });
}

const Settings = z.object({
  CENTRAPAY_PREAUTH_TTL_SECONDS: intFrom(90 * 24 * 3600, 60).describe('Centrapay: how long a pre-authorization lasts, in seconds (90 days)'),
  CENTRAPAY_RATE_LIMIT_PER_MINUTE: intFrom(200, 0).describe('Centrapay: calls per merchant account per minute, counted per process (0: no limit)'),
  CENTRAPAY_RATE_LIMIT_IN_TEST: flagFrom(false).describe('Centrapay: `true` applies the rate limit in test mode too'),
});

export const centrapay: Dialect<z.infer<typeof Settings>> = {
  name: 'centrapay',
  prefix: CENTRAPAY_PREFIX,
  settings: Settings,
  mount: (fastify, context) => centrapayApi(fastify, {
    app: context.app, get publicUrl() { return context.publicUrl; }, preAuthTtlMs: context.settings.CENTRAPAY_PREAUTH_TTL_SECONDS * 1000,
    rateLimitPerMinute: context.settings.CENTRAPAY_RATE_LIMIT_PER_MINUTE, rateLimitInTest: context.settings.CENTRAPAY_RATE_LIMIT_IN_TEST,
  }),
  credentials: { issue: (unit, merchantId) => issueCentrapayCredentials(unit, merchantId) },
  webhook: (context) => centrapayWebhookFormat(context.app),
  webhookRules: { events: Object.keys(WEBHOOK_TYPES) },
  // an ES256 JWT verified against /centrapay/.well-known/jwks.json: the endpoint's secret is unused
  webhookSigning: 'gateway-key',
  openapi: CENTRAPAY_OPENAPI,
};

export type { CentrapayCredentials } from './credentials.js';
export type { CentrapayDeps };
