// What Centrapay's own OpenAPI document (/centrapay/openapi.json) says of each route: its request
// as the route's own zod schemas check it (schemas.ts), and every answer in Centrapay's shapes: a
// payment request, an activity or a page of them on success, {statusCode, error, message, reason?} on a
// refusal (errors.ts). The response schemas also check and write the answers (the server's
// serializer, src/http/zod-compilers.ts, writes only what they name), so every object is loose: a
// field a renderer writes is never dropped.
import { z } from 'zod';
import { dialectOperations } from '../shared/openapi.js';
import { LineItem } from './schemas.js';

const TAG = 'Centrapay';

/** errors.ts `bodyOf`: what every refusal of a route under /centrapay/api is. */
const ErrorBody = z.looseObject({
  statusCode: z.int().describe('The HTTP status again'),
  error: z.string().describe('Its HTTP reason phrase: Bad Request, Unauthorized, Forbidden, …'),
  message: z.string().describe('A code (PAYMENT_REQUEST_NOT_FOUND, REQUEST_PAID, …); on a 400 for malformed input, a sentence naming the field'),
  reason: z.string().optional().describe('Why, in words, beside a code (to show, not to branch on); absent when message already says it, and on a 5xx'),
});
const refusal = (description: string) => ({ description, content: { 'application/json': { schema: ErrorBody } } });

/** Every status a route under /centrapay/api refuses with (errors.ts CENTRAPAY_ERRORS, CentrapayRefusal). */
const REFUSALS = {
  400: refusal('Malformed input (a body, path parameter or query its schema refuses; a body that is not JSON): a sentence naming the field; LINE_ITEMS_SUM_CHECK_FAILED (Σ line item price ≠ value.amount); CHECKSUM_FAILED (a short code whose check character is wrong)'),
  401: refusal('Missing authentication (no X-Api-Key) or Invalid authentication (an unknown or revoked key): nothing done'),
  403: refusal('A business rule or a thing not found, as its code: PAYMENT_REQUEST_NOT_FOUND, TERMINAL_NOT_FOUND, MERCHANT_CONFIG_NOT_FOUND, REQUEST_PAID, REQUEST_EXPIRED, REQUEST_CANCELLED, INVALID_AMOUNT, … (docs/dialects/centrapay.md lists them by action)'),
  409: refusal('IDEMPOTENT_OPERATION_IN_PROGRESS: a pay or confirm with the same idempotencyKey is still being handled; retry'),
  413: refusal('Payload Too Large: a body over 256 KiB'),
  415: refusal('Unsupported Media Type: a body that is not JSON'),
  429: refusal('RATE_LIMIT_EXCEEDED: too many calls for this merchant account this minute; the Retry-After header says in how many seconds to retry'),
  500: refusal('Internal Server Error: a fault of the gateway'),
  503: refusal('Service Unavailable: the database is away for a moment, or concurrent calls on the request outlasted posgate\'s retries; retry after the Retry-After header'),
};

const Money = z.looseObject({ amount: z.string().describe('Cents as a string, e.g. "1050"'), currency: z.string() });
const AssetAmount = z.looseObject({ assetType: z.string().describe('centrapay.<currency>.test (or .main)'), amount: z.string() });

/** render.ts `renderPaymentRequest`. */
const PaymentRequest = z.looseObject({
  id: z.string(),
  shortCode: z.string().describe('CP- and posgate\'s short code'),
  url: z.string().describe("posgate's pay page: the QR code's payload"),
  value: Money,
  remainingAmount: z.string().describe('What is still owed: cents as a string (a bignumber, as Centrapay\'s model has it)'),
  basketAmount: z.string().nullable().describe('The whole basket, cents as a string, when the request is part of it'),
  paymentOptions: z.array(AssetAmount),
  merchantId: z.string(),
  merchantName: z.string(),
  configId: z.string().nullable(),
  status: z.enum(['new', 'paid', 'cancelled', 'expired']),
  liveness: z.enum(['main', 'test']),
  cancellationReason: z.string().nullable().describe('CANCELLED_BY_MERCHANT, CANCELLED_BY_PATRON, DECLINED_BY_MERCHANT, PAYMENT_DECLINED, PAYMENT_FAILED or PAYMENT_REQUEST_EXPIRED once cancelled or expired'),
  preAuth: z.boolean(),
  preAuthStatus: z.enum(['authorized', 'released']).nullable(),
  preAuthExpiresAt: z.string().nullable(),
  merchantConditions: z.array(z.looseObject({
    id: z.string(), name: z.string(), message: z.string(),
    status: z.enum(['awaiting-patron', 'awaiting-merchant', 'accepted', 'declined', 'void']),
  })),
  conditionsEnabled: z.boolean(),
  paidBy: z.looseObject({
    assetTotals: z.array(z.looseObject({
      type: z.string().describe('The asset type paid with, e.g. centrapay.nzd.test'),
      description: z.string().describe('The asset type in words'),
      total: Money.describe('All that was paid with this asset type'),
    })).describe("Centrapay's Asset Totals: one per asset type paid with (what transaction reporting shows)"),
  }).nullable().describe('What the patron paid, once something was'),
  externalRef: z.string().nullable(),
  invoiceRef: z.string().nullable(),
  purchaseOrderRef: z.string().nullable(),
  terminalId: z.string().nullable(),
  deviceId: z.string().nullable(),
  operatorId: z.string().nullable(),
  barcode: z.string().nullable(),
  lineItems: z.array(LineItem).describe('As they were sent'),
  patronNotPresent: z.boolean(),
  partialAllowed: z.boolean(),
  expirySeconds: z.int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  expiresAt: z.string(),
});

/** render.ts `summaryOf`: those fields of the request, as GET renders them. */
const Summary = PaymentRequest.pick({
  id: true, url: true, merchantName: true, value: true, createdAt: true, expiresAt: true, paymentOptions: true, partialAllowed: true,
  basketAmount: true, remainingAmount: true, status: true, lineItems: true, liveness: true,
});

/** activities.ts `Activity`. */
const Activity = z.looseObject({
  id: z.string(),
  type: z.string().describe('request, preAuthRequest, payment, paid, authorization, confirmation, release, cancellation, expiry, refund, accept-condition or decline-condition'),
  value: Money,
  assetType: z.string(),
  paymentRequestId: z.string(),
  shortCode: z.string().describe("The request's short code and the activity's number, e.g. CP-ABC-DEF-GHJ-004"),
  merchantId: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
  activityNumber: z.string().regex(/^[1-9]\d*$/).describe("Centrapay's bignumber: the activity's number on its request, counted from 1, as a string of digits (\"3\")"),
});

const answer = (description: string, schema: z.ZodType) => ({ description, content: { 'application/json': { schema } } });

/** What each kind of route answers on success, each with every refusal. */
const operations = {
  request: dialectOperations(TAG, { 200: answer('The payment request', PaymentRequest), ...REFUSALS }),
  summary: dialectOperations(TAG, { 200: answer("The request's summary (status new)", Summary), ...REFUSALS }),
  requestPage: dialectOperations(TAG, {
    200: answer('The requests with this externalRef, newest first, 25 a page; nextPageKey (the pageKey of the next page) while there are more', z.looseObject({ items: z.array(PaymentRequest), nextPageKey: z.string().optional() })),
    ...REFUSALS,
  }),
  // null only if the activity is not among the request's events that are read (more than 1000)
  activity: dialectOperations(TAG, { 200: answer('The activity the action made', Activity.nullable()), ...REFUSALS }),
  activities: dialectOperations(TAG, { 200: answer("The request's activities, newest first", z.looseObject({ items: z.array(Activity) })), ...REFUSALS }),
  activityPage: dialectOperations(TAG, {
    200: answer('The merchant\'s activities (a terminal key: its terminal\'s), newest first, 50 a page; nextPageKey (older than this page) while there are more', z.looseObject({ items: z.array(Activity), nextPageKey: z.string().optional() })),
    ...REFUSALS,
  }),
};

type Parts = { body?: z.ZodType; querystring?: z.ZodType; params?: z.ZodType };

/**
 * A route's part of the document: its operationId and summary, the schemas it is checked by (the
 * very ones it was checked by before: index.ts throws a failed check, which dialectOperations
 * attaches, to the scope's error handler) and its answers.
 */
export const documented = <P extends Parts>(kind: keyof typeof operations, operationId: string, summary: string, parts: P) => operations[kind](operationId, summary, parts);

// The public webhook key set (routes/jwks.ts) is left out: it takes no key and answers no 4xx, which
// Redocly's operation-4xx-response warns of; docs/dialects/centrapay.md documents it.

export const CENTRAPAY_OPENAPI = {
  title: "posgate: Centrapay's Payment Requests API",
  description: "Centrapay's Payment Requests API (\"next\" API) as posgate serves it under /centrapay (docs/dialects/centrapay.md): amounts in cents as strings, Centrapay's payment requests and activities, refusals as {statusCode, error, message} with Centrapay's codes.",
  securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'The centrapay.apiKey of `posgate credentials --json` (a terminal key), or a merchant secret key (sk_…, acting for every terminal)' } },
};
