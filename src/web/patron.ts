// The sandbox patron's phone: a page with a rotating, single-use patron code (QR and Code 128) and
// the requests pushed to the patron; and the check-in page a terminal's static QR code opens.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { App } from '../app/context.js';
import { inTransaction } from '../app/unit-of-work.js';
import { checkInAtTerminal, patronDecidesOnRequest, patronPage, type PatronPage } from '../app/use-cases/patron-side.js';
import { DomainError } from '../core/errors.js';
import type { PaymentRequest } from '../core/payment-request.js';
import { code128Svg } from './code128.js';
import { esc, jsonBlock, page } from './html.js';
import { abortOnClose, htmlRoute, noStore } from './http.js';
import { waitUntil } from '../app/wait.js';
import { qrPng, qrSvg } from './qr.js';
import { checkInUrlOf } from '../dialects/shared/links.js';
import * as s from './schemas.js';
import { patronState, patronVersion, type PatronStateJson } from './views.js';

function readPatron(app: App, patronId: string): Promise<PatronPage> {
  return inTransaction(app, (unit) => patronPage(unit, patronId));
}

async function renderPatron(view: PatronPage): Promise<PatronStateJson> {
  const code = view.code.code;
  return patronState(view, view.merchant.name, {
    qrSvg: await qrSvg(code, `QR code of your patron code ${code}`),
    barcodeSvg: code128Svg(code, { label: `Barcode of your patron code ${code}` }),
  });
}

function patronHtml(state: PatronStateJson): string {
  const main = `
<header class="card head">
  <p class="eyebrow">Sandbox patron · ${esc(state.merchant.name)}</p>
  <h1>${esc(state.patron.name)}</h1>
  <p class="badge">Test mode</p>
</header>
<section class="card code-card" aria-labelledby="code-h">
  <h2 id="code-h">Your patron code</h2>
  <p class="hint">Show this to the cashier, who scans the QR code or the barcode. Each code works once and changes every minute.</p>
  <div class="qr" data-testid="patron-qr">${state.qrSvg}</div>
  <div class="barcode" data-testid="patron-barcode">${state.barcodeSvg}</div>
  <p class="code mono" data-testid="patron-code">${esc(state.code)}</p>
  <p class="hint" data-testid="code-expires"></p>
</section>
<section class="card" aria-labelledby="requests-h">
  <h2 id="requests-h">Payment requests</h2>
  <p id="no-requests" class="hint"${state.requests.length ? ' hidden' : ''}>None yet. When the cashier scans your code, or you check in at a till, the request appears here.</p>
  <ul id="requests" class="requests"></ul>
</section>
<p id="message" class="message" role="alert"></p>
<p id="announce" class="visually-hidden" role="status" aria-live="polite"></p>
<p id="connection" class="connection" hidden>Reconnecting…</p>`;
  return page({
    title: `${state.patron.name} · sandbox patron`,
    bodyClass: 'page-patron',
    mainAttributes: `id="patron" data-patron-id="${esc(state.patron.id)}"`,
    main,
    scripts: ['patron.js'],
    data: jsonBlock('initial-state', state),
  });
}

function checkInHtml(terminal: { id: string; name: string }, merchantName: string): string {
  const main = `
<header class="card head">
  <p class="eyebrow">Check in</p>
  <h1>${esc(merchantName)}</h1>
  <p>Till ${esc(terminal.name)}</p>
</header>
<section class="card">
  <p>Check in to pay at this till from your phone: when the cashier starts the payment, it appears on your page for you to approve.</p>
  <p class="hint">Sandbox: checking in makes you a test patron of this merchant (no real money moves).</p>
  <button id="check-in" type="button" class="primary">Check in</button>
</section>
<p id="message" class="message" role="alert"></p>`;
  return page({
    title: `Check in · ${merchantName}`,
    bodyClass: 'page-check-in',
    mainAttributes: `id="check-in-page" data-terminal-id="${esc(terminal.id)}"`,
    main,
    scripts: ['check-in.js'],
  });
}

export function patronRoutes(fastify: FastifyInstance, deps: { app: App; readonly publicUrl: string }, closing: AbortSignal): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  const app = deps.app;

  r.get('/patron/:id', { schema: { hide: true, params: s.IdParams } }, async (req, reply) =>
    htmlRoute(req, reply, async () => patronHtml(await renderPatron(await readPatron(app, req.params.id)))));

  r.get('/patron/:id/state', { schema: { hide: true, params: s.IdParams, querystring: s.PatronStateQuery } }, async (req, reply) => {
    noStore(reply);
    const patronId = req.params.id;
    const read = await waitUntil({
      read: () => readPatron(app, patronId),
      // the client's token (state version) moved on, or it asked for the state now
      done: (value) => req.query.version === undefined || patronVersion(value) !== req.query.version,
      waitMs: (req.query.waitSeconds ?? 0) * 1000,
      subscribe: (wake) => app.feed.subscribeAll((event) => {
        if (event.objectType === 'payment_request' && (event.data as PaymentRequest).patronId === patronId) wake();
      }),
      signal: abortOnClose(reply, closing),
    });
    return renderPatron(read);
  });

  r.post('/patron/:id/requests/:requestId/decision', { schema: { hide: true, params: s.PatronRequestParams, body: s.PatronDecisionBody } }, async (req, reply) => {
    noStore(reply);
    await inTransaction(app, (unit) => patronDecidesOnRequest(unit, req.params.id, req.params.requestId, req.body.outcome));
    return renderPatron(await readPatron(app, req.params.id));
  });

  r.get('/check-in/:terminalId', { schema: { hide: true, params: s.TerminalParams } }, async (req, reply) =>
    htmlRoute(req, reply, async () => {
      const terminal = await app.db.read.getTerminal(req.params.terminalId);
      const merchant = terminal ? await app.db.read.getMerchant(terminal.merchantId) : null;
      if (!terminal || !merchant) throw new DomainError('not_found', `No terminal ${req.params.terminalId}.`);
      return checkInHtml(terminal, merchant.name);
    }));

  // public like the page it points to: the POS prints or shows it at the till
  r.get('/check-in/:terminalId/qr.png', { schema: { hide: true, params: s.TerminalParams } }, async (req, reply) => {
    const terminal = await app.db.read.getTerminal(req.params.terminalId);
    if (!terminal) throw new DomainError('not_found', `No terminal ${req.params.terminalId}.`);
    return reply.type('image/png').header('cache-control', 'public, max-age=300').send(await qrPng(checkInUrlOf(deps.publicUrl, terminal.id)));
  });

  r.post('/check-in/:terminalId', { schema: { hide: true, params: s.TerminalParams, body: s.CheckInBody } }, async (req, reply) => {
    noStore(reply);
    const result = await inTransaction(app, (unit) => checkInAtTerminal(unit, req.params.terminalId, req.body.patronId));
    return {
      object: 'check_in' as const,
      terminalId: req.params.terminalId,
      patronId: result.patronId,
      patronUrl: `/patron/${result.patronId}`,
      paymentRequestId: result.request?.id ?? null,
    };
  });
}
