// The PR API: create, re-query (by reference or paymentRequestRefId), cancel.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App, Caller } from '../../app/context.js';
import { assertCreatable, cancelPaymentRequest, createPaymentRequest, getPaymentRequest, listCurrentPaymentRequests } from '../../app/use-cases/payment-requests.js';
import { merchantTimeZone } from '../../app/use-cases/merchants.js';
import { inTransaction } from '../../app/unit-of-work.js';
import { DomainError } from '../../core/errors.js';
import { MAX_AMOUNT } from '../../core/money.js';
import type { PaymentRequest } from '../../core/payment-request.js';
import { fingerprint } from '../shared/idempotency.js';
import { RESPONSE_MESSAGES } from './errors.js';
import { parseObjectBody } from '../shared/body.js';
import { fieldsOf, saveFields } from './fields.js';
import { documented, KOBO_PATTERN } from './openapi.js';
import { accountNumberOf, dataOf, DEFAULT_TIME_ZONE } from './render.js';

export const DEFAULT_EXPIRY_SECONDS = 24 * 3600;
export const MAX_EXPIRY_SECONDS = 30 * 24 * 3600;
export const REFERENCE = /^[A-Za-z0-9._-]{1,64}$/;

const Kobo = z.string().refine((text) => /^[1-9]\d*$/.test(text) && BigInt(text) <= BigInt(MAX_AMOUNT), {
  message: `a whole number of kobo as a string, from "1" to "${MAX_AMOUNT}" (e.g. "150000" for NGN 1,500.00)`,
}).meta({ pattern: KOBO_PATTERN });

const CreateBody = z.strictObject({
  reference: z.string().regex(REFERENCE, 'at most 64 letters, digits, ".", "_" or "-"').optional(),
  amount: Kobo,
  accountNumber: z.string().regex(/^\d{10}$/, '10 digits').optional(),
  paymentMethod: z.string().min(1).max(64).optional(),
  metaData: z.string().max(4000).optional(),
  callbackUrl: z.url({ protocol: /^https?$/ }).max(2048).meta({ pattern: '^[Hh][Tt][Tt][Pp][Ss]?://' }).optional(),
  expiresInSeconds: z.number().int().min(60).max(MAX_EXPIRY_SECONDS).optional(),
});

/**
 * A field sent as null is a field left out: posgate's own answers show an unset field as null
 * (`metaData: null`), and a client that serializes the request object with its unset properties
 * sends them so. A required field that is null is then named as required.
 */
function withoutNulls(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== null));
}

/** A cancel takes no fields (the body may be left out). */
const CancelBody = z.strictObject({});

/** A body by a strict schema: the first problem as a format error naming its field. */
export const parseStrict = <T extends z.ZodType>(schema: T, body: unknown): z.infer<T> => parseObjectBody(schema, withoutNulls(body), (field) => field === 'amount');

function envelope(data: ReturnType<typeof dataOf>) {
  const code = data.status === 'PENDING' ? '09' : '00';
  return { responseCode: code, responseMessage: RESPONSE_MESSAGES[code], data };
}

/** A request by its reference or its paymentRequestRefId (the posgate id), as of now. */
async function find(app: App, caller: Caller, ref: string): Promise<PaymentRequest> {
  if (ref.startsWith('pr_')) {
    try {
      return await getPaymentRequest(app, caller, ref);
    } catch (error) {
      if (!(error instanceof DomainError && error.code === 'not_found')) throw error;
    }
  }
  const [found] = (await listCurrentPaymentRequests(app, caller, { reference: ref }, { limit: 1 })).items;
  if (!found) throw new DomainError('not_found', `No payment request with reference or paymentRequestRefId ${ref}.`, 'reference', { kind: 'payment request' });
  return found;
}

export async function renderRequest(app: App, request: PaymentRequest) {
  return envelope(dataOf(request, await fieldsOf(app.db.read, request.id), await merchantTimeZone(app, request.merchantId, DEFAULT_TIME_ZONE)));
}

export function kpayRoutes(k: FastifyInstance, app: App): void {
  k.post('/v1/pos/payment-request', documented('createPaymentRequest', 'Create a payment request: a virtual account the patron transfers to', CreateBody), async (req) => {
    const body = parseStrict(CreateBody, req.body);
    const reference = body.reference ?? app.ids.secret('KP', 10);
    // the callbackUrl's checks that need the network (live mode: a public address), before the transaction
    await assertCreatable(app, req.caller, { webhookUrl: body.callbackUrl }).catch((error: unknown) => {
      throw error instanceof DomainError && error.param === 'webhookUrl' ? new DomainError(error.code, error.message.replace('webhookUrl', 'callbackUrl'), 'callbackUrl') : error;
    });
    const { request } = await inTransaction(app, async (unit) => {
      // same reference and amount replays the request; another amount is a duplicate (26)
      const created = await createPaymentRequest(unit, req.caller, {
        amount: Number(body.amount), currency: 'NGN', reference, webhookUrl: body.callbackUrl, allowConcurrent: true,
        // a transfer of less than is due is kept, the rest still due (a bank account cannot refuse it)
        partialAllowed: true,
        expiresInSeconds: body.expiresInSeconds ?? DEFAULT_EXPIRY_SECONDS,
      }, fingerprint({ amount: body.amount }));
      if (!created.replayedByReference) {
        await saveFields(unit.tx, created.request.id, accountNumberOf(created.request), {
          metaData: body.metaData, paymentMethod: body.paymentMethod, accountNumber: body.accountNumber, callbackUrl: body.callbackUrl,
        }, created.request.createdAt);
      }
      return created;
    });
    return renderRequest(app, request);
  });

  k.get<{ Params: { ref: string } }>('/v1/pos/payment-request/:ref', documented('retrievePaymentRequest', 'Re-query a request by its reference or paymentRequestRefId'), async (req) => renderRequest(app, await find(app, req.caller, req.params.ref)));

  k.post<{ Params: { ref: string } }>('/v1/pos/payment-request/:ref/cancel', documented('cancelPaymentRequest', 'Cancel a request by its reference or paymentRequestRefId', CancelBody), async (req) => {
    // no body, or {}: a field sent (a reason, a typo) is refused (30) as the create refuses one, never ignored
    parseStrict(CancelBody, req.body === undefined ? {} : req.body);
    const found = await find(app, req.caller, req.params.ref);
    const cancelled = await inTransaction(app, (unit) => cancelPaymentRequest(unit, req.caller, found.id));
    return renderRequest(app, cancelled);
  });
}
