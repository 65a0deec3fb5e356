// A request's activities, and the merchant's activity feed.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { listEvents } from '../../../app/use-cases/events.js';
import { getPaymentRequest } from '../../../app/use-cases/payment-requests.js';
import type { Activity } from '../activities.js';
import { CentrapayRefusal, type CentrapayDeps } from '../deps.js';
import { documented } from '../openapi.js';
import * as s from '../schemas.js';
import { activitiesOfView, viewOf } from '../views.js';

const FEED_PAGE = 50;

export function activityRoutes(fastify: FastifyInstance, deps: CentrapayDeps): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  const { app } = deps;

  r.get('/payment-requests/:id/activities', { ...documented('activities', 'listPaymentRequestActivities', 'A payment request\'s activities', { params: s.IdParams }), config: { operation: 'read' } }, async (req) => {
    const request = await getPaymentRequest(app, req.caller, req.params.id);
    // Centrapay: "ordered by descending activity created date" (numbered oldest first, as ever)
    return { items: activitiesOfView(await viewOf(app.db.read, request)).reverse() };
  });

  r.get('/payment-activities', { ...documented('activityPage', 'listPaymentActivities', 'The merchant\'s activities, newest first', { querystring: s.ActivitiesQuery }), config: { operation: 'read' } }, async (req) => {
    const { caller } = req;
    if (req.query.merchantId !== undefined && req.query.merchantId !== caller.merchantId)
      throw new CentrapayRefusal(403, 'MERCHANT_NOT_FOUND', `Merchant ${req.query.merchantId} is not this key's merchant.`);
    // activities are rendered per request (a confirmation's value is the change from the event before it)
    const byRequest = new Map<string, Activity[]>();
    const activitiesOfRequest = async (id: string) => {
      if (!byRequest.has(id)) byRequest.set(id, activitiesOfView(await viewOf(app.db.read, await getPaymentRequest(app, caller, id))));
      return byRequest.get(id) as Activity[];
    };
    // newest first (Centrapay: "ordered by descending activity created date"); pageKey is the
    // position of the last event a page read, and the next page is what is older than it. Not
    // every event is an activity: read events until the page is full or the log's start is reached.
    const items: Activity[] = [];
    let before = req.query.pageKey === undefined ? undefined : Number(req.query.pageKey);
    let more = true;
    while (items.length < FEED_PAGE && more) {
      const events = await listEvents(app, caller, {}, { limit: FEED_PAGE * 2, newestFirst: true, beforePosition: before });
      more = events.hasMore;
      for (const event of events.items) {
        before = event.position;
        const activity = (await activitiesOfRequest(event.paymentRequestId)).find((a) => a.id === event.id);
        if (activity) items.push(activity);
        if (items.length === FEED_PAGE) {
          more = more || event !== events.items.at(-1);
          break;
        }
      }
    }
    return { items, ...(more ? { nextPageKey: String(before) } : {}) };
  });
}
