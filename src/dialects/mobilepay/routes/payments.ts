// Payments: start (by terminal or PoS), prepare → ready, status and details, capture, cancel, and
// the lists a POS uses to find a paymentId it lost.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Caller } from '../../../app/context.js';
import type { Terminal, Tx } from '../../../app/ports/persistence.js';
import { inTransaction } from '../../../app/unit-of-work.js';
import { cancelRequest, captureRequest } from '../../../app/use-cases/pos-intents.js';
import {
  createPaymentRequest, getPaymentRequest, listCurrentPaymentRequests, readyPaymentRequest,
} from '../../../app/use-cases/payment-requests.js';
import { holdPointOfSale, terminalByName, terminalByPosId } from '../../../app/use-cases/points-of-sale.js';
import { DomainError } from '../../../core/errors.js';
import * as pr from '../../../core/payment-request.js';
import type { PaymentRequest } from '../../../core/payment-request.js';
import { fingerprint } from '../../shared/idempotency.js';
import { checkInUrlOf } from '../../shared/links.js';
import type { MobilePayDeps } from '../deps.js';
import { invalidParameter } from '../errors.js';
import { ANSWERS as a, PARAMS as d } from '../openapi.js';
import * as p from '../params.js';
import { guidOf, money, POLL_DELAY_MS, renderPaymentDetails } from '../render.js';
import { paymentStatusOf, STORED_STATUSES, type MobilePayStatus } from '../statuses.js';
import { operation } from '../transport.js';

const PAYMENT_METHODS = ['GET', 'POST'] as const;

/** Newest first: the requests with this orderId (and terminal) whose MobilePay status is `state` (any when absent). */
async function findPayments(deps: MobilePayDeps, caller: Caller, filter: { orderId?: string; terminalId?: string; state?: MobilePayStatus; activeOnly?: boolean }): Promise<PaymentRequest[]> {
  const statuses = filter.state ? STORED_STATUSES[filter.state] : filter.activeOnly ? pr.ACTIVE_STATUSES : undefined;
  // as they are now: one overdue is shown as it will be once the sweep expires it
  const found = await listCurrentPaymentRequests(deps.app, caller, { externalRef: filter.orderId, terminalId: filter.terminalId, statuses }, { limit: 100 });
  return found.items.filter((r) => (filter.state ? paymentStatusOf(r) === filter.state : !filter.activeOnly || pr.isActive(r.status)));
}

/** The core names its own ids; a MobilePay POS knows the active payment by its paymentId. */
async function oneActivePerPos<T>(create: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (error) {
    const activeId = error instanceof DomainError && error.code === 'terminal_busy' ? error.facts.activeId : undefined;
    if (typeof activeId !== 'string') throw error;
    throw new DomainError('terminal_busy', `Payment ${guidOf(activeId)} is already active on this PoS; cancel it (or let it finish) before starting another.`, 'terminalId', (error as DomainError).facts);
  }
}

function onePayment(found: PaymentRequest[], what: string): { paymentId: string } {
  const [latest] = found;
  if (!latest) throw new DomainError('not_found', `No payment ${what}.`, 'paymentId');
  return { paymentId: guidOf(latest.id) };
}

export function paymentRoutes(m: FastifyInstance, deps: MobilePayDeps): void {
  const { app } = deps;

  operation(m, app, { path: '/terminal/qrcode', operation: 'pos', doc: { id: 'getTerminalQrCode', summary: "The link to a PNG of the terminal's check-in QR code", tag: 'PointOfSalesPayments', params: { terminalId: d.terminalId }, answer: a.qrCode } }, async ({ params, caller }) => {
    const { terminalId } = p.read({ terminalId: p.terminalId }, params);
    const terminal = await terminalByName(app.db.read, caller, terminalId);
    return { qrCodeUrl: `${checkInUrlOf(deps.publicUrl, terminal.id)}/qr.png` };
  });

  const start = (caller: Caller, find: (tx: Tx) => Promise<Terminal>, input: { orderId: string; amount: string; currencyCode: string; userMinimumAge?: number }) => {
    const amount = p.minorUnits(input.amount, input.currencyCode);
    return oneActivePerPos(() => inTransaction(app, async (unit) => {
      const terminal = await find(unit.tx);
      await holdPointOfSale(unit, terminal); // payments need a PoS, kept until this one commits
      const created = await createPaymentRequest(unit, caller, {
        amount, currency: input.currencyCode, terminalId: terminal.id, captureMode: 'manual', expiresInSeconds: deps.paymentTimeoutSeconds,
        externalRef: input.orderId, minimumAge: input.userMinimumAge || undefined,
      }, fingerprint(input));
      return { paymentId: guidOf(created.request.id) };
    }));
  };
  const startFields = { orderId: p.orderId, amount: p.amount, currencyCode: p.currency, userMinimumAge: p.userMinimumAge };

  operation(m, app, { path: '/payment/start', methods: [...PAYMENT_METHODS], operation: 'payment', doc: { id: 'startPayment', summary: 'Start a payment on a terminal (one active payment per PoS)', tag: 'PointOfSalesPayments', params: { orderId: d.orderId, amount: d.amount, terminalId: d.terminalId, currencyCode: d.currencyCode.optional(), userMinimumAge: d.userMinimumAge.optional() }, answer: a.paymentId } }, async ({ params, caller }) => {
    const input = p.read({ ...startFields, terminalId: p.terminalId }, params);
    return start(caller, (tx) => terminalByName(tx, caller, input.terminalId), input);
  });

  operation(m, app, { path: '/payment/start/byPosId', methods: [...PAYMENT_METHODS], operation: 'payment', doc: { id: 'startPaymentByPosId', summary: 'Start a payment on a PoS by its posId (one active payment per PoS)', tag: 'PointOfSalesPayments', params: { orderId: d.orderId, amount: d.amount, posId: d.posId, currencyCode: d.currencyCode.optional(), userMinimumAge: d.userMinimumAge.optional() }, answer: a.paymentId } }, async ({ params, caller }) => {
    const input = p.read({ ...startFields, posId: p.posId }, params);
    return start(caller, (tx) => terminalByPosId(tx, caller, input.posId), input);
  });

  operation(m, app, { path: '/payment/prepare', methods: [...PAYMENT_METHODS], operation: 'payment', doc: { id: 'preparePayment', summary: 'Prepare a payment before its amount is known (then payment/ready)', tag: 'PointOfSalesPayments', params: { orderId: d.orderId, terminalId: d.terminalId }, answer: a.paymentId } }, async ({ params, caller }) => {
    const input = p.read({ orderId: p.orderId, terminalId: p.terminalId }, params);
    return oneActivePerPos(() => inTransaction(app, async (unit) => {
      // payments need a PoS: a terminal without one (never created, or deleted) cannot take them
      const terminal = await terminalByName(unit.tx, caller, input.terminalId);
      await holdPointOfSale(unit, terminal);
      const created = await createPaymentRequest(unit, caller, {
        currency: 'DKK', terminalId: terminal.id, captureMode: 'manual', expiresInSeconds: deps.paymentTimeoutSeconds, externalRef: input.orderId,
      }, fingerprint(input));
      return { paymentId: guidOf(created.request.id) };
    }));
  });

  operation(m, app, { path: '/payment/ready', methods: [...PAYMENT_METHODS], operation: 'ready', doc: { id: 'readyPayment', summary: 'Make a prepared payment ready for the user to approve, with its amount', tag: 'PointOfSalesPayments', params: { orderId: d.orderId, amount: d.amount, terminalId: d.terminalId, currencyCode: d.currencyCode.optional(), paymentId: d.paymentId, userMinimumAge: d.userMinimumAge.optional() }, answer: a.message } }, async ({ params, caller }) => {
    const input = p.read({ ...startFields, terminalId: p.terminalId, paymentId: p.paymentId }, params);
    const amount = p.minorUnits(input.amount, input.currencyCode);
    const id = p.paymentRequestIdOf(input.paymentId);
    await inTransaction(app, async (unit) => {
      const terminal = await terminalByName(unit.tx, caller, input.terminalId);
      // 0 or none: the age given at the start stands
      return readyPaymentRequest(unit, caller, id, { amount, currency: input.currencyCode, minimumAge: input.userMinimumAge || undefined },
        { terminalId: terminal.id, externalRef: input.orderId, externalRefParam: 'orderId' });
    });
    return { message: 'The payment is ready for the user to approve.' };
  });

  const readPayment = async (caller: Caller, params: Record<string, unknown>) => {
    const { paymentId } = p.read({ paymentId: p.paymentId }, params);
    return getPaymentRequest(app, caller, p.paymentRequestIdOf(paymentId));
  };

  operation(m, app, { path: '/payment/details', operation: 'payment', doc: { id: 'getPaymentDetails', summary: "A payment's details", tag: 'PointOfSalesPayments', params: { paymentId: d.paymentId }, answer: a.paymentDetails } }, async ({ params, caller }) => {
    const request = await readPayment(caller, params);
    return renderPaymentDetails(request, (await app.db.read.getTerminal(request.terminalId)) as Terminal);
  });

  operation(m, app, { path: '/payment/status', operation: 'payment', doc: { id: 'getPaymentStatus', summary: "A payment's status", tag: 'PointOfSalesPayments', params: { paymentId: d.paymentId }, answer: a.paymentStatus } }, async ({ params, caller }) => {
    const request = await readPayment(caller, params);
    return { status: paymentStatusOf(request), pollDelayInMs: POLL_DELAY_MS };
  });

  operation(m, app, { path: '/payments', operation: 'payment', doc: { id: 'listPayments', summary: 'The paymentIds of the active payments, or of those in a state', tag: 'PointOfSalesPayments', params: { state: d.state.optional(), orderId: d.orderId.optional(), terminalId: d.terminalId.optional() }, answer: a.paymentIds } }, async ({ params, caller }) => {
    const input = p.read({ state: p.optional(p.status('state')), orderId: p.optional(p.orderId), terminalId: p.optional(p.terminalId) }, params);
    const terminal = input.terminalId === undefined ? undefined : await terminalByName(app.db.read, caller, input.terminalId);
    const found = await findPayments(deps, caller, { orderId: input.orderId, terminalId: terminal?.id, state: input.state, activeOnly: input.state === undefined });
    return { paymentIds: found.map((r) => guidOf(r.id)) };
  });

  operation(m, app, { path: '/payment/capture', operation: 'capture', doc: { id: 'capturePayment', summary: 'Capture a Reserved payment, in full or in part', tag: 'PointOfSalesPayments', params: { paymentId: d.paymentId, amount: d.amount.optional().describe('At most the reserved amount (the whole of it when absent); the rest is released') }, answer: a.capture } }, async ({ params, caller }) => {
    const input = p.read({ paymentId: p.paymentId, amount: p.optional(p.amount) }, params);
    const id = p.paymentRequestIdOf(input.paymentId);
    // MobilePay captures are naturally idempotent: the same capture again changes nothing
    const amount = input.amount === undefined ? undefined : (currency: string) => p.minorUnits(input.amount!, currency);
    const captured = await inTransaction(app, (unit) => captureRequest(unit, caller, id, { amount, again: true }));
    return { status: paymentStatusOf(captured), capturedAmount: money(captured.amountCaptured, captured.currency) };
  });

  operation(m, app, { path: '/payment/cancel', operation: 'cancel', doc: { id: 'cancelPayment', summary: 'Cancel a payment that is not Captured', tag: 'PointOfSalesPayments', params: { paymentId: d.paymentId }, answer: a.status } }, async ({ params, caller }) => {
    const { paymentId } = p.read({ paymentId: p.paymentId }, params);
    const id = p.paymentRequestIdOf(paymentId);
    // "You can cancel a payment at any state but not when you have already Capture a payment": one
    // that already ended unpaid (by the client, the user, expiry) is answered as it is, unchanged
    const cancelled = await inTransaction(app, (unit) => cancelRequest(unit, caller, id, { again: 'unpaid_end' }));
    return { status: paymentStatusOf(cancelled) };
  });

  operation(m, app, { path: '/payment/id/retrieve/bystate', operation: 'payment', doc: { id: 'retrievePaymentIdByState', summary: 'The paymentId of the latest Captured payment with an orderId', tag: 'PointOfSalesPayments', params: { orderId: d.orderId, state: z.enum(['Captured']).describe('Captured: the only state accepted') }, answer: a.paymentId } }, async ({ params, caller }) => {
    const input = p.read({ orderId: p.orderId, state: p.status('state') }, params);
    if (input.state !== 'Captured') throw invalidParameter('state', 'state must be Captured: only a Captured payment can be found by orderId alone.');
    return onePayment(await findPayments(deps, caller, { orderId: input.orderId, state: 'Captured' }), `Captured with orderId ${input.orderId}`);
  });

  operation(m, app, { path: '/payment/id/retrieve/byterminal', operation: 'payment', doc: { id: 'retrievePaymentIdByTerminal', summary: 'The paymentId of the latest payment with an orderId on a terminal', tag: 'PointOfSalesPayments', params: { orderId: d.orderId, terminalId: d.terminalId, paymentState: d.paymentState.optional() }, answer: a.paymentId } }, async ({ params, caller }) => {
    const input = p.read({ orderId: p.orderId, terminalId: p.terminalId, paymentState: p.optional(p.status('paymentState')) }, params);
    const terminal = await terminalByName(app.db.read, caller, input.terminalId);
    const found = await findPayments(deps, caller, { orderId: input.orderId, terminalId: terminal.id, state: input.paymentState });
    return onePayment(found, `with orderId ${input.orderId} on terminal ${input.terminalId}${input.paymentState ? ` in state ${input.paymentState}` : ''}`);
  });

  operation(m, app, { path: '/payment/id/retrieve/byposId', operation: 'payment', doc: { id: 'retrievePaymentIdByPosId', summary: 'The paymentId of the latest payment with an orderId on a PoS', tag: 'PointOfSalesPayments', params: { orderId: d.orderId, posId: d.posId, paymentState: d.paymentState.optional() }, answer: a.paymentId } }, async ({ params, caller }) => {
    const input = p.read({ orderId: p.orderId, posId: p.posId, paymentState: p.optional(p.status('paymentState')) }, params);
    const terminal = await terminalByPosId(app.db.read, caller, input.posId);
    const found = await findPayments(deps, caller, { orderId: input.orderId, terminalId: terminal.id, state: input.paymentState });
    return onePayment(found, `with orderId ${input.orderId} on PoS ${input.posId}${input.paymentState ? ` in state ${input.paymentState}` : ''}`);
  });
}
