// The KPAY PR API dialect, mounted at /kpay: Bearer secretKey auth, KPAY's envelope
// {responseCode, responseMessage, data} and its NIBSS-style codes. Translation only: every rule
// lives in core/ and app/ (docs/dialects/kpay.md).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../app/context.js';
import { authenticate } from '../../app/use-cases/merchants.js';
import { bearerToken } from '../shared/auth.js';
import { toDomainError } from '../shared/errors.js';
import type { Dialect } from '../dialect.js';
import { unmatchedRoute } from '../shared/unmatched.js';
import { CALLBACK_EVENTS, kpayCallbackFormat } from './callbacks.js';
import { issueKpayCredentials } from './credentials.js';
import { KPAY_ERRORS, RESPONSE_MESSAGES } from './errors.js';
import { KPAY_OPENAPI } from './openapi.js';
import { kpayRoutes } from './routes.js';
import { sandboxRoutes } from './sandbox.js';

export const KPAY_PREFIX = '/kpay';

function sendError(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const { error: problem, bug } = toDomainError(error);
  if (bug) request.log.error({ err: error }, 'unhandled error');
  const [responseCode, status] = KPAY_ERRORS[problem.code];
  return reply.status(status).send({ responseCode, responseMessage: `${RESPONSE_MESSAGES[responseCode]}: ${problem.message}`, data: null });
}

export async function kpayApi(fastify: FastifyInstance, context: { app: App }): Promise<void> {
  const notFound = (scope: FastifyInstance) => scope.setNotFoundHandler((request, reply) =>
    sendError(request, reply, unmatchedRoute(scope, request, reply, `No route ${request.method} ${request.url.split('?')[0]}.`)));
  // /kpay: KPAY's envelope for whatever lands under it, keyless paths included (the server's
  // /kpay/openapi.json asked with POST is 405 with Allow, not 401); the key is the API's alone
  await fastify.register(async (outer) => {
    outer.setErrorHandler((error, request, reply) => sendError(request, reply, error));
    notFound(outer);
    // /kpay/api: every call of a merchant's, its key checked first (401 without one, then 405 or 404)
    await outer.register(async (k) => {
      notFound(k);
      k.addHook('onRequest', async (request) => {
        request.caller = await authenticate(context.app, bearerToken(request), 'kpay', { ownRequestsOnly: true });
      });
      kpayRoutes(k, context.app);
      sandboxRoutes(k, context.app);
    }, { prefix: '/api' });
  }, { prefix: KPAY_PREFIX });
}

export const kpay: Dialect = {
  name: 'kpay',
  prefix: KPAY_PREFIX,
  mount: (fastify, context) => kpayApi(fastify, { app: context.app }),
  credentials: { issue: (unit, merchantId) => issueKpayCredentials(unit, merchantId) },
  webhook: (context) => kpayCallbackFormat(context.app),
  webhookRules: { events: CALLBACK_EVENTS },
  openapi: KPAY_OPENAPI,
};

export type { KpayCredentials } from './credentials.js';
