// Webhook endpoints and their delivery log (the latest attempts, all endpoints or one), with
// redelivery of an event (staff and owners): the same use case as POST /v1/events/{id}/redeliver.
import { zoneOf } from '../../app/use-cases/reports.js';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { redeliverEvent, webhookLog } from '../../app/use-cases/dashboard.js';
import { callerOf } from '../../app/use-cases/sessions.js';
import { esc } from '../html.js';
import type { DashboardDeps } from './deps.js';
import { csrfField, dashboardPage, pill, time } from './layout.js';
import { HIDDEN, dashRoute, field, idParam, need, queryOf, seeOther } from './respond.js';

/** The delivery log of one endpoint (its link in the endpoints' table), and the flash after a redelivery. */
const WebhooksQuery = z.strictObject({
  endpoint: idParam('we', 'a webhook endpoint').optional(),
  done: z.literal('redeliver', { error: 'must be redeliver' }).optional(),
});

export function webhookRoutes(fastify: FastifyInstance, deps: DashboardDeps): void {
  fastify.get('/dashboard/webhooks', HIDDEN, async (request, reply) =>
    dashRoute(request, reply, 'webhooks', async (state) => {
      const zone = zoneOf(state.signedIn.merchant);
      const query = queryOf(request, WebhooksQuery);
      const log = await webhookLog(deps.app, callerOf(state.signedIn.user, state.livemode), query.endpoint);
      const canRedeliver = state.signedIn.user.role !== 'viewer';
      const endpoints = log.endpoints.map((e) => `<tr><td class="mono"><a href="/dashboard/webhooks?endpoint=${esc(e.id)}">${esc(e.id)}</a></td><td class="break">${esc(e.url)}</td><td>${esc(e.format)}</td><td>${pill(e.status)}</td><td>${esc(e.eventTypes?.join(', ') ?? 'all')}</td></tr>`).join('\n');
      const attempts = log.attempts.map((a) => `<tr><td>${time(a.attemptedAt, zone)}</td><td>${esc(a.eventType)}</td>
<td><a href="/dashboard/payment-requests/${esc(a.paymentRequestId)}">${esc(a.paymentRequestId)}</a></td><td class="break">${esc(a.url)}</td>
<td>${pill(a.statusCode !== null && a.statusCode >= 200 && a.statusCode < 300 ? 'delivered' : 'failed')} ${esc(a.statusCode ?? a.error ?? '')}</td><td class="num">${esc(a.latencyMs)}</td>
<td>${canRedeliver ? `<form method="post" action="/dashboard/webhooks/redeliver" class="inline">${csrfField(state)}<input type="hidden" name="eventId" value="${esc(a.eventId)}"><button type="submit" class="secondary">Redeliver</button></form>` : ''}</td></tr>`).join('\n');
      const main = `<h1>Webhooks</h1>
<section class="card"><h2>Endpoints</h2>
${log.endpoints.length === 0 ? '<p class="hint">No endpoints in this mode. Add one with POST /v1/webhook-endpoints. Requests with a webhookUrl are delivered there too.</p>' : `<div class="table-wrap"><table class="data"><thead><tr><th>Id</th><th>URL</th><th>Format</th><th>Status</th><th>Events</th></tr></thead><tbody>${endpoints}</tbody></table></div>`}
</section>
<section class="card"><h2>Delivery log${query.endpoint ? ` of ${esc(query.endpoint)} <a href="/dashboard/webhooks">(all)</a>` : ''}</h2>
${log.attempts.length === 0 ? '<p class="hint">No delivery attempts yet.</p>' : `<div class="table-wrap"><table class="data" id="attempts"><thead><tr><th>When</th><th>Event</th><th>Request</th><th>URL</th><th>Answer</th><th class="num">ms</th><th></th></tr></thead><tbody>${attempts}</tbody></table></div>`}
</section>`;
      return dashboardPage(state, { title: 'Webhooks', section: 'webhooks', main, flash: query.done === 'redeliver' ? 'Queued for redelivery.' : null });
    }));

  fastify.post('/dashboard/webhooks/redeliver', HIDDEN, async (request, reply) =>
    dashRoute(request, reply, 'webhooks', async (state) => {
      need(state, 'operate');
      const user = state.signedIn.user;
      await redeliverEvent(deps.app, callerOf(user, state.livemode), field(request.body, 'eventId'));
      return seeOther(reply, '/dashboard/webhooks?done=redeliver');
    }));
}
