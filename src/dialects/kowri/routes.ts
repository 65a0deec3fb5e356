// Kowri's WebPOS operations under /kowri/webpos: every one a POST with the common body fields.
import type { FastifyInstance } from 'fastify';
import { receiveChannelPayment, receiveChannelRefusal } from '../../app/use-cases/channel-events.js';
import { assertCreatable, cancelPaymentRequest, getPaymentRequest, loadCurrent } from '../../app/use-cases/payment-requests.js';
import { publicView } from '../../app/use-cases/patron-side.js';
import { amounts } from '../../core/amounts.js';
import { DomainError } from '../../core/errors.js';
import type { PaymentRequest } from '../../core/payment-request.js';
import { cedisNumber } from './amounts.js';
import type { KowriCaller } from './credentials.js';
import { asInvoice, requestIdOf, type InvoiceKey } from './find.js';
import { makeInvoice, webhookUrlOf } from './invoices.js';
import { PAY_OPTIONS } from './pay-options.js';
import { attemptOf, findTransaction, startPayment, transactionIdOf, transactionNotFound } from './payments.js';
import { invoiceOf, requestOfReturn, type Invoice } from './records.js';
import { attemptStatus, currentAttempt, invoiceOfRequest, invoiceStatusOf, paymentOf, plainInvoice, redirectWith } from './render.js';
import * as s from './schemas.js';
import { readRoute, writeRoute, type KowriDeps } from './transport.js';

export const WEBPOS = '/webpos';

/** The pay options in Kowri's shape (its limits numbers of cedis, as its examples show them); getInvoice's add flowType and fee. */
function payOptions(withFlow: boolean) {
  return PAY_OPTIONS.map((option) => ({
    name: option.name, description: option.description, logo: null, maxAmount: cedisNumber(option.maxAmount), minAmount: cedisNumber(option.minAmount),
    walletRef: option.walletRef, refRegex: option.refRegex, type: option.type, provider: option.provider, preAuthNotice: option.preAuthNotice,
    authNotice: option.authNotice,
    ...(withFlow ? { flowType: option.flowType, fee: '0' } : {}),
  }));
}

async function invoiceFor(deps: KowriDeps, who: KowriCaller, request: PaymentRequest): Promise<Invoice> {
  return (await invoiceOf(deps.app.db.read, request.id)) ?? plainInvoice(request, who.app.serviceCode);
}

/** The invoice (as of now) behind an invoiceNum or merchantOrderId. */
async function loadInvoice(deps: KowriDeps, who: KowriCaller, key: InvoiceKey): Promise<{ request: PaymentRequest; invoice: Invoice }> {
  const request = await asInvoice(key, async () => getPaymentRequest(deps.app, who.caller, await requestIdOf(deps.app.db.read, who.caller, key)));
  return { request, invoice: await invoiceFor(deps, who, request) };
}

export function kowriRoutes(k: FastifyInstance, deps: KowriDeps): void {
  const { app } = deps;

  readRoute(k, deps, `${WEBPOS}/listPayOptions`, { operationId: 'listPayOptions', summary: 'The ways an invoice can be paid, with their limits and walletRef formats' }, s.ListPayOptionsBody, async () => null, () => payOptions(false));

  writeRoute(k, deps, `${WEBPOS}/createInvoice`, { operationId: 'createInvoice', summary: 'Create an invoice from an amount or items (a repeated merchantOrderId returns the existing one)' }, s.CreateInvoiceBody,
    (unit, { input, who }) => makeInvoice(unit, who, input, deps.publicUrl),
    ({ request, invoice }) => invoiceOfRequest(request, invoice, deps.publicUrl),
    async ({ input, who }) => assertCreatable(app, who.caller, { webhookUrl: webhookUrlOf(input) }));

  readRoute(k, deps, `${WEBPOS}/getInvoiceSummary`, { operationId: 'getInvoiceSummary', summary: 'An invoice by invoiceNum or merchantOrderId' }, s.InvoiceKeyBody, ({ input, who }) => loadInvoice(deps, who, input),
    ({ request, invoice }) => invoiceOfRequest(request, invoice, deps.publicUrl));

  readRoute(k, deps, `${WEBPOS}/getInvoice`, { operationId: 'getInvoice', summary: "An invoice by invoiceNum or merchantOrderId, with the merchant's details and the pay options" }, s.InvoiceKeyBody, async ({ input, who }) => {
    const found = await loadInvoice(deps, who, input);
    const merchant = await app.db.read.getMerchant(who.caller.merchantId);
    return { ...found, merchantName: merchant?.name ?? '' };
  }, ({ request, invoice, merchantName }, { who }) => ({
    ...invoiceOfRequest(request, invoice, deps.publicUrl),
    // posgate keeps no merchant logo, redirect URL or support contact: unset, as Kowri shows unset ones
    merchantDetails: { name: merchantName, logo: null, callbackUrl: '', supportNumber: '', supportEmail: '', serviceCode: who.app.serviceCode },
    payOptions: payOptions(true),
  }));

  writeRoute(k, deps, `${WEBPOS}/cancelInvoice`, { operationId: 'cancelInvoice', summary: 'Cancel an OPEN invoice by invoiceNum or merchantOrderId' }, s.InvoiceKeyBody, async (unit, { input, who }) => {
    const id = await requestIdOf(unit.tx, who.caller, input);
    const { request } = await asInvoice(input, () => loadCurrent(unit, who.caller, id));
    if (invoiceStatusOf(request) !== 'OPEN') throw new DomainError('invalid_state', `Only OPEN orders can be cancelled; this one is ${invoiceStatusOf(request)}.`, 'invoiceNum', { status: request.status });
    const cancelled = await cancelPaymentRequest(unit, who.caller, id);
    return { request: cancelled, invoice: (await invoiceOf(unit.tx, id)) ?? plainInvoice(cancelled, who.app.serviceCode) };
  }, ({ request, invoice }) => invoiceOfRequest(request, invoice, deps.publicUrl));

  writeRoute(k, deps, `${WEBPOS}/processPayment`, { operationId: 'processPayment', summary: 'Pay an OPEN invoice with a provider: a prompt to the wallet, or the card page (PENDING at first)' }, s.ProcessPaymentBody, async (unit, { input, who }) => {
    const key = { invoiceNum: input.invoiceNum };
    const id = await requestIdOf(unit.tx, who.caller, key);
    await asInvoice(key, () => loadCurrent(unit, who.caller, id)); // not found in Kowri's words
    return startPayment(unit, who, id, { ...input, transactionId: transactionIdOf(unit, input.transactionId) });
  }, ({ request, invoice, attempt }) => paymentOf(request, invoice, attempt, deps.publicUrl));

  writeRoute(k, deps, `${WEBPOS}/payNow`, { operationId: 'payNow', summary: 'Create an invoice and pay it in one call (PENDING at first)' }, s.PayNowBody, async (unit, { input, who }) => {
    const transactionId = transactionIdOf(unit, input.transactionId);
    const made = await makeInvoice(unit, who, { ...input, merchantOrderId: input.merchantOrderId ?? transactionId }, deps.publicUrl);
    return startPayment(unit, who, made.request.id, { ...input, transactionId });
  }, ({ request, invoice, attempt }) => paymentOf(request, invoice, attempt, deps.publicUrl),
  async ({ input, who }) => assertCreatable(app, who.caller, { webhookUrl: webhookUrlOf(input) }));

  readRoute(k, deps, `${WEBPOS}/checkPaymentStatus`, { operationId: 'checkPaymentStatus', summary: 'A payment by its transactionId: PENDING, FULFILLED or FAILED' }, s.CheckPaymentStatusBody, async ({ input, who }) => {
    const id = await findTransaction(app.db.read, who.caller, input.transactionId);
    const request = await getPaymentRequest(app, who.caller, id).catch((error: unknown) => {
      throw error instanceof DomainError && error.code === 'not_found' ? transactionNotFound(input.transactionId) : error;
    });
    const invoice = await invoiceFor(deps, who, request);
    return { request, invoice, attempt: attemptOf(invoice, input.transactionId) };
  }, ({ request, invoice, attempt }) => paymentOf(request, invoice, attempt, deps.publicUrl));

  // the sandbox wallet holder (test mode): approves or declines the prompt of a PENDING payment
  readRoute(k, deps, `${WEBPOS}/sandbox/decidePayment`, { operationId: 'sandboxDecidePayment', summary: 'The sandbox wallet holder approves or declines the prompt of a PENDING payment (test-mode apps)', testModeOnly: true }, s.DecidePaymentBody, async ({ input, who }) => {
    if (who.caller.livemode) throw new DomainError('test_mode_only', 'Sandbox decisions are for test-mode apps only.');
    const id = await findTransaction(app.db.read, who.caller, input.transactionId);
    const request = await getPaymentRequest(app, who.caller, id);
    const invoice = await invoiceFor(deps, who, request);
    const attempt = attemptOf(invoice, input.transactionId);
    const status = attemptStatus(request, invoice, attempt);
    if (status !== 'PENDING') throw new DomainError('invalid_state', `Payment ${input.transactionId} is ${status}; only a PENDING payment can be approved or declined.`, 'transactionId', { status: request.status });
    // the channel's own event id: one decision per payment, however often it is sent
    const event = { id: `kowri:${request.id}:${attempt.transactionId}`, paymentRequestId: request.id };
    if (input.outcome === 'approve') await receiveChannelPayment(app, { ...event, amount: amounts(request).outstanding ?? 0, method: request.paymentMethod ?? 'mobile_money' });
    else await receiveChannelRefusal(app, event);
    const after = await getPaymentRequest(app, who.caller, id);
    return { request: after, invoice: await invoiceFor(deps, who, after), attempt };
  }, ({ request, invoice, attempt }) => paymentOf(request, invoice, attempt, deps.publicUrl));

  // the patron's way back from the pay page to the merchant's callbackUrl, with Kowri's parameters
  k.get<{ Params: { token: string } }>(`${WEBPOS}/return/:token`, { schema: { hide: true } }, async (req, reply) => {
    const notFound = new DomainError('route_not_found', 'No invoice has this return link.', 'token'); // a page the browser asked for: 404
    const id = /^[A-Za-z0-9]{1,64}$/.test(req.params.token) ? await requestOfReturn(app.db.read, req.params.token) : null;
    if (!id) throw notFound;
    const { request } = await publicView(app, id);
    const invoice = await invoiceOf(app.db.read, id);
    if (!invoice?.callbackUrl) throw notFound;
    const status = invoiceStatusOf(request);
    const code = status === 'CLOSED' ? '0' : status === 'OPEN' || status === 'CANCELLED' ? '-2' : '-1';
    const transactionId = currentAttempt(request, invoice)?.transactionId ?? null;
    return reply.redirect(redirectWith(invoice.callbackUrl, code, invoice, request, transactionId) as string, 302);
  });
}
