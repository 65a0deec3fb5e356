// The customer-facing display: a screen at the till that shows the terminal's check-in QR when idle,
// the active request's amount and pay QR, then the outcome. Authenticated by a display token in
// ?token= (it can show this terminal's display and nothing else); an API key is taken only in an
// Authorization header, and an address with an API key in it is refused (a screen facing customers).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { App, Caller } from '../app/context.js';
import { authenticate } from '../app/use-cases/merchants.js';
import { displayTokenCaller, isDisplayToken } from '../app/use-cases/display-tokens.js';
import { displayView, type DisplayView } from '../app/use-cases/patron-side.js';
import { DomainError } from '../core/errors.js';
import { bearerToken } from '../dialects/shared/auth.js';
import { checkInUrlOf, payUrlOf } from '../dialects/shared/links.js';
import { esc, jsonBlock, page } from './html.js';
import { abortOnClose, htmlRoute, noStore } from './http.js';
import { waitUntil } from '../app/wait.js';
import { qrSvg } from './qr.js';
import * as s from './schemas.js';
import { displayState, displayVersion } from './views.js';

export interface DisplayDeps {
  app: App;
  readonly publicUrl: string;
}

const KEY_IN_ADDRESS = 'A display address never carries an API key (a key that can create payment requests, on a screen facing customers): open /display/{terminalId}?token=<display token>, made in the dashboard (Terminals & keys) or with posgate display-tokens create.';

async function displayCaller(app: App, request: FastifyRequest, terminalId: string, query: { token?: string; key?: string }): Promise<Caller> {
  if (query.key !== undefined || (query.token !== undefined && !isDisplayToken(query.token))) throw new DomainError('invalid_api_key', KEY_IN_ADDRESS);
  const presented = query.token ?? bearerToken(request);
  if (!presented) throw new DomainError('missing_api_key', 'No display token: open the display as /display/{terminalId}?token=<display token>.');
  if (isDisplayToken(presented)) return displayTokenCaller(app, presented, terminalId);
  return authenticate(app, presented, 'display');
}

async function renderState(deps: DisplayDeps, view: DisplayView) {
  const active = view.request !== null && displayVersion(view.request).startsWith('active:');
  const payUrl = view.request ? payUrlOf(deps.publicUrl, view.request.id) : null;
  const payQrSvg = active && payUrl ? await qrSvg(payUrl, 'QR code: scan to pay') : null;
  return displayState(view, { payUrl, payQrSvg });
}

function displayHtml(state: Awaited<ReturnType<typeof renderState>>, checkInQr: string): string {
  const main = `
<h1 class="merchant">${esc(state.merchant.name)}</h1>
<div class="display" data-testid="display-state" data-state="${esc(state.state)}">
  <section id="screen-idle" class="screen"${state.state === 'idle' ? '' : ' hidden'}>
    <p class="lead">Welcome! Scan to check in with your phone.</p>
    <div class="qr" data-testid="checkin-qr">${checkInQr}</div>
    <p class="hint">Till ${esc(state.terminal.name)}</p>
  </section>
  <section id="screen-active" class="screen" hidden>
    <p class="lead">Amount to pay</p>
    <p class="amount big" data-testid="amount"></p>
    <div class="qr" data-testid="pay-qr"></div>
    <p class="lead">Scan with your phone camera to pay</p>
    <p class="hint">or enter the code <span class="mono" data-testid="short-code"></span></p>
    <p class="hint" id="display-progress" hidden></p>
  </section>
  <section id="screen-outcome" class="screen" hidden>
    <p class="outcome" data-testid="outcome"></p>
    <p class="amount" data-testid="outcome-amount"></p>
  </section>
</div>
<p id="announce" class="visually-hidden" role="status" aria-live="polite"></p>
<p id="connection" class="connection" hidden>Reconnecting…</p>`;
  return page({
    title: `${state.merchant.name} · customer display`,
    bodyClass: 'page-display',
    mainAttributes: `id="display" data-terminal-id="${esc(state.terminal.id)}"`,
    main,
    scripts: ['display.js'],
    data: jsonBlock('initial-state', state),
  });
}

export function displayRoutes(fastify: FastifyInstance, deps: DisplayDeps, closing: AbortSignal): void {
  const { app } = deps;
  const r = fastify.withTypeProvider<ZodTypeProvider>();

  r.get('/display/:terminalId', { schema: { hide: true, params: s.TerminalParams, querystring: s.DisplayQuery } }, async (req, reply) =>
    htmlRoute(req, reply, async () => {
      const caller = await displayCaller(app, req, req.params.terminalId, req.query);
      const view = await displayView(app, caller, req.params.terminalId);
      const checkInQr = await qrSvg(checkInUrlOf(deps.publicUrl, view.terminal.id), 'QR code: scan to check in at this till');
      return displayHtml(await renderState(deps, view), checkInQr);
    }));

  r.get('/display/:terminalId/state', { schema: { hide: true, params: s.TerminalParams, querystring: s.DisplayStateQuery } }, async (req, reply) => {
    noStore(reply);
    const caller = await displayCaller(app, req, req.params.terminalId, req.query);
    const terminalId = req.params.terminalId;
    const view = await waitUntil({
      read: () => displayView(app, caller, terminalId),
      // the client's token (state version) moved on, or it asked for the state now
      done: (v) => req.query.version === undefined || displayVersion(v.request) !== req.query.version,
      waitMs: (req.query.waitSeconds ?? 0) * 1000,
      subscribe: (wake) => app.feed.subscribeAll((event) => {
        if (event.terminalId === terminalId) wake();
      }),
      signal: abortOnClose(reply, closing),
    });
    return renderState(deps, view);
  });
}
