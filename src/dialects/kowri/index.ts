// The Kowri WebPOS Merchant API dialect, mounted at /kowri: appId header + appReference and secret
// in every JSON body, Kowri's envelope {requestId, success, statusCode, statusMessage, result} on
// every answer, invoices paid by mobile money (asynchronous prompts), bank, wallet or card (the pay
// page). Translation only: every rule lives in core/ and app/ (docs/dialects/kowri.md).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Dialect, DialectContext } from '../dialect.js';
import { unmatchedRoute } from '../shared/unmatched.js';
import { CALLBACK_EVENTS, kowriCallbackFormat } from './callbacks.js';
import { DIALECT, issueKowriCredentials, KOWRI_OPTIONS } from './credentials.js';
import { KOWRI_OPENAPI } from './openapi.js';
import { kowriRoutes } from './routes.js';
import { sendError, type KowriDeps } from './transport.js';

export const KOWRI_PREFIX = '/kowri';

const Settings = z.object({
  KOWRI_ERROR_STATUS: z.enum(['strict', 'provider']).default('strict')
    .describe('Kowri: HTTP status of a refusal: `strict` answers bad input and bad credentials with 4xx (business refusals 200); `provider` answers every refusal but a server fault with 200, as Kowri\'s servers do'),
});
type KowriSettings = z.infer<typeof Settings>;

export async function kowriApi(fastify: FastifyInstance, deps: KowriDeps): Promise<void> {
  await fastify.register(async (k) => {
    k.setErrorHandler((error, request, reply) => sendError(request, reply, error, deps.errorStatus));
    k.setNotFoundHandler((request, reply) => sendError(request, reply, unmatchedRoute(k, request, reply, `No route ${request.method} ${request.url.split('?')[0]}; Kowri's operations are POST /kowri/webpos/<operation>.`), deps.errorStatus));
    kowriRoutes(k, deps);
  }, { prefix: KOWRI_PREFIX });
}

export const kowri: Dialect<KowriSettings> = {
  name: DIALECT,
  prefix: KOWRI_PREFIX,
  settings: Settings,
  mount: (fastify, context: DialectContext<KowriSettings>) => kowriApi(fastify, {
    app: context.app,
    get publicUrl() {
      return context.publicUrl;
    },
    errorStatus: context.settings.KOWRI_ERROR_STATUS,
  }),
  credentials: { options: KOWRI_OPTIONS, issue: (unit, merchantId, options) => issueKowriCredentials(unit, merchantId, options as { livemode?: boolean }) },
  webhook: (context) => kowriCallbackFormat(context.app),
  // an invoice's own webhookUrl (its metadata's) wins over the pre-configured URL (an endpoint of format kowri)
  webhookRules: { events: CALLBACK_EVENTS, ownUrlFirst: true },
  openapi: KOWRI_OPENAPI,
};

export type { KowriCredentials } from './credentials.js';
