// Request and response schemas of the native API: they validate input and generate /openapi.json.
import { z } from 'zod';
import { ERROR_CODES } from '../../core/errors.js';
import { CURRENCY_EXPONENTS, MAX_AMOUNT } from '../../core/money.js';
import { SHORT_CODE_ALPHABET } from '../../core/short-code.js';
import { PAYMENT_REQUEST_EVENT_TYPES, PAYMENT_REQUEST_NOTICE_TYPES, PAYMENT_REQUEST_STATUSES } from '../../core/payment-request.js';
import { REFUND_EVENT_TYPES, REFUND_STATUSES, SYSTEM_REFERENCE_PREFIX } from '../../core/refund.js';
import { idPattern } from '../../core/uuid-ids.js';

/**
 * A message for a field's wrong value that leaves a missing one to zod's own ("…received undefined"),
 * which the error mapping reads as missing (400 parameter_missing, not the field's invalid code).
 */
const unlessMissing = (message: string) => (issue: { input?: unknown }) => (issue.input === undefined ? undefined : message);

/**
 * zod's .int() also refuses a whole number beyond ±(2^53 − 1) (1e20, 9007199254740993), as too big or
 * too small, and with .int()'s own message, which is about decimals: those two say the limit instead.
 */
const whole = (decimal: string, tooBig: string, tooSmall: string) => ({
  error: (issue: { code?: string }) => (issue.code === 'too_big' ? tooBig : issue.code === 'too_small' ? tooSmall : decimal),
});

const minor = (what: string) =>
  z.number({ error: unlessMissing(`${what} must be an integer number of minor units`) })
    .int(whole(`${what} must be an integer number of minor units, not a decimal`, `${what} must be at most 10^12 minor units`, `${what} must be greater than 0`))
    .positive(`${what} must be greater than 0`)
    .max(MAX_AMOUNT, `${what} must be at most 10^12 minor units`);

export const Amount = minor('amount').describe('Integer in the currency\'s minor unit (cents, kobo, satoshi)');
// an enum, not a refinement: the document then lists exactly the codes the server accepts
const CURRENCIES = Object.keys(CURRENCY_EXPONENTS).sort() as [string, ...string[]];
export const Currency = z.enum(CURRENCIES, { error: (issue) => (issue.input === undefined ? 'expected a currency, received undefined' : 'must be an upper-case ISO 4217 code (or BTC) that posgate supports') }).describe('ISO 4217, upper case, or BTC');
// what the refinements check, said in JSON Schema too, so the document is as strict as the server
// .max has a message of its own: the url's `error` would otherwise answer a long URL as not a URL
const HttpUrl = z.url({ protocol: /^https?$/, error: unlessMissing('must be an http(s) URL') }).max(2048, 'must be at most 2048 characters long').meta({ pattern: '^[Hh][Tt][Tt][Pp][Ss]?://' });
const Id = (prefix: string) => z.string().regex(idPattern(prefix), `must be an id starting with ${prefix}_`);

export const LineItem = z.strictObject({
  name: z.string().min(1).max(200),
  sku: z.string().min(1).max(100).optional(),
  quantity: z.number().int(whole('quantity must be a whole number', 'quantity must be at most 1000000', 'quantity must be greater than 0'))
    .positive('quantity must be greater than 0').max(1_000_000, 'quantity must be at most 1000000'),
  unitAmount: z.number().int(whole('unitAmount must be an integer number of minor units', 'unitAmount must be at most 10^12 minor units', 'unitAmount must be 0 or more'))
    .min(0, 'unitAmount must be 0 or more').max(MAX_AMOUNT, 'unitAmount must be at most 10^12 minor units'),
  discountAmount: z.number().int(whole('discountAmount must be an integer number of minor units', 'discountAmount must be at most 10^12 minor units', 'discountAmount must be 0 or more'))
    .min(0, 'discountAmount must be 0 or more').max(MAX_AMOUNT, 'discountAmount must be at most 10^12 minor units').optional(),
  taxRate: z.number().min(0).max(100).optional().describe('Percent, informational: unitAmount includes tax'),
  restricted: z.boolean().optional().describe('Age-restricted goods'),
});

/**
 * Line items where the native API takes them (create, ready): at least one, since Σ line items must
 * equal amount and an empty list sums to 0 whatever the amount. Core's checkLineItems takes an empty
 * list (the provider APIs send one for no basket), so the native schema refuses it itself.
 */
const LineItems = z.array(LineItem).min(1, 'lineItems must have at least one item; leave it out for none').max(500);

export const Metadata = z.record(z.string().min(1).max(40), z.string().max(500))
  .refine((m) => Object.keys(m).length <= 50, 'metadata holds at most 50 keys').meta({ maxProperties: 50 });

export const PAYMENT_METHODS = ['card', 'mobile_money', 'bank_transfer', 'wallet', 'crypto'] as const;
export const PaymentMethod = z.enum(PAYMENT_METHODS);

export const CreatePaymentRequestBody = z.strictObject({
  amount: Amount.optional().describe('Omit to create a prepared request (the basket is still being scanned)'),
  currency: Currency,
  terminalId: Id('term').optional().describe('Required with a merchant key; implied by a terminal key'),
  reference: z.string().min(1).max(255).optional().describe('Unique per merchant: a repeat with the same body replays'),
  captureMode: z.enum(['automatic', 'manual']).optional(),
  expiresInSeconds: z.number().int().min(10).max(30 * 24 * 3600).optional().describe('Default 120'),
  description: z.string().max(1000).optional(),
  lineItems: LineItems.optional(),
  metadata: Metadata.optional(),
  webhookUrl: HttpUrl.optional(),
  redirectUrl: HttpUrl.optional(),
  partialAllowed: z.boolean().optional(),
  basketAmount: minor('basketAmount').optional(),
  patronCode: z.string().min(1).max(200).optional(),
  patronNotPresent: z.boolean().optional(),
  allowedMethods: z.array(PaymentMethod).min(1).optional(),
  allowConcurrent: z.boolean().optional(),
});

export const ReadyBody = z.strictObject({ amount: Amount, lineItems: LineItems.optional() });
export const CancelBody = z.strictObject({ reason: z.string().min(1).max(200).optional() });
export const CaptureBody = z.strictObject({ amount: Amount.optional() });
export const EmptyBody = z.strictObject({});
export const CreateRefundBody = z.strictObject({
  amount: Amount,
  reference: z.string().min(1).max(255).refine((r) => !r.startsWith(SYSTEM_REFERENCE_PREFIX), `references starting with ${SYSTEM_REFERENCE_PREFIX} are reserved for posgate's own refunds`)
    .meta({ pattern: `^(?!${SYSTEM_REFERENCE_PREFIX})` }),
  reason: z.string().max(500).optional(),
  captureMode: z.enum(['automatic', 'manual']).optional(),
});

/** The event types a webhook endpoint may subscribe to (its eventTypes). */
export const EVENT_TYPES = [...PAYMENT_REQUEST_EVENT_TYPES, ...REFUND_EVENT_TYPES] as const;
/** The types the events list may hold, and its `type` filter takes: those, and the notices sent to a request's own URL only. */
const LISTED_EVENT_TYPES = [...EVENT_TYPES, ...PAYMENT_REQUEST_NOTICE_TYPES] as const;

export const IdParams = z.strictObject({ id: z.string().min(1).max(100) });
export const KeyParams = z.strictObject({ id: z.string().min(1).max(100), keyId: z.string().min(1).max(100) });

const limit = z.coerce.number().int().min(1).max(100).default(20);
/**
 * A list's `nextCursor`: the sort key of the page's last item as it is (an id, or an event's
 * position), so that the pattern here is the whole of what the server checks (docs/api-decisions.md).
 */
const cursor = z.string().regex(/^[A-Za-z0-9_]{1,100}$/, 'is not a cursor this API returned').optional().describe("Opaque: the previous page's nextCursor");
const eventCursor = z.string().regex(/^[0-9]{1,15}$/, 'is not a cursor this API returned').optional().describe("Opaque: the previous page's nextCursor");
/** What a person may type as a short code: 9 characters of the alphabet in any case, with dashes or spaces anywhere. */
const shortCodeChar = `[${SHORT_CODE_ALPHABET}${SHORT_CODE_ALPHABET.toLowerCase()}]`;
export const ShortCodeText = z.string().max(30).regex(new RegExp(`^[\\s-]*(?:${shortCodeChar}[\\s-]*){9}$`), 'must be a short code: XXX-XXX-XXC')
  .describe('XXX-XXX-XXC, any case, dashes optional; the last character is a check character (a wrong one is 400 short_code_invalid)');
const boolText = z.enum(['true', 'false']).transform((v) => v === 'true');
const isoTime = z.iso.datetime({ offset: true }).transform((v) => Date.parse(v));

export const ListPaymentRequestsQuery = z.strictObject({
  limit, cursor,
  terminalId: z.string().optional(), status: z.enum(PAYMENT_REQUEST_STATUSES).optional(), reference: z.string().optional(),
  shortCode: z.string().optional().describe('XXX-XXX-XXC, any case, dashes optional, as GET /v1/short-codes/{code} reads it (anything else is 400 short_code_invalid)'),
  createdFrom: isoTime.optional(), createdTo: isoTime.optional(), active: boolText.optional(),
});
export const GetPaymentRequestQuery = z.strictObject({
  waitSeconds: z.coerce.number().int().min(0).max(60).optional().describe('Long-poll: wait up to N seconds for a change'),
  unlessStatus: z.enum(PAYMENT_REQUEST_STATUSES).optional().describe('Answer as soon as the status is not this (default: the current status)'),
});
export const PageQuery = z.strictObject({ limit, cursor });
export const EventPageQuery = z.strictObject({ limit, cursor: eventCursor });
export const EventsQuery = z.strictObject({
  limit, cursor: eventCursor, objectId: z.string().optional(),
  // a type no event can have is refused, as an unknown status is on the request list
  type: z.enum(LISTED_EVENT_TYPES).optional(),
});
export const IdempotencyHeaders = z.object({ 'idempotency-key': z.string().min(1).max(255).optional() });

export const SandboxPayBody = z.strictObject({
  outcome: z.enum(['approve', 'decline', 'cancel', 'fail']),
  amount: Amount.optional().describe('Below the remainder: a partial payment; above: an overpayment'),
  method: PaymentMethod.optional(),
});
export const CheckInBody = z.strictObject({ patronId: Id('pat').optional() });
export const ClockAdvanceBody = z.strictObject({ seconds: z.number().int().positive().max(10 * 365 * 24 * 3600) });
export const ResolveBody = z.strictObject({ ref: z.string().min(1).max(255) });
export const RefundOutcomeBody = z.strictObject({ outcome: z.enum(['succeeded', 'failed']).describe('What the channel answers a refund it had answered pending (a crypto refund)') });
export const CreatePatronBody = z.strictObject({ name: z.string().min(1).max(100).optional(), age: z.number().int().min(0).max(150).optional().describe('In years: an age-restricted request refuses a younger patron') });
export const CreateEndpointBody = z.strictObject({
  url: HttpUrl,
  eventTypes: z.array(z.enum(EVENT_TYPES)).min(1).optional().describe('Default: every event type'),
  format: z.string().min(1).max(30).optional().describe('native (default: Standard Webhooks), or the name of a dialect with a webhook format of its own (see docs/webhooks.md)'),
});
export const CreateTerminalBody = z.strictObject({ name: z.string().min(1).max(100), storeId: Id('sto').optional() });

// --- responses (documented in OpenAPI and checked by the serializer) ---

const Timestamp = z.string().describe('ISO-8601 UTC with milliseconds');
const NullableTimestamp = Timestamp.nullable();

export const PaymentRequestObject = z.object({
  id: z.string(), object: z.literal('payment_request'), livemode: z.boolean(), merchantId: z.string(), storeId: z.string(), terminalId: z.string(),
  status: z.enum(PAYMENT_REQUEST_STATUSES), statusReason: z.string().nullable(), cancellationReason: z.string().nullable(), amount: z.number().int().nullable(), currency: z.string(),
  amountReceived: z.number().int(), amountAuthorized: z.number().int(), amountCaptured: z.number().int(), amountRefunded: z.number().int(),
  refundStatus: z.enum(['none', 'partial', 'full']), overpaid: z.boolean(), captureMode: z.enum(['automatic', 'manual']),
  reference: z.string().nullable(), externalRef: z.string().nullable().describe("The POS's own order id, as a dialect passes it: unlike reference, not unique"),
  minimumAge: z.number().int().nullable().describe('A patron younger than this cannot approve'), shortCode: z.string(), payUrl: z.string(), description: z.string().nullable(),
  lineItems: z.array(z.object({ name: z.string(), sku: z.string().optional(), quantity: z.number(), unitAmount: z.number(), discountAmount: z.number().optional(), taxRate: z.number().optional(), restricted: z.boolean().optional() })).nullable(),
  metadata: z.record(z.string(), z.string()), webhookUrl: z.string().nullable(), redirectUrl: z.string().nullable(),
  partialAllowed: z.boolean(), basketAmount: z.number().int().nullable(), patronNotPresent: z.boolean(), allowConcurrent: z.boolean(),
  allowedMethods: z.array(z.string()).nullable(), paymentMethod: z.string().nullable(),
  paymentMethodDetails: z.record(z.string(), z.unknown()).nullable().describe('What the chosen channel asked of the patron: prompt, account, crypto quote'),
  expiresAt: Timestamp, authorizationExpiresAt: NullableTimestamp, createdAt: Timestamp, updatedAt: Timestamp, version: z.number().int(),
}).meta({ id: 'PaymentRequest' });

export const RefundObject = z.object({
  id: z.string(), object: z.literal('refund'), livemode: z.boolean(), paymentRequestId: z.string(), amount: z.number().int(), currency: z.string(),
  status: z.enum(REFUND_STATUSES), reference: z.string(), reason: z.string().nullable(), captureMode: z.enum(['automatic', 'manual']),
  expiresAt: NullableTimestamp, createdAt: Timestamp, updatedAt: Timestamp, version: z.number().int(),
}).meta({ id: 'Refund' });

export const EventObject = z.object({
  id: z.string(), object: z.literal('event'), type: z.enum(LISTED_EVENT_TYPES), createdAt: Timestamp, livemode: z.boolean(), objectId: z.string(), sequence: z.number().int(),
  data: z.object({ object: z.union([PaymentRequestObject, RefundObject]) }),
}).meta({ id: 'Event' });

export const ListOf = <T extends z.ZodType>(item: T) => z.object({ object: z.literal('list'), data: z.array(item), hasMore: z.boolean(), nextCursor: z.string().nullable() });

export const ProblemObject = z.object({
  type: z.string(), title: z.string(), status: z.number().int(), detail: z.string(), code: z.enum(ERROR_CODES), param: z.string().optional(),
  errors: z.array(z.object({ code: z.enum(ERROR_CODES), param: z.string(), detail: z.string() })).optional().describe('Every bad field of a validation failure, the first being `param`'),
  requestId: z.string(),
}).meta({ id: 'Problem', description: 'RFC 9457 problem details; `code` is stable' });

// Each of these lists every field its renderer (../render.ts) writes: a response schema also
// serializes, and a field it does not name would be dropped from the answer.
export const TerminalObject = z.object({
  id: z.string(), object: z.literal('terminal'), merchantId: z.string(), storeId: z.string(), name: z.string().describe("The merchant's own terminal id"),
  checkInUrl: z.string().describe('What the terminal\'s static QR code holds: a patron scanning it checks in'), createdAt: Timestamp,
}).meta({ id: 'Terminal' });

export const ApiKeyObject = z.object({
  id: z.string(), object: z.literal('api_key'), livemode: z.boolean(), kind: z.enum(['secret', 'terminal']), mode: z.enum(['test', 'live']),
  merchantId: z.string(), terminalId: z.string().nullable(), last4: z.string(), createdAt: Timestamp, revokedAt: NullableTimestamp,
  secretKey: z.string().optional().describe('sk_…: only in the answer that made it (shown once)'),
  terminalKey: z.string().optional().describe('tk_…: only in the answer that made it (shown once)'),
  webhookSecret: z.string().optional().describe("whsec_…: only in the answer that made the key: the merchant's request-webhook secret of the key's mode, which signs the deliveries to a request's webhookUrl"),
}).meta({ id: 'ApiKey' });

export const WebhookEndpointObject = z.object({
  id: z.string(), object: z.literal('webhook_endpoint'), livemode: z.boolean(), url: z.string(), eventTypes: z.array(z.string()).nullable().describe('null: every event type'),
  format: z.string(), status: z.enum(['enabled', 'disabled']), disabledReason: z.string().nullable(), createdAt: Timestamp, updatedAt: Timestamp,
}).meta({ id: 'WebhookEndpoint' });
export const WebhookEndpointWithSecret = WebhookEndpointObject.extend({ secret: z.string().optional().describe("whsec_…: shown once; absent for a format signed with posgate's own key (nothing would use it)") }).meta({ id: 'WebhookEndpointWithSecret' });
export const DeletedWebhookEndpoint = WebhookEndpointObject.extend({ deleted: z.literal(true) }).meta({ id: 'DeletedWebhookEndpoint' });

export const DeliveryAttemptObject = z.object({
  id: z.string(), object: z.literal('delivery_attempt'), eventId: z.string(), endpointId: z.string().nullable().describe("null: the request's own webhookUrl"), url: z.string(),
  attemptedAt: Timestamp, statusCode: z.number().int().nullable(), latencyMs: z.number().int(), responseSnippet: z.string().nullable(), error: z.string().nullable(),
}).meta({ id: 'DeliveryAttempt' });
export const DeliveryAttempts = z.object({ data: z.array(DeliveryAttemptObject) });
export const QueuedDeliveries = z.object({
  object: z.literal('list'),
  data: z.array(z.object({ id: z.string(), object: z.literal('delivery'), eventId: z.string(), endpointId: z.string().nullable(), url: z.string(), status: z.string() })),
});

export const StoreObject = z.object({ id: z.string(), object: z.literal('store'), merchantId: z.string(), name: z.string(), createdAt: Timestamp }).meta({ id: 'Store' });
export const MerchantObject = z.object({
  id: z.string(), object: z.literal('merchant'), name: z.string(),
  underpaymentTolerancePercent: z.string().describe('Exact decimal text: a payment this much short of the amount still settles the request'),
  timeZone: z.string().nullable().describe('IANA time zone for local dates and times (null: none set)'), createdAt: Timestamp,
}).meta({ id: 'Merchant' });
export const NewMerchant = MerchantObject.extend({ stores: z.array(StoreObject) });
export const MerchantOverview = MerchantObject.extend({ stores: z.array(StoreObject), terminals: z.array(TerminalObject) });

export const PatronObject = z.object({
  id: z.string(), object: z.literal('patron'), livemode: z.boolean(), name: z.string(), age: z.number().int().nullable(),
  patronCode: z.string().describe('Single use: pass it as patronCode on create'), patronCodeExpiresAt: Timestamp, pageUrl: z.string(), createdAt: Timestamp,
}).meta({ id: 'Patron' });
export const TestClockObject = z.object({
  object: z.literal('test_clock'), now: Timestamp, offsetSeconds: z.number().int(), expired: z.number().int().describe('Requests the advance expired'),
}).meta({ id: 'TestClock' });
export const CheckInObject = z.object({
  object: z.literal('check_in'), terminalId: z.string(), patronId: z.string(), checkedInAt: Timestamp, paymentRequest: PaymentRequestObject.nullable(),
}).meta({ id: 'CheckIn' });
export const ResolvedReference = z.object({ id: z.string() });
