// The settlement report in the dashboard, and its CSV download (the same rows as
// GET /v1/reports/settlement with Accept: text/csv).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { addDays, dateOf } from '../../core/calendar.js';
import { settlementCsv, settlementReport, zoneOf } from '../../app/use-cases/reports.js';
import { setTimeZoneAsOwner } from '../../app/use-cases/dashboard.js';
import { may } from '../../app/use-cases/sessions.js';
import { nowFor } from '../../app/time.js';
import { esc } from '../html.js';
import type { DashboardDeps } from './deps.js';
import { csrfField, dashboardPage, money } from './layout.js';
import { HIDDEN, dashRoute, dayParam, field, need, queryOf, seeOther } from './respond.js';
import type { DashboardRequestState } from './session.js';

/** The report's days: `to` exclusive; the report itself checks that it follows `from` by at most 366 days. */
const ReportQuery = z.strictObject({ from: dayParam.optional(), to: dayParam.optional() });

/** The asked range, or the last 7 days (today included) in the merchant's zone. */
function rangeOf(deps: DashboardDeps, state: DashboardRequestState, request: FastifyRequest): { from: string; to: string } {
  const query = queryOf(request, ReportQuery);
  const { merchant } = state.signedIn;
  const today = dateOf(nowFor(deps.app, merchant, state.livemode), zoneOf(merchant));
  return { from: query.from || addDays(today, -6), to: query.to || addDays(today, 1) };
}

export function reportRoutes(fastify: FastifyInstance, deps: DashboardDeps): void {
  fastify.get('/dashboard/reports', HIDDEN, async (request, reply) =>
    dashRoute(request, reply, 'reports', async (state) => {
      const { from, to } = rangeOf(deps, state, request);
      const report = await settlementReport(deps.app, state.signedIn.merchant.id, state.livemode, from, to);
      const rows = report.rows.map((r) => `<tr><td>${esc(r.date)}</td><td>${esc(r.currency)}</td><td>${esc(r.channel)}</td><td class="mono">${esc(r.terminalId)}</td><td class="num">${esc(r.count)}</td><td class="num">${money(r.gross, r.currency)}</td><td class="num">${money(r.refunded, r.currency)}</td><td class="num">${money(r.net, r.currency)}</td></tr>`).join('\n');
      const totals = report.totals.map((t) => `<tr><td colspan="4">Total ${esc(t.currency)}</td><td class="num">${esc(t.count)}</td><td class="num">${money(t.gross, t.currency)}</td><td class="num">${money(t.refunded, t.currency)}</td><td class="num">${money(t.net, t.currency)}</td></tr>`).join('\n');
      const query = new URLSearchParams({ from, to }).toString();
      const main = `<h1>Settlement report</h1>
<form class="card filters" method="get" action="/dashboard/reports">
<div><label for="r-from">From</label><input id="r-from" name="from" type="date" value="${esc(from)}" required></div>
<div><label for="r-to">To (exclusive)</label><input id="r-to" name="to" type="date" value="${esc(to)}" required></div>
<div><button type="submit" class="primary">Show</button></div>
</form>
<p class="hint">Days in ${esc(report.timeZone)}. Gross and count: requests that succeeded that day (captured amounts). Refunded: refunds and voids that succeeded that day. Net = gross − refunded.</p>
<p><a href="/dashboard/reports/settlement.csv?${esc(query)}" download="settlement-${esc(from)}-${esc(to)}.csv" id="csv">Download CSV</a></p>
<div class="table-wrap"><table class="data" id="report"><thead><tr><th>Date</th><th>Currency</th><th>Channel</th><th>Terminal</th><th class="num">Count</th><th class="num">Gross</th><th class="num">Refunded</th><th class="num">Net</th></tr></thead>
<tbody>${rows || '<tr><td colspan="8">Nothing settled in these days.</td></tr>'}</tbody>
<tfoot>${totals}</tfoot></table></div>
${may(state.signedIn.user, 'manage') ? `<form method="post" action="/dashboard/settings/time-zone" class="card" aria-label="Time zone">${csrfField(state)}
<label for="tz">Time zone of your days (an IANA name such as Pacific/Auckland)</label><input id="tz" name="timeZone" value="${esc(report.timeZone)}" required maxlength="64">
<div class="actions"><button type="submit">Save time zone</button></div></form>` : ''}`;
      return dashboardPage(state, { title: 'Reports', section: 'reports', main });
    }));

  fastify.post('/dashboard/settings/time-zone', HIDDEN, async (request, reply) =>
    dashRoute(request, reply, 'reports', async (state) => {
      need(state, 'manage');
      const user = state.signedIn.user;
      await setTimeZoneAsOwner(deps.app, { type: 'user', id: user.id, name: user.email, merchantId: user.merchantId }, field(request.body, 'timeZone').trim());
      return seeOther(reply, '/dashboard/reports');
    }));

  fastify.get('/dashboard/reports/settlement.csv', HIDDEN, async (request, reply) =>
    dashRoute(request, reply, 'reports', async (state) => {
      const { from, to } = rangeOf(deps, state, request);
      const report = await settlementReport(deps.app, state.signedIn.merchant.id, state.livemode, from, to);
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="settlement-${from}-${to}.csv"`).send(settlementCsv(report));
    }));
}
