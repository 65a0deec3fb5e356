// The sandbox bank: a transfer to a request's virtual account (test mode only). It is an inbound
// channel payment (receiveChannelPayment), taken once per sessionId: less than is due leaves the
// request PENDING with the rest due, more settles it SUCCESSFUL and overpaid. A sessionId names one
// transfer of the merchant's (one account, one amount): the same again is a replay answered as
// before; under another account or amount it is refused (26, duplicate) and nothing is taken.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App, Caller } from '../../app/context.js';
import { receiveChannelPayment } from '../../app/use-cases/channel-events.js';
import { getPaymentRequest, loadCurrent } from '../../app/use-cases/payment-requests.js';
import { inTransaction } from '../../app/unit-of-work.js';
import { DomainError } from '../../core/errors.js';
import { MAX_AMOUNT } from '../../core/money.js';
import * as pr from '../../core/payment-request.js';
import { claimTransferId } from '../shared/transfer-ids.js';
import { DIALECT } from './credentials.js';
import { requestOfAccount } from './fields.js';
import { documented, KOBO_PATTERN } from './openapi.js';
import { parseStrict, renderRequest } from './routes.js';

const TransferBody = z.strictObject({
  accountNumber: z.string().regex(/^\d{10}$/, '10 digits'),
  amount: z.string().refine((text) => /^[1-9]\d*$/.test(text) && BigInt(text) <= BigInt(MAX_AMOUNT), { message: 'a whole number of kobo as a string' }).meta({ pattern: KOBO_PATTERN }),
  sessionId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'at most 64 letters, digits, ".", "_" or "-"').optional()
    .describe("The transfer's id (default: a new one): one account and amount each, the merchant's own; sent again alike it is taken once, for another account or amount it is 26"),
});

const SESSION_IDS = { dialect: DIALECT, param: 'sessionId', unit: 'kobo' };

/**
 * Records the merchant's sessionId as this transfer, with the request locked as of now: a new
 * transfer to a request that can take no payment is refused (nothing recorded); the same transfer
 * again is a replay (taken once by its event id); another account or amount under it is 26.
 */
async function takeSession(app: App, caller: Caller, sessionId: string, requestId: string, amount: number): Promise<void> {
  await inTransaction(app, async (unit) => {
    const { request, now } = await loadCurrent(unit, caller, requestId);
    const claimed = await claimTransferId(unit.tx, SESSION_IDS, caller.merchantId, sessionId, { requestId, amount }, now);
    if (claimed === 'new' && !pr.canApply(request.status, 'pay')) throw pr.refusal(request, 'pay');
  });
}

export function sandboxRoutes(k: FastifyInstance, app: App): void {
  k.post('/api/v1/sandbox/transfer', documented('sandboxTransfer', 'The sandbox bank: the patron transfers kobo to a virtual account (test-mode keys)', TransferBody), async (req) => {
    if (req.caller.livemode) throw new DomainError('test_mode_only', 'Sandbox transfers are for test-mode keys only.');
    const body = parseStrict(TransferBody, req.body);
    const requestId = await requestOfAccount(app.db.read, body.accountNumber);
    const notFound = new DomainError('not_found', `No payment request has the virtual account ${body.accountNumber}.`, 'accountNumber', { kind: 'payment request' });
    if (!requestId) throw notFound;
    // another merchant's account is not found, as any of its objects
    await getPaymentRequest(app, req.caller, requestId).catch((error: unknown) => {
      throw error instanceof DomainError && error.code === 'not_found' ? notFound : error;
    });
    const sessionId = body.sessionId ?? app.ids.secret('SBX', 12);
    const amount = Number(body.amount);
    await takeSession(app, req.caller, sessionId, requestId, amount);
    // the event id names the request too: the channel's ids of two requests never meet
    await receiveChannelPayment(app, { id: `kpay:${requestId}:${sessionId}`, paymentRequestId: requestId, amount, method: 'bank_transfer' });
    return renderRequest(app, await getPaymentRequest(app, req.caller, requestId));
  });
}
