// The audit log page: who did what from the dashboard, when, on which object (both modes).
import { zoneOf } from '../../app/use-cases/reports.js';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { listAudit } from '../../app/use-cases/audit.js';
import { esc } from '../html.js';
import type { DashboardDeps } from './deps.js';
import { dashboardPage, time } from './layout.js';
import { HIDDEN, cursorParam, dashRoute, queryOf } from './respond.js';

const AuditQuery = z.strictObject({ before: cursorParam('aud').optional() });

export function auditRoutes(fastify: FastifyInstance, deps: DashboardDeps): void {
  fastify.get('/dashboard/audit', HIDDEN, async (request, reply) =>
    dashRoute(request, reply, 'audit', async (state) => {
      const zone = zoneOf(state.signedIn.merchant);
      const { before } = queryOf(request, AuditQuery);
      const page = await listAudit(deps.app, state.signedIn.merchant.id, null, { limit: 100, beforeId: before });
      const link = (type: string, id: string) => (type === 'payment_request' ? `<a href="/dashboard/payment-requests/${esc(id)}">${esc(id)}</a>` : `<span class="mono">${esc(id)}</span>`);
      const rows = page.items.map((a) => `<tr><td>${time(a.createdAt, zone)}</td><td>${esc(a.actorName)}</td><td>${esc(a.action)}</td><td>${link(a.objectType, a.objectId)}</td><td>${esc(a.detail ?? '')}</td><td>${a.livemode ? 'live' : 'test'}</td></tr>`).join('\n');
      const more = page.hasMore ? `<p><a href="/dashboard/audit?before=${esc(page.items.at(-1)!.id)}">Older →</a></p>` : '';
      const main = `<h1>Audit log</h1>
<div class="table-wrap"><table class="data" id="audit-log"><thead><tr><th>When</th><th>Who</th><th>Action</th><th>Object</th><th>Detail</th><th>Mode</th></tr></thead>
<tbody>${rows || '<tr><td colspan="6">Nothing yet.</td></tr>'}</tbody></table></div>${more}`;
      return dashboardPage(state, { title: 'Audit log', section: 'audit', main });
    }));
}
