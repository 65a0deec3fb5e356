// The pay page: GET /pay/:id (the payUrl every QR code encodes), its live state and the patron's actions.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { App } from '../app/context.js';
import { CHANNELS, MOBILE_MONEY_PROVIDERS, type Channel } from '../app/ports/connector.js';
import { inTransaction } from '../app/unit-of-work.js';
import { patronChooses, patronDecides, publicView, viewOf, waitPublicView } from '../app/use-cases/patron-side.js';
import { minorToDecimal } from '../core/money.js';
import { esc, jsonBlock, page } from './html.js';
import { abortOnClose, htmlRoute, noStore } from './http.js';
import * as s from './schemas.js';
import { publicState, type PublicState } from './views.js';

export const CHANNEL_LABELS: Record<Channel, string> = {
  card: 'Card',
  mobile_money: 'Mobile money',
  bank_transfer: 'Bank transfer',
  wallet: 'Wallet app',
  crypto: 'Bitcoin',
};

const PROVIDER_LABELS: Record<(typeof MOBILE_MONEY_PROVIDERS)[number], string> = {
  MTN: 'MTN Mobile Money',
  VODAFONE: 'Vodafone Cash',
  AIRTELTIGO: 'AirtelTigo Money',
};

/** Server-side text of an amount, for the first paint; the browser re-formats it with Intl. */
function plainAmount(minor: number | null, currency: string, exponent: number): string {
  return minor === null ? 'Amount to follow' : `${minorToDecimal(minor, exponent)} ${currency}`;
}

function channelButtons(state: PublicState): string {
  const allowed = state.allowedMethods ?? [...CHANNELS];
  return CHANNELS.filter((c) => allowed.includes(c))
    .map((c) => `<button type="button" class="channel" data-channel="${c}" aria-pressed="false">${esc(CHANNEL_LABELS[c])}</button>`)
    .join('');
}

export function payPageHtml(state: PublicState): string {
  const active = state.statusKey === 'waiting';
  const items = state.lineItems
    .map((item) => `<li><span class="item-name">${esc(item.name)}</span> <span class="item-qty">× ${esc(item.quantity)}</span> <span class="item-total">${esc(plainAmount(item.total, state.currency, state.exponent))}</span></li>`)
    .join('');
  const main = `
<header class="card head">
  <p class="eyebrow">Payment to</p>
  <h1>${esc(state.merchant.name)}</h1>
  <p class="amount" data-testid="amount">${esc(plainAmount(state.amount, state.currency, state.exponent))}</p>
  <p class="description" id="description"${state.description ? '' : ' hidden'}>${esc(state.description ?? '')}</p>
  ${state.livemode ? '' : '<p class="badge" id="test-badge">Test mode</p>'}
</header>
<section class="card status-card" aria-label="Status">
  <p class="status" data-testid="status" data-state="${esc(state.statusKey)}" role="status" aria-live="polite">${esc(state.statusText)}</p>
  <p class="time-left" data-testid="time-left"${active ? '' : ' hidden'}></p>
  <p id="redirect-row" hidden><a id="redirect" rel="noreferrer">Return to the merchant</a></p>
</section>
<section class="card" id="progress" aria-labelledby="progress-h">
  <h2 id="progress-h">Payment</h2>
  <dl class="figures">
    <div><dt>Paid so far</dt><dd data-testid="received">${esc(plainAmount(state.amountReceived, state.currency, state.exponent))}</dd></div>
    <div><dt>Still to pay</dt><dd data-testid="remaining">${esc(plainAmount(state.remaining, state.currency, state.exponent))}</dd></div>
    <div id="overpaid-row"${state.overpaid ? '' : ' hidden'}><dt>Overpaid by</dt><dd data-testid="overpaid">${esc(plainAmount(state.overpaidAmount, state.currency, state.exponent))}</dd></div>
  </dl>
  <p id="basket" class="hint" hidden></p>
</section>
<section class="card" id="items" aria-labelledby="items-h"${state.lineItems.length ? '' : ' hidden'}>
  <h2 id="items-h">Items</h2>
  <ul class="items" data-testid="line-items">${items}</ul>
</section>
<section class="card" id="methods" aria-labelledby="methods-h"${active && state.amount !== null ? '' : ' hidden'}>
  <h2 id="methods-h">Choose how to pay</h2>
  <div class="channels" role="group" aria-labelledby="methods-h">${channelButtons(state)}</div>
  <div id="panel-card" class="panel" hidden>
    <p data-testid="card-note"></p>
  </div>
  <form id="panel-mobile_money" class="panel" hidden novalidate>
    <label for="provider">Mobile money network</label>
    <select id="provider" name="provider">${MOBILE_MONEY_PROVIDERS.map((p) => `<option value="${p}">${esc(PROVIDER_LABELS[p])}</option>`).join('')}</select>
    <label for="phone">Phone number</label>
    <input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" aria-describedby="phone-hint">
    <p id="phone-hint" class="hint">A payment prompt is sent to this number; approve it on the phone.</p>
    <button id="send-prompt" type="submit" class="primary">Send payment prompt</button>
    <p class="note" data-testid="prompt-status"></p>
  </form>
  <div id="panel-bank_transfer" class="panel" hidden>
    <p>Transfer exactly <strong data-testid="transfer-amount"></strong> to:</p>
    <dl class="figures">
      <div><dt>Bank</dt><dd data-testid="bank-name"></dd></div>
      <div><dt>Account number</dt><dd class="mono" data-testid="account-number"></dd></div>
      <div><dt>Account name</dt><dd data-testid="account-name"></dd></div>
    </dl>
  </div>
  <div id="panel-wallet" class="panel" hidden>
    <p data-testid="wallet-note"></p>
  </div>
  <div id="panel-crypto" class="panel" hidden>
    <label for="network">Bitcoin network</label>
    <select id="network" name="network"><option value="onchain">Bitcoin (on-chain)</option><option value="lightning">Lightning</option></select>
    <dl class="figures">
      <div><dt>Send exactly</dt><dd class="mono" data-testid="crypto-amount"></dd></div>
      <div><dt>Exchange rate</dt><dd data-testid="crypto-rate"></dd></div>
      <div id="crypto-address-row"><dt>Address</dt><dd class="mono break" data-testid="crypto-address"></dd></div>
      <div id="crypto-invoice-row" hidden><dt>Lightning invoice</dt><dd class="mono break" data-testid="crypto-invoice"></dd></div>
      <div><dt>Quote</dt><dd data-testid="quote-expires"></dd></div>
    </dl>
    <button id="refresh-quote" type="button" class="primary" hidden>Refresh quote</button>
  </div>
</section>
<section class="card" id="sandbox" aria-labelledby="sandbox-h"${!state.livemode && active && state.amount !== null ? '' : ' hidden'}>
  <h2 id="sandbox-h">Sandbox patron</h2>
  <p class="hint">Test mode: no real money moves. Approve or decline as the patron would.</p>
  <div id="partial-row"${state.partialAllowed ? '' : ' hidden'}>
    <label for="partial-amount">Amount to pay now (${esc(state.currency)})</label>
    <input id="partial-amount" name="partial-amount" type="text" inputmode="decimal" autocomplete="off" aria-describedby="partial-hint">
    <p id="partial-hint" class="hint">Leave empty to pay all that is still owed.</p>
  </div>
  <div class="actions">
    <button id="approve" type="button" class="primary"${state.livemode ? ' hidden' : ''}>Approve payment</button>
    <button id="decline" type="button" class="secondary"${state.livemode ? ' hidden' : ''}>Decline</button>
  </div>
</section>
<p id="live-note" class="card note"${state.livemode && active ? '' : ' hidden'}>This is a live payment: the sandbox buttons are not available. Complete it with the payment method you chose; this page updates by itself.</p>
<p id="message" class="message" role="alert"></p>
<p id="connection" class="connection" hidden>Reconnecting…</p>
<footer class="foot">Payment code ${esc(state.shortCode)} · posgate</footer>`;
  return page({
    title: `Pay ${state.merchant.name}`,
    bodyClass: 'page-pay',
    mainAttributes: `id="pay" data-request-id="${esc(state.id)}"`,
    main,
    scripts: ['pay.js'],
    data: jsonBlock('initial-state', state),
  });
}


export function payRoutes(fastify: FastifyInstance, app: App, closing: AbortSignal): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();

  r.get('/pay/:id', { schema: { hide: true, params: s.IdParams } }, async (req, reply) =>
    htmlRoute(req, reply, async () => payPageHtml(publicState(await publicView(app, req.params.id)))));

  r.get('/pay/:id/state', { schema: { hide: true, params: s.IdParams, querystring: s.PayStateQuery } }, async (req, reply) => {
    noStore(reply);
    const { version, waitSeconds } = req.query;
    // a poll ends with its client, or when the server closes
    const view = version === undefined ? await publicView(app, req.params.id) : await waitPublicView(app, req.params.id, version, waitSeconds ?? 0, abortOnClose(reply, closing));
    return publicState(view);
  });

  r.post('/pay/:id/method', { schema: { hide: true, params: s.IdParams, body: s.ChooseBody } }, async (req, reply) => {
    noStore(reply);
    return publicState(await inTransaction(app, async (unit) => viewOf(unit, await patronChooses(unit, req.params.id, req.body))));
  });

  r.post('/pay/:id/decision', { schema: { hide: true, params: s.IdParams, body: s.DecisionBody } }, async (req, reply) => {
    noStore(reply);
    return publicState(await inTransaction(app, async (unit) => viewOf(unit, await patronDecides(unit, req.params.id, req.body))));
  });
}
