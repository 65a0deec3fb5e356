// What the patron's pages do: read a request by its unguessable id (the payUrl), pick a channel,
// and in the sandbox approve or decline; a terminal's customer display; a sandbox patron's page.
// Nothing here needs an API key: possession of the request, terminal display key or patron id is the credential.
import { DomainError } from '../../core/errors.js';
import * as pr from '../../core/payment-request.js';
import type { PaymentRequest } from '../../core/payment-request.js';
import { loadTerminal, notFound } from '../access.js';
import type { App, Caller } from '../context.js';
import type { Channel, ChannelChoice } from '../ports/connector.js';
import type { Merchant, Patron, PatronCode, Terminal } from '../ports/persistence.js';
import { nowFor } from '../time.js';
import { inTransaction, type Work } from '../unit-of-work.js';
import { waitUntil } from '../wait.js';
import { assertQuoteCurrent, channelsFor, choose, refreshInstructions } from './channels.js';
import { asOfNow } from './payment-requests.js';
import { currentCode } from './patrons.js';
import { patronAct, type PatronOutcome } from './patron-payments.js';
import { checkIn } from './sandbox.js';

export interface PublicView {
  request: PaymentRequest;
  /** The channels the patron is offered for this request. */
  channels: Channel[];
  merchant: Merchant;
  /** The merchant's now (its test clock in test mode): what "time left" is counted from. */
  now: number;
}

/** The sandbox acts for a patron of the request's merchant in test mode. */
function patronCaller(merchantId: string): Caller {
  return { merchantId, livemode: false, terminalId: null, credentialId: 'patron', kind: 'secret' };
}

async function lockCurrent(unit: Work, id: string): Promise<{ request: PaymentRequest; now: number }> {
  const loaded = await unit.tx.lockPaymentRequest(id);
  if (!loaded) throw notFound('payment request', id);
  return asOfNow(unit, loaded);
}

/** The public view of a request as it is inside this unit of work. */
export async function viewOf(unit: Work, request: PaymentRequest): Promise<PublicView> {
  const merchant = await unit.tx.getMerchant(request.merchantId);
  if (!merchant) throw new DomainError('not_found', `No payment request ${request.id}.`);
  return { request, merchant, now: nowFor(unit.app, merchant, request.livemode), channels: channelsFor(unit.app.connector.channels(request), request) };
}

export async function publicView(app: App, id: string): Promise<PublicView> {
  return inTransaction(app, async (unit) => {
    const current = await lockCurrent(unit, id);
    return viewOf(unit, await refreshInstructions(unit, current.request, current.now)); // e.g. a crypto quote that ran out
  });
}

/** Waits (≤ waitSeconds, real time) until the request's version is past `version`: the pay page's live update. */
export async function waitPublicView(app: App, id: string, version: number, waitSeconds: number, signal?: AbortSignal): Promise<PublicView> {
  return waitUntil({
    read: () => publicView(app, id),
    done: (view) => view.request.version > version,
    waitMs: waitSeconds * 1000,
    subscribe: (wake) => app.feed.subscribe(id, wake),
    signal,
  });
}

export async function patronChooses(unit: Work, id: string, choice: ChannelChoice): Promise<PaymentRequest> {
  const { request, now } = await lockCurrent(unit, id);
  // a live request's channel is the real provider's business; the page may only read it
  if (request.livemode) throw new DomainError('test_mode_only', 'Only test-mode requests can be paid on the sandbox pay page.');
  return choose(unit, request, choice, now);
}

/** The sandbox patron approves (all or `amount`) or declines or cancels on the pay page. */
export async function patronDecides(unit: Work, id: string, input: { outcome: PatronOutcome; amount?: number }): Promise<PaymentRequest> {
  const { request, now } = await lockCurrent(unit, id);
  if (request.livemode) throw new DomainError('test_mode_only', 'Only test-mode requests can be paid on the sandbox pay page.');
  if (input.outcome === 'approve') assertQuoteCurrent(request, now);
  return patronAct(unit, request, { outcome: input.outcome, amount: input.amount }, now);
}

export interface DisplayView {
  terminal: Terminal;
  /** The active request, or the last one if it ended within the last minute (to show its outcome); else null (idle). */
  request: PaymentRequest | null;
  merchant: Merchant;
  now: number;
}

/** How long the display keeps showing an outcome before it returns to idle. */
export const OUTCOME_SHOWN_MS = 60_000;

export async function displayView(app: App, caller: Caller, terminalId: string): Promise<DisplayView> {
  const terminal = await loadTerminal(app.db.read, caller, terminalId);
  const merchant = await app.db.read.getMerchant(terminal.merchantId);
  if (!merchant) throw new DomainError('not_found', `No terminal ${terminalId}.`);
  const newest = (await app.db.read.listPaymentRequests({ merchantId: caller.merchantId, livemode: caller.livemode, terminalId }, { limit: 1 })).items[0];
  const current = newest ? (await publicView(app, newest.id)).request : null;
  const now = nowFor(app, merchant, caller.livemode);
  const shown = current && (pr.isActive(current.status) || now - current.updatedAt <= OUTCOME_SHOWN_MS) ? current : null;
  return { terminal, request: shown, merchant, now };
}

export interface PatronPage {
  patron: Patron;
  merchant: Merchant;
  code: PatronCode;
  /** Requests pushed to this patron (by their code or a check-in), newest first. */
  requests: PaymentRequest[];
  now: number;
}

async function loadSandboxPatron(unit: Work, patronId: string): Promise<Patron> {
  const patron = await unit.tx.getPatron(patronId);
  if (!patron || patron.livemode) throw new DomainError('not_found', `No patron ${patronId}.`);
  return patron;
}

export async function patronPage(unit: Work, patronId: string): Promise<PatronPage> {
  const patron = await loadSandboxPatron(unit, patronId);
  const merchant = await unit.tx.getMerchant(patron.merchantId);
  if (!merchant) throw notFound('patron', patronId);
  const now = nowFor(unit.app, merchant, false);
  const requests = await unit.tx.listPaymentRequests({ merchantId: patron.merchantId, livemode: false, patronId: patron.id }, { limit: 10 });
  return { patron, merchant, code: await currentCode(unit, patron, now), requests: requests.items, now };
}

/** The patron approves or declines a request pushed to them. */
export async function patronDecidesOnRequest(unit: Work, patronId: string, requestId: string, outcome: PatronOutcome): Promise<PaymentRequest> {
  await loadSandboxPatron(unit, patronId);
  const current = await unit.tx.getPaymentRequest(requestId);
  if (!current || current.patronId !== patronId) throw new DomainError('not_found', `No payment request ${requestId} for this patron.`);
  return patronDecides(unit, requestId, { outcome });
}

/** Scanning a terminal's check-in QR: a sandbox patron (new, or `patronId`) checks in there. */
export async function checkInAtTerminal(unit: Work, terminalId: string, patronId?: string): Promise<{ patronId: string; request: PaymentRequest | null }> {
  const terminal = await unit.tx.getTerminal(terminalId);
  if (!terminal) throw new DomainError('not_found', `No terminal ${terminalId}.`);
  const result = await checkIn(unit, patronCaller(terminal.merchantId), terminal.id, patronId ? { patronId } : {});
  return { patronId: result.patronId, request: result.paymentRequest };
}
