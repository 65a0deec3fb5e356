// The overview: today and the last 30 days in the merchant's time zone, by currency (volume,
// count, success rate, refunds), and each currency's daily volume as an inline SVG chart.
import type { FastifyInstance } from 'fastify';
import { overview, type CurrencyFigures } from '../../app/use-cases/reports.js';
import { esc } from '../html.js';
import { barChart } from './chart.js';
import type { DashboardDeps } from './deps.js';
import { dashboardPage, money } from './layout.js';
import { HIDDEN, NO_QUERY, dashRoute, queryOf } from './respond.js';

/** A rate in basis points as a percentage with one decimal, exactly (integer arithmetic). */
function percent(bps: number | null): string {
  if (bps === null) return '—';
  return `${Math.floor(bps / 100)}.${Math.floor((bps % 100) / 10)} %`;
}

function figureCards(figures: CurrencyFigures[], span: string): string {
  if (figures.length === 0) return `<p class="hint">No payments ${esc(span)}.</p>`;
  return `<div class="stats">${figures.map((f) => `<div class="card stat" data-currency="${esc(f.currency)}">
<p class="eyebrow">${esc(f.currency)} · ${esc(span)}</p>
<p class="value">${money(f.volume, f.currency)}</p>
<dl class="figures"><div><dt>Succeeded</dt><dd>${esc(f.count)}</dd></div><div><dt>Success rate</dt><dd>${esc(percent(f.successRateBps))}</dd></div><div><dt>Refunded</dt><dd>${money(f.refunded, f.currency)}</dd></div></dl>
</div>`).join('\n')}</div>`;
}

export function overviewRoutes(fastify: FastifyInstance, deps: DashboardDeps): void {
  fastify.get('/dashboard', HIDDEN, async (request, reply) =>
    dashRoute(request, reply, 'overview', async (state) => {
      queryOf(request, NO_QUERY);
      const { merchant } = state.signedIn;
      const o = await overview(deps.app, merchant.id, state.livemode);
      const charts = o.daily.map((series) => `<figure class="card chart"><figcaption>${esc(series.currency)}: volume per day, last 30 days</figcaption>
${barChart(series.points.map((p) => ({ label: p.date, value: p.volume })), series.currency, `${series.currency} volume per day`)}</figure>`).join('\n');
      const main = `<h1>${esc(merchant.name)}</h1>
<p class="hint">Days in ${esc(o.timeZone)}; today is ${esc(o.today)}. Volume is what succeeded payments captured; success rate counts requests created in the span that have ended.</p>
<h2>Today</h2>
${figureCards(o.todayFigures, 'today')}
<h2>Last 30 days</h2>
${figureCards(o.last30, 'last 30 days')}
${charts}`;
      return dashboardPage(state, { title: 'Overview', section: 'overview', main });
    }));
}
