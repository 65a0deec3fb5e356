// The native API v1: every route, with API-key auth on /v1 and admin-token auth on /admin/v1.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { issueNativeCredentials } from '../../app/use-cases/bootstrap.js';
import { standardWebhooksFormat } from '../../delivery/formats.js';
import type { Dialect } from '../dialect.js';
import { requireApiKey, type NativeDeps } from './deps.js';
import { renderEvent } from './render.js';
import { adminRoutes } from './routes/admin.js';
import { eventRoutes } from './routes/events.js';
import { paymentRequestRoutes } from './routes/payment-requests.js';
import { qrRoutes } from './routes/qr.js';
import { refundRoutes } from './routes/refunds.js';
import { reportRoutes } from './routes/reports.js';
import { sandboxRoutes } from './routes/sandbox.js';
import { terminalRoutes } from './routes/terminals.js';
import { webhookRoutes } from './routes/webhooks.js';
import { NativeSettings } from './settings.js';

/** The query of a route that takes none: any parameter is refused (400 unknown_field), as the lists refuse one they do not name. */
const NoQuery = z.strictObject({});

/** Gives every route of the scope that declares no query schema the empty strict one (and documents its refusal). */
function strictQueries(scope: FastifyInstance): void {
  scope.addHook('onRoute', (route) => {
    const schema = route.schema ?? {};
    if (schema.querystring) return;
    route.schema = { ...schema, querystring: NoQuery, 'x-errors': [...(schema['x-errors'] ?? []), 'unknown_field'] };
  });
}

export async function nativeApi(fastify: FastifyInstance, deps: NativeDeps): Promise<void> {
  await fastify.register(async (v1) => {
    v1.addHook('onRequest', requireApiKey(deps));
    strictQueries(v1);
    for (const routes of [paymentRequestRoutes, refundRoutes, eventRoutes, terminalRoutes, sandboxRoutes, qrRoutes, webhookRoutes, reportRoutes]) routes(v1, deps);
  });
  await fastify.register(async (admin) => {
    strictQueries(admin);
    adminRoutes(admin, deps);
  });
}

/** The native API as a dialect: /v1 and /admin/v1, its credential set, Standard Webhooks. */
export const native: Dialect<NativeSettings> = {
  name: 'native',
  prefix: '',
  settings: NativeSettings,
  mount: (fastify, context) => nativeApi(fastify, context),
  credentials: { issue: (unit, merchantId) => issueNativeCredentials(unit, merchantId) },
  webhook: (context) => standardWebhooksFormat((event) => JSON.stringify(renderEvent(event, context.publicUrl))),
};

export type { NativeDeps };
