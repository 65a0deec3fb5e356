// The customer-facing display: a screen at the till that shows the terminal's check-in QR when idle,
// the active request's amount and pay QR, then the outcome. Authenticated by a terminal key (or the
// merchant's secret key) in ?key= or an Authorization header.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { App, Caller } from '../app/context.js';
import { authenticate } from '../app/use-cases/merchants.js';
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

async function displayCaller(app: App, request: FastifyRequest, key: string | undefined): Promise<Caller> {
  const presented = key ?? bearerToken(request);
  if (!presented) throw new DomainError('missing_api_key', 'No key: open the display as /display/{terminalId}?key=<terminal key>.');
  return authenticate(app, presented);
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
      const caller = await displayCaller(app, req, req.query.key);
      const view = await displayView(app, caller, req.params.terminalId);
      const checkInQr = await qrSvg(checkInUrlOf(deps.publicUrl, view.terminal.id), 'QR code: scan to check in at this till');
      return displayHtml(await renderState(deps, view), checkInQr);
    }));

  r.get('/display/:terminalId/state', { schema: { hide: true, params: s.TerminalParams, querystring: s.DisplayStateQuery } }, async (req, reply) => {
    noStore(reply);
    const caller = await displayCaller(app, req, req.query.key);
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
