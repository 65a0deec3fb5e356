// A request's activities, and the merchant's activity feed.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { listEvents } from '../../../app/use-cases/events.js';
import { getPaymentRequest } from '../../../app/use-cases/payment-requests.js';
import type { Activity } from '../activities.js';
import { CentrapayRefusal, type CentrapayDeps } from '../deps.js';
import * as s from '../schemas.js';
import { activitiesOfView, viewOf } from '../views.js';

const FEED_PAGE = 50;

export function activityRoutes(fastify: FastifyInstance, deps: CentrapayDeps): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  const { app } = deps;

  r.get('/api/payment-requests/:id/activities', { schema: { hide: true, params: s.IdParams }, config: { operation: 'read' } }, async (req) => {
    const request = await getPaymentRequest(app, req.caller, req.params.id);
    return { items: activitiesOfView(await viewOf(app.store.read, request)) };
  });

  r.get('/api/payment-activities', { schema: { hide: true, querystring: s.ActivitiesQuery }, config: { operation: 'read' } }, async (req) => {
    const { caller } = req;
    if (req.query.merchantId !== undefined && req.query.merchantId !== caller.merchantId)
      throw new CentrapayRefusal(403, 'MERCHANT_NOT_FOUND', `Merchant ${req.query.merchantId} is not this key's merchant.`);
    const page = await listEvents(app, caller, {}, { limit: FEED_PAGE, afterPosition: req.query.pageKey === undefined ? undefined : Number(req.query.pageKey) });
    // activities are rendered per request (a confirmation's value is the change from the event before it)
    const byRequest = new Map<string, Activity[]>();
    for (const id of new Set(page.items.map((event) => event.paymentRequestId))) {
      const request = await getPaymentRequest(app, caller, id);
      byRequest.set(id, activitiesOfView(await viewOf(app.store.read, request)));
    }
    const items = page.items.flatMap((event) => byRequest.get(event.paymentRequestId)?.filter((a) => a.id === event.id) ?? []);
    return { items, ...(page.hasMore ? { nextPageKey: String(page.items.at(-1)?.position) } : {}) };
  });
}
