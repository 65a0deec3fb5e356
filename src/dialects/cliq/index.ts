// The CLIQ crypto POS dialect, mounted at /cliq: every call is a POST with a JSON or form body,
// authenticated by its `key` and an MD5 `hash` ending in the api_secret; answers are
// {"status":"ok", …} or {"status":"nok", message, error}. Translation only: every rule lives in
// core/ and app/ (docs/dialects/cliq.md).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app/context.js';
import type { Dialect } from '../dialect.js';
import { unmatchedRoute } from '../shared/unmatched.js';
import { formFields } from '../shared/form.js';
import { issueCliqCredentials } from './credentials.js';
import { sendRefusal } from './errors.js';
import { DIALECT } from './fields.js';
import { CLIQ_OPENAPI } from './openapi.js';
import { paymentRoutes } from './payments.js';
import { cliqPostbackFormat, POSTBACK_EVENTS } from './postbacks.js';
import { renewExpiredQuotes } from './quote-renewal.js';
import { refundRoutes } from './refunds.js';
import { sandboxRoutes } from './sandbox.js';

export const CLIQ_PREFIX = '/cliq';

export async function cliqApi(fastify: FastifyInstance, context: { app: App }): Promise<void> {
  await fastify.register(async (c) => {
    c.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
      try {
        done(null, formFields(body as string));
      } catch (error) {
        done(error as Error, undefined);
      }
    });
    c.setErrorHandler((error, request, reply) => sendRefusal(request, reply, error));
    c.setNotFoundHandler((request, reply) => sendRefusal(request, reply, unmatchedRoute(c, request, reply, `No route ${request.method} ${request.url.split('?')[0]}: every CLIQ call is a POST.`)));
    paymentRoutes(c, context.app);
    refundRoutes(c, context.app);
    sandboxRoutes(c, context.app);
  }, { prefix: CLIQ_PREFIX });
}

export const cliq: Dialect = {
  name: DIALECT,
  prefix: CLIQ_PREFIX,
  mount: (fastify, context) => cliqApi(fastify, { app: context.app }),
  credentials: {
    options: z.strictObject({ livemode: z.boolean().optional().describe('true makes a live-mode set (default: test mode)') }),
    issue: (unit, merchantId, options) => issueCliqCredentials(unit, merchantId, { livemode: options.livemode as boolean | undefined }),
  },
  webhook: (context) => cliqPostbackFormat(context.app),
  webhookRules: { events: POSTBACK_EVENTS }, // its notices (a price update, a transaction seen) go to their own URLs, not through the outbox's targets
  // an open payment's quote that runs out is renewed, and announced to pos_price_update_postback_url
  periodic: (context) => () => renewExpiredQuotes(context.app),
  openapi: CLIQ_OPENAPI,
};

export type { CliqCredentials } from './credentials.js';
