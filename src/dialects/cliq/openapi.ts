// What CLIQ's own OpenAPI document (/cliq/openapi.json) says of each call: its body, in either media
// type CLIQ takes, and its answers, `{"status":"ok", …}` or the refusal `{"status":"nok", …}`
// (errors.ts), under every status the dialect answers with.
//
// The calls check their fields themselves (params.ts: CLIQ's messages, '' counted as absent), so the
// body schemas only describe them. Fastify still runs them (validation attached, never thrown) and a
// body that passes is replaced by what zod parsed it to: the same fields with the same values (strict
// objects of text, no defaults, no coercion), at most in another key order, which no call reads.
// The answer schemas are loose objects: Fastify serializes every answer through them, and a field
// they do not name is kept, never dropped; the types at the end hold them to what render.ts makes.
import { z } from 'zod';
import { dialectOperations } from '../shared/openapi.js';
import type { createdAnswer, paymentView, refundView, updateAnswer } from './render.js';

/** What a CLIQ call's body may be (index.ts parses both into one object of fields). */
export const MEDIA_TYPES = ['application/x-www-form-urlencoded', 'application/json'];

// --- the fields of the bodies ---

export const Key = z.string().min(1).max(256).describe("The terminal API key: the cliq set's `key`");
/** The call's `hash`, described by its formula. */
export const hashOf = (formula: string) =>
  z.string().regex(/^[0-9a-fA-F]{32}$/, '32 hex digits').describe(`The hex MD5 (any case) of ${formula}, concatenated with no separator; a hash that does not match is refused (401)`);

/** A positive decimal of the settlement asset in its major units ("12.50"), with at most its decimals. */
export const decimalAmount = (description: string) => z.string().min(1).max(32).regex(/^\d+(\.\d+)?$/, 'a positive decimal number').describe(description);

/** Exactly one of `reference` and `payment_code`, beside `key` and `hash` (getupdate and payment/get). */
export function oneReferenceBody(formula: string) {
  const auth = { key: Key, hash: hashOf(formula) };
  return z.union([
    z.strictObject({ reference: z.string().min(1).max(64).describe("The payment's reference, as sent at creation"), ...auth }),
    z.strictObject({ payment_code: z.string().min(1).max(64).describe("The payment's payment_code"), ...auth }),
  ]).describe('Exactly one of reference and payment_code, with key and hash');
}

// --- the answers ---

// the order of each object's fields is the order render.ts makes them in (a schema's fields come first in what it serializes)
const QUOTE = {
  paymentId: z.string().describe("posgate's id of the payment request (pr_…)"),
  payment_code: z.string().describe("CLIQ's code of the payment"),
  payment_address: z.string().nullable().describe('The on-chain address to pay to'),
  payment_amount: z.string().describe('The whole amount in BTC, 8 decimals, rounded up'),
  payment_missing_amount: z.string().describe('What is still owed in BTC, 8 decimals, rounded up'),
  payment_amount_asset: z.string().describe('The asset the customer pays: BTC'),
  payment_payreq: z.string().nullable().describe('A BOLT11 Lightning invoice for what is owed now'),
  expires_at: z.number().int().describe('When the quote runs out, Unix seconds'),
  exchange_rate: z.string().describe('The price of 1 BTC in the settlement asset, with its decimals'),
};
const { payment_missing_amount: _missing, ...CREATED_QUOTE } = QUOTE;

const ok = (fields: z.ZodRawShape) => z.looseObject({ status: z.literal('ok'), ...fields });

export const RefundAnswer = z.looseObject({
  refund_id: z.string(),
  refund_type: z.string().describe('full, partial, underpaid or overpaid'),
  amount: z.string().describe("In the settlement asset's major units"),
  asset: z.string(),
  status: z.enum(['pending', 'completed', 'failed']),
});

export const Validated = ok({ message: z.string() });
export const Created = ok({ message: z.string(), ...CREATED_QUOTE });
export const Updated = z.looseObject({
  status: z.literal('ok'),
  payment: z.looseObject({ ...QUOTE, message: z.string() }),
  message: z.string(),
});
export const PaymentAnswer = z.looseObject({
  ...QUOTE,
  payment_status: z.enum(['pending', 'unconfirmed', 'underpaid', 'expired', 'paid', 'overpaid', 'partially_refunded', 'refunded', 'cancelled', 'failed']),
  received_amount: z.string().describe('What was received, in BTC'),
  reference: z.string().nullable(),
  description: z.string().nullable(),
  asset: z.string().describe('The settlement asset'),
  amount: z.string().describe("The settlement amount, with the asset's decimals"),
  requested_asset: z.string(),
  received_asset_amount: z.string().describe('posgate: what arrived, in the settlement asset'),
  refunded_asset_amount: z.string().describe('posgate: what was given back, in the settlement asset'),
  refunds: z.array(RefundAnswer),
  created_at: z.number().int().describe('Unix seconds'),
});
export const Got = ok({ message: z.string(), payment: PaymentAnswer });
export const Refunded = ok({ message: z.string(), refund: RefundAnswer });
export const Transaction = ok({ message: z.string(), txid: z.string() });

// exactly the four fields sendRefusal sends, in its order
const Refusal = z.looseObject({
  status: z.literal('nok'),
  message: z.string().describe('Which call failed, e.g. "Create POS Payment Failed!"'),
  error: z.string().describe('What is wrong, naming the field'),
  validated: z.literal(false),
});
const answer = (description: string, schema: z.ZodType) => ({ description, content: { 'application/json': { schema } } });
const refusal = (description: string) => answer(description, Refusal);

/** Every refusal the dialect answers with (errors.ts: CLIQ documents bodies, not statuses; these are posgate's). */
const REFUSALS = {
  400: refusal('A field is missing, unknown or malformed, the amount or asset is refused, or the body is not one object of fields'),
  401: refusal('No key or hash, a key that is not a CLIQ set\'s key, or a hash that does not match'),
  403: refusal('A sandbox call with a live-mode key'),
  404: refusal('No such payment (or refund, or unconfirmed transaction) of this merchant'),
  409: refusal("The payment's state or a limit refuses it (a reference used with other fields, a sandbox txid used for another payment or amount, a payment that ended, more than is refundable, …)"),
  413: refusal('The body is too large'),
  415: refusal('The body is neither a form nor JSON'),
  500: refusal('A fault of the gateway'),
  503: refusal('The database is away for a moment; retry after Retry-After'),
};

/** A call's part of the document: its body in both media types, its answer, every refusal. */
export function documented(operationId: string, summary: string, body: z.ZodType, success: z.ZodType) {
  const options = dialectOperations('CLIQ', { 200: answer('Done: {"status":"ok", …}', success), ...REFUSALS })(operationId, summary, { body });
  return { ...options, schema: { ...options.schema, consumes: MEDIA_TYPES } };
}

export type Documentation = ReturnType<typeof documented>;

export const CLIQ_OPENAPI = {
  title: 'posgate: the CLIQ Payments API (crypto POS)',
  description: "CLIQ's point-of-sale crypto payments as posgate serves them under /cliq (docs/dialects/cliq.md): every call a POST of a form or a JSON object, "
    + 'amounts as decimal text, answers `{"status":"ok", …}` or `{"status":"nok", message, error, validated: false}`. '
    + "A call is authenticated by two of its own fields, not by a header: `key` (the cliq set's terminal key) and `hash`, the MD5 of the call's fields ending in the set's api_secret (each call's `hash` names its formula).",
};

// Every answer render.ts makes is one its schema takes: else Fastify's serializer would refuse it (a 500).
// (Not `status`: render.ts types it as text, and it is always 'ok'. Known: a loose object's index signature would take anything.)
type Known<T> = { [K in keyof T as string extends K ? never : K]: T[K] };
type Takes<S extends z.ZodType, T extends Omit<Known<z.output<S>>, 'status'>> = T;
export type RenderedAnswers = [
  Takes<typeof Created, ReturnType<typeof createdAnswer>>,
  Takes<typeof Updated, ReturnType<typeof updateAnswer>>,
  Takes<typeof PaymentAnswer, ReturnType<typeof paymentView>>,
  Takes<typeof RefundAnswer, ReturnType<typeof refundView>>,
];
