// Payment requests in the dashboard: the list (filters, cursor pages, live updates) and a request's
// page (timeline, refunds, channel details, webhook deliveries, audit) with the actions its state
// allows. Each action is confirmed on a page of its own, then calls the same use case as the API.
import { zoneOf } from '../../app/use-cases/reports.js';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CHANNELS, METHOD_DETAIL_MONEY_KEYS } from '../../app/ports/connector.js';
import { PAYMENT_REQUEST_STATUSES, refundableAmount, canApply, VOID_WINDOW_MS, type PaymentRequest } from '../../core/payment-request.js';
import { takesRefund, type Refund } from '../../core/refund.js';
import { currencyExponent, decimalToMinor, isSupportedCurrency, minorToDecimal } from '../../core/money.js';
import { DomainError } from '../../core/errors.js';
import { parseDate, startOfDay } from '../../core/calendar.js';
import { callerOf } from '../../app/use-cases/sessions.js';
import { actOnRequest, listRequests, requestDetail, type DashboardFilter, type RequestAction } from '../../app/use-cases/dashboard.js';
import { listTerminals } from '../../app/use-cases/merchants.js';
import { esc } from '../html.js';
import { csrfField, dashboardPage, money, pill, time } from './layout.js';
import { HIDDEN, cursorParam, dashRoute, dayParam, field, idParam, need, queryOf, seeOther } from './respond.js';
import type { DashboardRequestState } from './session.js';
import type { DashboardDeps } from './deps.js';

const PAGE_SIZE = 50;
const ACTIONS = ['refund', 'cancel', 'capture', 'void'] as const;
type ActionKind = (typeof ACTIONS)[number];

/** The list's query string (the filter form's fields, the page size, the cursor of "Older →"). */
function listQuery(sources: readonly string[]) {
  return z.strictObject({
    q: z.string().trim().max(255, 'must be at most 255 characters (a reference, an external reference or a short code)').optional(),
    status: z.enum(PAYMENT_REQUEST_STATUSES, { error: `must be one of ${PAYMENT_REQUEST_STATUSES.join(', ')}` }).optional(),
    terminal: idParam('term', 'a terminal').optional(),
    channel: z.enum(CHANNELS, { error: `must be one of ${CHANNELS.join(', ')}` }).optional(),
    api: z.string().refine((api) => sources.includes(api), `must be one of ${sources.join(', ')}`).optional(),
    from: dayParam.optional(),
    to: dayParam.optional(),
    currency: z.string().refine(isSupportedCurrency, 'must be a currency posgate knows (such as NZD)').optional(),
    min: z.string().max(40, 'must be an amount').optional(),
    max: z.string().max(40, 'must be an amount').optional(),
    limit: z.string().regex(/^\d{1,3}$/, 'must be a whole number from 1 to 200').refine((n) => Number(n) >= 1 && Number(n) <= 200, 'must be a whole number from 1 to 200').optional(),
    before: cursorParam('pr').optional(),
  });
}
type Query = z.output<ReturnType<typeof listQuery>>;

/** The list's query string (its schema passed) → a filter; what cannot be read is refused (400) rather than ignored. */
function filterOf(query: Query, zone: string): DashboardFilter {
  const filter: DashboardFilter = {};
  const bad = (param: string, message: string) => new DomainError('parameter_invalid', message, param);
  if (query.status) filter.status = query.status;
  if (query.terminal) filter.terminalId = query.terminal;
  if (query.channel) filter.paymentMethod = query.channel;
  if (query.api) filter.source = query.api;
  if (query.q) filter.search = query.q;
  for (const [param, key, shift] of [['from', 'createdFrom', 0], ['to', 'createdTo', 1]] as const) {
    const text = query[param];
    if (!text) continue;
    const day = parseDate(text);
    if (!day) throw bad(param, `${param} must be a date YYYY-MM-DD.`);
    // `to` is the last day shown: everything before the next day begins (Date.UTC carries day + 1 over)
    filter[key] = startOfDay(day[0], day[1], day[2] + shift, zone) - shift;
  }
  if (query.currency) filter.currency = query.currency;
  for (const [param, key] of [['min', 'amountFrom'], ['max', 'amountTo']] as const) {
    const text = query[param];
    if (!text) continue;
    if (!filter.currency) throw bad('currency', 'An amount range needs a currency: amounts are in its units.');
    const minor = decimalToMinor(text, currencyExponent(filter.currency));
    if (minor === null) throw bad(param, `${text} is not an amount in ${filter.currency}.`);
    filter[key] = minor;
  }
  return filter;
}

function option(value: string, label: string, selected: string | undefined): string {
  return `<option value="${esc(value)}"${selected === value ? ' selected' : ''}>${esc(label)}</option>`;
}

function select(name: string, label: string, values: readonly (readonly [string, string])[], selected: string | undefined): string {
  return `<div><label for="f-${name}">${esc(label)}</label><select id="f-${name}" name="${name}">${option('', 'Any', selected)}${values.map(([v, l]) => option(v, l, selected)).join('')}</select></div>`;
}

function input(name: string, label: string, value: string | undefined, type = 'text', extra = ''): string {
  return `<div><label for="f-${name}">${esc(label)}</label><input id="f-${name}" name="${name}" type="${type}" value="${esc(value ?? '')}"${extra}></div>`;
}

async function listPage(deps: DashboardDeps, state: DashboardRequestState, query: Query): Promise<string> {
  const { user, merchant } = state.signedIn;
  const caller = callerOf(user, state.livemode);
  const filter = filterOf(query, zoneOf(merchant));
  const limit = query.limit ? Number(query.limit) : PAGE_SIZE;
  const found = await listRequests(deps.app, caller, filter, { limit, beforeId: query.before });
  const terminals = (await listTerminals(deps.app, caller, { limit: 200 })).items;
  const terminalName = new Map(terminals.map((t) => [t.id, t.name]));
  const rows = found.items.map((r) => `<tr data-id="${esc(r.id)}">
<td>${time(r.createdAt, zoneOf(merchant))}</td>
<td><a href="/dashboard/payment-requests/${esc(r.id)}">${esc(r.id)}</a></td>
<td>${esc(r.reference ?? '')}</td><td>${esc(r.externalRef ?? '')}</td><td class="mono">${esc(r.shortCode)}</td>
<td>${esc(terminalName.get(r.terminalId) ?? r.terminalId)}</td><td>${esc(r.paymentMethod ?? '')}</td><td>${esc(r.source)}</td>
<td class="num">${r.amount === null ? '—' : money(r.amount, r.currency)}</td><td>${pill(r.status)}</td></tr>`).join('\n');
  const params = new URLSearchParams(Object.entries(query).filter(([k, v]) => k !== 'before' && v) as [string, string][]);
  const older = found.hasMore ? `<a href="/dashboard/payment-requests?${esc(new URLSearchParams([...params, ['before', found.items.at(-1)!.id]]).toString())}" rel="next">Older →</a>` : '';
  const main = `<h1>Payments</h1>
<form class="card filters" method="get" action="/dashboard/payment-requests" aria-label="Filters">
${input('q', 'Search (reference, external ref, short code)', query.q, 'search')}
${select('status', 'Status', PAYMENT_REQUEST_STATUSES.map((s) => [s, s] as const), query.status)}
${select('terminal', 'Terminal', terminals.map((t) => [t.id, t.name] as const), query.terminal)}
${select('channel', 'Channel', CHANNELS.map((c) => [c, c.replace(/_/g, ' ')] as const), query.channel)}
${select('api', 'API', deps.sources.map((s) => [s, s] as const), query.api)}
${input('from', 'Created from', query.from, 'date')}
${input('to', 'Created to (inclusive)', query.to, 'date')}
${input('currency', 'Currency', query.currency, 'text', ' maxlength="3" size="3" autocapitalize="characters"')}
${input('min', 'Amount from', query.min, 'text', ' inputmode="decimal"')}
${input('max', 'Amount to', query.max, 'text', ' inputmode="decimal"')}
<div><button type="submit" class="primary">Filter</button> <a href="/dashboard/payment-requests">Clear</a></div>
</form>
<p class="hint" id="live-status" data-live="/dashboard/payment-requests/changes" aria-live="polite"></p>
<div class="table-wrap"><table class="data" id="requests">
<thead><tr><th>Created</th><th>Id</th><th>Reference</th><th>External ref</th><th>Short code</th><th>Terminal</th><th>Channel</th><th>API</th><th class="num">Amount</th><th>Status</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="10">No payment requests match.</td></tr>'}
</tbody></table></div>
<p>${older}</p>`;
  return dashboardPage(state, { title: 'Payments', section: 'payments', main, scripts: ['dashboard.js'] });
}

/** Offered instead of the actions while an operation waits for the channel: they would wait 10 s, then be refused. */
const AWAITING_CHANNEL = '<p class="hint" id="awaiting-channel">An operation on this payment waits for the payment channel\'s answer. The actions are offered again once its answer is in (posgate asks the channel again by itself; an answer that can no longer be applied stays for an operator to resolve); reload the page in a little while.</p>';

function actionsAllowed(request: PaymentRequest, now: number): ActionKind[] {
  const allowed: ActionKind[] = [];
  if (takesRefund(request) && refundableAmount(request) > 0) allowed.push('refund');
  if (canApply(request.status, 'cancel')) allowed.push('cancel');
  if (request.status === 'authorized') allowed.push('capture');
  if (request.status === 'succeeded' && now - request.createdAt <= VOID_WINDOW_MS) allowed.push('void');
  return allowed;
}

/** What an amount field shows: the decimal the form reads back (core/money.ts formats it). */
const decimal = (minor: number, currency: string) => minorToDecimal(minor, currencyExponent(currency));

function actionForms(state: DashboardRequestState, request: PaymentRequest, now: number): string {
  const allowed = actionsAllowed(request, now);
  if (allowed.length === 0) return '<p class="hint">No action applies to this request in its state.</p>';
  const base = `/dashboard/payment-requests/${esc(request.id)}/actions`;
  const forms: string[] = [];
  for (const kind of allowed) {
    if (kind === 'refund') {
      const reference = `dash_${randomBytes(9).toString('base64url')}`;
      forms.push(`<form method="post" action="${base}/refund" class="panel" aria-label="Refund">${csrfField(state)}
<input type="hidden" name="reference" value="${esc(reference)}">
<label for="refund-amount">Refund amount (${esc(request.currency)}, up to ${esc(decimal(refundableAmount(request), request.currency))})</label>
<input id="refund-amount" name="amount" inputmode="decimal" required value="${esc(decimal(refundableAmount(request), request.currency))}">
<label for="refund-reason">Reason (optional)</label><input id="refund-reason" name="reason" maxlength="200">
<button type="submit">Refund…</button></form>`);
    } else if (kind === 'capture') {
      forms.push(`<form method="post" action="${base}/capture" class="panel" aria-label="Capture">${csrfField(state)}
<label for="capture-amount">Capture amount (${esc(request.currency)}; empty: all that is left, ${esc(decimal(request.amountAuthorized - request.amountCaptured, request.currency))})</label>
<input id="capture-amount" name="amount" inputmode="decimal">
<button type="submit">Capture…</button></form>`);
    } else {
      forms.push(`<form method="post" action="${base}/${kind}" class="panel inline" aria-label="${kind}">${csrfField(state)}<button type="submit" class="secondary">${kind === 'cancel' ? 'Cancel request…' : 'Void (refund all)…'}</button></form>`);
    }
  }
  return forms.join('\n');
}

/** One channel detail as people read it, by the connector port's convention (METHOD_DETAIL_MONEY_KEYS, times ending in At). */
function detailValue(key: string, value: unknown, currency: string, zone: string): string {
  if (METHOD_DETAIL_MONEY_KEYS.includes(key) && Number.isSafeInteger(value)) return money(value as number, currency);
  if (key.endsWith('At') && Number.isSafeInteger(value)) return time(value as number, zone);
  return esc(typeof value === 'object' ? JSON.stringify(value) : String(value));
}

function detailsList(details: Record<string, unknown> | null, currency: string, zone: string): string {
  if (!details) return '<p class="hint">No channel details.</p>';
  return `<dl class="figures">${Object.entries(details).map(([k, v]) => `<div><dt>${esc(k)}</dt><dd class="break">${detailValue(k, v, currency, zone)}</dd></div>`).join('')}</dl>`;
}

async function detailPage(deps: DashboardDeps, state: DashboardRequestState, id: string, done: Outcome | undefined): Promise<string> {
  const { user, merchant } = state.signedIn;
  const zone = zoneOf(merchant);
  const caller = callerOf(user, state.livemode);
  const d = await requestDetail(deps.app, caller, id);
  const r = d.request;
  const now = deps.app.clock.now() + (state.livemode ? 0 : merchant.testClockOffsetMs);
  const figure = (label: string, value: string) => `<div><dt>${esc(label)}</dt><dd>${value}</dd></div>`;
  const main = `<p><a href="/dashboard/payment-requests">← Payments</a></p>
<h1>${r.amount === null ? 'No amount yet' : money(r.amount, r.currency)} ${pill(r.status)}</h1>
<p class="mono">${esc(r.id)}</p>
<div class="grid-2">
<section class="card" aria-labelledby="h-summary"><h2 id="h-summary">Summary</h2><dl class="figures">
${figure('Reference', esc(r.reference ?? '—'))}${figure('External ref', esc(r.externalRef ?? '—'))}${figure('Short code', `<span class="mono">${esc(r.shortCode)}</span>`)}
${figure('Terminal', esc(r.terminalId))}${figure('Channel', esc(r.paymentMethod ?? '—'))}${figure('API', esc(r.source))}
${figure('Status reason', esc(r.statusReason ?? '—'))}${figure('Created', time(r.createdAt, zone))}${figure('Updated', time(r.updatedAt, zone))}
${figure('Received', money(r.amountReceived, r.currency))}${figure('Captured', money(r.amountCaptured, r.currency))}
${figure('Refunded', money(r.amountRefunded, r.currency))}${figure('Refundable', money(Math.max(0, refundableAmount(r)), r.currency))}
</dl></section>
<section class="card" aria-labelledby="h-actions"><h2 id="h-actions">Actions</h2>
${state.signedIn.user.role === 'viewer' ? '<p class="hint">Your role (viewer) reads only.</p>' : d.awaitingChannel ? AWAITING_CHANNEL : actionForms(state, r, now)}
<h2>Channel details</h2>${detailsList(r.methodDetails, r.currency, zone)}
</section>
</div>
<section class="card" aria-labelledby="h-timeline"><h2 id="h-timeline">Timeline</h2><ol class="timeline" id="timeline">
${d.events.map((e) => `<li><span class="mono">${time(e.createdAt, zone)}</span> ${esc(e.type)}${e.objectType === 'refund' ? ` <span class="mono">${esc(e.objectId)}</span> ${money((e.data as { amount: number }).amount, r.currency)}` : ''}</li>`).join('\n')}
</ol></section>
<section class="card" aria-labelledby="h-refunds"><h2 id="h-refunds">Refunds</h2>
${d.refunds.length === 0 ? '<p class="hint">None.</p>' : `<div class="table-wrap"><table class="data" id="refunds"><thead><tr><th>Id</th><th>Reference</th><th class="num">Amount</th><th>Status</th><th>Created</th></tr></thead><tbody>
${d.refunds.map((f) => `<tr><td class="mono">${esc(f.id)}</td><td>${esc(f.reference)}</td><td class="num">${money(f.amount, f.currency)}</td><td>${pill(f.status)}</td><td>${time(f.createdAt, zone)}</td></tr>`).join('\n')}
</tbody></table></div>`}
</section>
<section class="card" aria-labelledby="h-webhooks"><h2 id="h-webhooks">Webhook deliveries</h2>
${d.attempts.length === 0 ? '<p class="hint">None.</p>' : `<div class="table-wrap"><table class="data"><thead><tr><th>When</th><th>Event</th><th>URL</th><th>Answer</th><th>ms</th></tr></thead><tbody>
${d.attempts.map((a) => `<tr><td>${time(a.attemptedAt, zone)}</td><td>${esc(a.eventType)}</td><td class="break">${esc(a.url)}</td><td>${esc(a.statusCode ?? a.error ?? '')}</td><td class="num">${esc(a.latencyMs)}</td></tr>`).join('\n')}
</tbody></table></div>`}
<p><a href="/dashboard/webhooks">Webhook log and redelivery</a></p>
</section>
<section class="card" aria-labelledby="h-audit"><h2 id="h-audit">Audit</h2>
${d.audit.length === 0 ? '<p class="hint">No one has acted on it from the dashboard or the API.</p>' : `<ul class="timeline" id="audit">${d.audit.map((a) => `<li>${time(a.createdAt, zone)} ${esc(a.actorName)}: ${esc(a.action)} ${esc(a.detail ?? '')}</li>`).join('')}</ul>`}
</section>`;
  const flash = done ? FLASHES[done] : null;
  return dashboardPage(state, { title: r.id, section: 'payments', main, flash });
}

/** A decimal amount of the request's currency → minor units, or a 400. */
function amountOf(text: string, request: PaymentRequest, param: string): number {
  const minor = decimalToMinor(text.trim(), currencyExponent(request.currency));
  if (minor === null) throw new DomainError('amount_invalid', `${text || 'An empty amount'} is not an amount in ${request.currency} (up to ${currencyExponent(request.currency)} decimals, more than zero).`, param);
  return minor;
}

/**
 * What a request's page says after an action (`done`, the redirect after its form): the action, or
 * for a refund the channel did not settle at once, its answer (the refund is made either way, but
 * a refused one returned nothing, and a pending one has yet to).
 */
const OUTCOMES = [...ACTIONS, 'refund_pending', 'refund_failed'] as const;
type Outcome = (typeof OUTCOMES)[number];
const FLASHES: Record<Outcome, string> = {
  refund: 'Done: refund.', cancel: 'Done: cancel.', capture: 'Done: capture.', void: 'Done: void.',
  refund_pending: 'Refund sent: the payment channel has yet to settle it (pending).',
  refund_failed: 'Not refunded: the payment channel refused the refund. Nothing went back to the patron; the amount is refundable again.',
};

/** The outcome a refund's status stands for (a replay by reference finds the refund as it is now). */
function refundOutcome(refund: Refund | undefined): Outcome {
  if (refund?.status === 'pending') return 'refund_pending';
  if (refund?.status === 'failed') return 'refund_failed';
  return 'refund';
}

const DetailQuery = z.strictObject({ done: z.enum(OUTCOMES, { error: `must be one of ${OUTCOMES.join(', ')}` }).optional() });

const VERBS: Record<ActionKind, string> = { refund: 'Refund', cancel: 'Cancel', capture: 'Capture', void: 'Void' };

function confirmPage(state: DashboardRequestState, request: PaymentRequest, kind: ActionKind, action: RequestAction, fields: Record<string, string>): string {
  let what = `${VERBS[kind]} payment request ${request.id}`;
  if (action.kind === 'refund') what = `Refund ${money(action.amount, request.currency)} of payment request ${esc(request.id)}`;
  else if (action.kind === 'capture') what = `Capture ${action.amount === undefined ? 'all of the authorization' : money(action.amount, request.currency)} on payment request ${esc(request.id)}`;
  else if (action.kind === 'void') what = `Void payment request ${esc(request.id)}: all ${money(request.amountCaptured, request.currency)} goes back to the patron`;
  else what = esc(what);
  const hidden = Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join('');
  const main = `<h1>Confirm</h1><p class="lead">${what}?</p>
<form method="post" action="/dashboard/payment-requests/${esc(request.id)}/actions/${kind}">${csrfField(state)}${hidden}<input type="hidden" name="confirmed" value="yes">
<div class="actions"><button type="submit" class="primary">Yes, ${VERBS[kind].toLowerCase()}</button> <a href="/dashboard/payment-requests/${esc(request.id)}">No, go back</a></div></form>`;
  return dashboardPage(state, { title: `Confirm ${kind}`, section: 'payments', main });
}

export function requestRoutes(fastify: FastifyInstance, deps: DashboardDeps): void {
  const ListQuery = listQuery(deps.sources);
  fastify.get('/dashboard/payment-requests', HIDDEN, async (request, reply) =>
    dashRoute(request, reply, 'payments', (state) => listPage(deps, state, queryOf(request, ListQuery))));

  fastify.get('/dashboard/payment-requests/:id', HIDDEN, async (request, reply) =>
    dashRoute(request, reply, 'payments', (state) => detailPage(deps, state, (request.params as { id: string }).id, queryOf(request, DetailQuery).done)));

  fastify.post('/dashboard/payment-requests/:id/actions/:kind', HIDDEN, async (request, reply) =>
    dashRoute(request, reply, 'payments', async (state) => {
      const { id, kind } = request.params as { id: string; kind: string };
      if (!(ACTIONS as readonly string[]).includes(kind)) throw new DomainError('not_found', `There is no action ${kind}.`);
      need(state, 'operate');
      const caller = callerOf(state.signedIn.user, state.livemode);
      const { request: current } = await requestDetail(deps.app, caller, id);
      const body = request.body;
      let action: RequestAction;
      const fields: Record<string, string> = {};
      if (kind === 'refund') {
        const reference = field(body, 'reference');
        if (!/^dash_[A-Za-z0-9_-]{8,40}$/.test(reference)) throw new DomainError('parameter_invalid', 'The form lost its refund reference: open the request again.', 'reference');
        const reason = field(body, 'reason').slice(0, 200);
        action = { kind: 'refund', amount: amountOf(field(body, 'amount'), current, 'amount'), reference, ...(reason ? { reason } : {}) };
        Object.assign(fields, { amount: field(body, 'amount'), reference, reason });
      } else if (kind === 'capture') {
        const text = field(body, 'amount').trim();
        action = { kind: 'capture', ...(text ? { amount: amountOf(text, current, 'amount') } : {}) };
        fields.amount = text;
      } else action = { kind: kind as 'cancel' | 'void' };
      if (field(body, 'confirmed') !== 'yes') return confirmPage(state, current, kind as ActionKind, action, fields);
      const result = await actOnRequest(deps.app, caller, id, action); // the caller names the user in the audit log
      const outcome = kind === 'refund' ? refundOutcome(result.refund) : kind;
      return seeOther(reply, `/dashboard/payment-requests/${encodeURIComponent(id)}?done=${outcome}`);
    }));
}
