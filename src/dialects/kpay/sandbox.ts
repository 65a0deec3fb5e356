// The sandbox bank: a transfer to a request's virtual account (test mode only). It is an inbound
// channel payment named by its sessionId (receiveTransfer: one account and amount each, the
// merchant's own; the same again is a replay answered as before, under another account or amount it
// is 26 and nothing is taken): less than is due leaves the request PENDING with the rest due, more
// settles it SUCCESSFUL and overpaid.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app/context.js';
import { receiveTransfer } from '../../app/use-cases/channel-transfers.js';
import { getPaymentRequest } from '../../app/use-cases/payment-requests.js';
import { DomainError } from '../../core/errors.js';
import { MAX_AMOUNT } from '../../core/money.js';
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

export function sandboxRoutes(k: FastifyInstance, app: App): void {
  k.post('/v1/sandbox/transfer', documented('sandboxTransfer', 'The sandbox bank: the patron transfers kobo to a virtual account (test-mode keys)', TransferBody), async (req) => {
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
    await receiveTransfer(app, { channel: DIALECT, id: sessionId, param: 'sessionId' }, { paymentRequestId: requestId, amount: Number(body.amount), method: 'bank_transfer' });
    return renderRequest(app, await getPaymentRequest(app, req.caller, requestId));
  });
}
