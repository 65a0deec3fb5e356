// The native API v1: every route, with API-key auth on /v1 and admin-token auth on /admin/v1.
import type { FastifyInstance } from 'fastify';
import { requireApiKey, type NativeDeps } from './deps.js';
import { adminRoutes } from './routes/admin.js';
import { eventRoutes } from './routes/events.js';
import { paymentRequestRoutes } from './routes/payment-requests.js';
import { qrRoutes } from './routes/qr.js';
import { refundRoutes } from './routes/refunds.js';
import { sandboxRoutes } from './routes/sandbox.js';
import { terminalRoutes } from './routes/terminals.js';
import { webhookRoutes } from './routes/webhooks.js';

export async function nativeApi(fastify: FastifyInstance, deps: NativeDeps): Promise<void> {
  await fastify.register(async (v1) => {
    v1.addHook('onRequest', requireApiKey(deps));
    for (const routes of [paymentRequestRoutes, refundRoutes, eventRoutes, terminalRoutes, sandboxRoutes, qrRoutes, webhookRoutes]) routes(v1, deps);
  });
  await fastify.register(async (admin) => adminRoutes(admin, deps));
}

export type { NativeDeps };
