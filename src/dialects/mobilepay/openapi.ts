// What MobilePay's own OpenAPI document (/mobilepay/api/pos/openapi.json) says of each operation:
// its parameters, its answer and its refusals, all in the wrapper's envelope. The parameters may
// come in the query or in a JSON, XML or form body (params.ts reads them merged), so the schemas
// here only document: each route gets a validator that accepts everything and changes nothing,
// and the route goes on checking its parameters itself (p.read) and refusing in its own words.
import type { FastifySchemaCompiler, HTTPMethods } from 'fastify';
import { z } from 'zod';
import { dialectOperations } from '../shared/openapi.js';
import { CURRENCIES } from './params.js';
import { MOBILEPAY_STATUSES } from './statuses.js';

// ---- the envelope, in JSON and (same fields, as child elements of <Response>) in XML ----

const XML_NOTE = 'JSON by default; XML (`Accept: application/xml` or `text/xml`) has the same fields as child elements of `<Response>`, `null` as an empty element with `nil="true"`, and one `<string>` element per array entry.';

/** A list of strings: in XML, one <string> per entry. */
const strings = () => z.array(z.string().meta({ xml: { name: 'string' } })).meta({ xml: { wrapped: true } });
const nullable = <T extends z.ZodType>(schema: T) => schema.nullable();
const GUID_PATTERN = '^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$';
const guid = (description: string) => z.string().regex(new RegExp(GUID_PATTERN)).describe(description);
const GUID_ANSWER = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/).describe('A GUID');
const AMOUNT_ANSWER = z.string().regex(/^\d+\.\d{2}$/).describe('Major units with two decimals, e.g. "27.50"');
const STATUS = z.enum(MOBILEPAY_STATUSES);
const REFUND_STATUS = z.enum(['Initiated', 'Reserved', 'Captured', 'CancelledByClient', 'ExpiredAndCancelled', 'Rejected']);
const POLL_DELAY = z.number().int().describe('How long to wait before polling again (at most one poll per second)');

/** A success: `success` true, `errors` empty, and the operation's own fields. */
function success(fields: z.ZodRawShape) {
  return z.object({ success: z.literal(true), errors: strings().max(0), ...fields }).meta({ xml: { name: 'Response' } });
}

const Refusal = z.object({
  success: z.literal(false),
  errors: strings().min(1).describe('What was wrong, in words'),
  errorCode: z.string().nullable().describe("MobilePay PoS v10's error code (posgate's addition); null on 401 and on an unknown route"),
}).meta({ xml: { name: 'Response' } });

const media = (schema: z.ZodType) => ({ 'application/json': { schema }, 'application/xml': { schema } });
const refusal = (description: string) => ({ description: `${description}. ${XML_NOTE}`, content: media(Refusal) });

const REFUSALS = {
  400: refusal('A parameter is missing or invalid: 1099, or 1102 amount, 1105 userMinimumAge, 1113 orderId, 1114 refundOrderId'),
  401: refusal('accessToken or bioCode missing, unknown or reset (errorCode null)'),
  404: refusal('No such payment (1001), refund (1004), PoS or terminal (1000), store (1002); or no such route (null)'),
  409: refusal('The state does not allow it: 1300 (and 1301, 1303, 1304, 1305, 1306, 1351, 1352, 1354, 1355, 1200, 1201: docs/dialects/mobilepay.md)'),
  500: refusal('A fault of the gateway: 2000'),
  503: refusal('The database is away for a moment, or concurrent calls on the payment outlasted posgate\'s retries: 2000; retry after Retry-After'),
};
/** What only a call with a body can meet. */
const BODY_REFUSALS = {
  413: refusal('The body is larger than 256 KiB: 1099'),
  415: refusal('The body is neither JSON, XML nor a form: 1099'),
};

/** The answers an operation's document lists, by the status the dialect answers with. */
function responses(answer: z.ZodRawShape, withBody: boolean) {
  return {
    200: { description: `Done: \`success\` true with the operation's fields. ${XML_NOTE}`, content: media(success(answer)) },
    ...REFUSALS,
    ...(withBody ? BODY_REFUSALS : {}),
  };
}

// ---- the answers' fields (render.ts) ----

const POS_INFORMATION = z.object({
  beaconId: nullable(z.string()), merchantPosId: z.string(), name: z.string(), posId: nullable(GUID_ANSWER),
  requirePaymentBeforeCheckin: z.boolean(), storeId: GUID_ANSWER, supportedBeaconTypes: strings(), callbackAlias: nullable(z.string()),
});

export const ANSWERS = {
  qrCode: { qrCodeUrl: z.url().describe("A PNG of the terminal's check-in QR code (public link)") },
  paymentId: { paymentId: GUID_ANSWER },
  message: { message: z.string() },
  paymentDetails: {
    paymentId: GUID_ANSWER, posId: nullable(GUID_ANSWER), terminalId: z.string(), orderId: nullable(z.string()), amount: nullable(AMOUNT_ANSWER),
    currencyCode: z.string(), status: STATUS, reservedAmount: nullable(AMOUNT_ANSWER), capturedAmount: nullable(AMOUNT_ANSWER),
    refundedAmount: nullable(AMOUNT_ANSWER), userMinimumAge: nullable(z.number().int()), customerToken: z.null(), customerReceiptToken: z.null(),
    loyaltyIds: strings(), pollDelayInMs: POLL_DELAY,
  },
  paymentStatus: { status: STATUS, pollDelayInMs: POLL_DELAY },
  paymentIds: { paymentIds: strings().describe('Newest first, at most 100') },
  capture: { status: STATUS, capturedAmount: nullable(AMOUNT_ANSWER) },
  status: { status: STATUS },
  refundId: { refundId: GUID_ANSWER },
  refundDetails: {
    refundId: GUID_ANSWER, paymentId: GUID_ANSWER, refundOrderId: z.string(), amount: AMOUNT_ANSWER, currencyCode: z.string(), status: REFUND_STATUS, pollDelayInMs: POLL_DELAY,
  },
  refundIds: { refundIds: strings().describe('Oldest first, at most 100') },
  refundStatus: { status: REFUND_STATUS },
  token: { accessToken: z.string().describe('The new long-lived token'), message: z.string().describe('The token again, as Integra returns it') },
  posInformation: { posInformation: POS_INFORMATION },
  storeIds: { storeIds: strings() },
  store: { store: z.object({ storeId: GUID_ANSWER, storeName: z.string(), brandName: z.string() }) },
  checkIn: { isUserCheckedIn: z.boolean(), loyaltyIds: strings(), pollDelayInMs: POLL_DELAY },
} satisfies Record<string, z.ZodRawShape>;

// ---- the parameters, as params.ts checks them (surrounding spaces are trimmed first) ----

const AMOUNT_PATTERN = /^\d{1,11}(\.\d{1,2})?$/;
const bounded = (max: number, description: string) => z.string().min(1).max(max).describe(`${description} (1 to ${max} characters)`);
const amount = z.string().regex(AMOUNT_PATTERN).describe('A positive decimal in major units with at most 2 decimals and at most 10000000000, e.g. "27.00" (a JSON body may send a number); never rounded');
const status = z.enum(MOBILEPAY_STATUSES);

export const PARAMS = {
  orderId: bounded(36, "The POS's order id"),
  terminalId: bounded(200, "The merchant's terminal id (the posgate terminal's name)"),
  posId: guid('The PoS of a terminal (manage/create)'),
  storeId: guid('A store of the merchant (manage/stores)'),
  paymentId: guid('The payment (payment/start or payment/prepare)'),
  refundId: guid('The refund (refund/create)'),
  refundOrderId: bounded(36, "The POS's refund id, unique per payment"),
  amount,
  currencyCode: z.enum(CURRENCIES).describe('DKK when absent'),
  userMinimumAge: z.string().regex(/^\d{1,2}$/).describe('The youngest age allowed to pay, in whole years from 0 to 99 (0: none)'),
  state: status.describe('Only these payments (the active ones when absent)'),
  paymentState: status.describe('Only a payment in this state'),
  bioCode: z.string().min(1).describe("The merchant's bioCode (`posgate credentials --json`)"),
  accessToken: z.string().min(1).meta({ format: 'password' }).describe("The merchant's accessToken: a secret"),
  previousAccessToken: z.string().min(1).meta({ format: 'password' }).describe('The current accessToken, which the reset replaces: a secret'),
};

// ---- an operation's part of the document ----

export interface OperationDoc {
  /** The operationId of its GET form; another method's form appends the method's name (createRefundPost). */
  id: string;
  summary: string;
  description?: string;
  /** The wrapper's group on its help page. */
  tag: 'PointOfSalesPayments' | 'PointOfSalesRefunds' | 'PointOfSalesManagement';
  /** Its parameters beside the credentials, optional ones `.optional()`. */
  params: z.ZodRawShape;
  answer: z.ZodRawShape;
}

/** How an operation authenticates: accessToken + bioCode, or only the parameters it names (the token calls). */
export type Credentials = 'token' | 'own';

/** The document's schemas only describe: Fastify runs this validator, which passes everything as it is. */
const describeOnly: FastifySchemaCompiler<unknown> = () => () => true;

const TOKEN_IN_URL = 'Its POST variant takes the same parameters in a body, which keeps the secret out of URLs: prefer it.';

/** The route options of one method of an operation: its part of the document, and no validation. */
export function documented(doc: OperationDoc, method: HTTPMethods, credentials: Credentials, methods: readonly HTTPMethods[]) {
  const withBody = method === 'POST';
  const operationId = method === 'GET' ? doc.id : `${doc.id}${method[0]}${method.slice(1).toLowerCase()}`;
  const shape: z.ZodRawShape = credentials === 'token' ? { ...doc.params, bioCode: PARAMS.bioCode } : doc.params;
  const notes = [doc.description];
  let parts: { querystring?: z.ZodType; body?: z.ZodType };
  let security: Record<string, string[]>[] | undefined;
  if (withBody) {
    // the credentials travel in the body: OpenAPI has no security scheme for a body field
    parts = { body: z.object(credentials === 'token' ? { ...shape, accessToken: PARAMS.accessToken } : shape) };
    security = [];
    notes.push(`The parameters${credentials === 'token' ? ', accessToken and bioCode included,' : ''} are the fields of a JSON object, of a form, or the child elements of one XML root element (any name); query parameters are read too, body fields win.`);
  } else {
    parts = Object.keys(shape).length > 0 ? { querystring: z.object(shape) } : {};
    // the token calls check their own parameters; the others take accessToken as the scheme says
    if (credentials === 'own') security = [];
    const secret = credentials === 'token' || 'previousAccessToken' in shape;
    if (secret && methods.includes('POST')) notes.push(TOKEN_IN_URL);
  }
  const options = dialectOperations(doc.tag, responses(doc.answer, method !== 'GET'))(operationId, doc.summary, parts);
  const description = notes.filter(Boolean).join(' ');
  return {
    ...options,
    schema: { ...options.schema, ...(description ? { description } : {}), ...(withBody ? { consumes: ['application/json', 'application/xml', 'application/x-www-form-urlencoded'] } : {}), ...(security ? { security } : {}) },
    validatorCompiler: describeOnly,
  };
}

export const MOBILEPAY_OPENAPI = {
  title: 'posgate: the MobilePay PoS API (Integra wrapper)',
  description: 'The Integra MobilePay PoS wrapper as posgate serves it under /mobilepay/api/pos (docs/dialects/mobilepay.md): every operation a GET with query parameters, some also a POST with the same parameters in a JSON, XML or form body; amounts as decimal strings in major units; every answer the envelope `{success, errors, …}` (with `errorCode` when refused), in JSON, or in XML when Accept asks for it.',
  securitySchemes: {
    accessToken: {
      type: 'apiKey', in: 'query', name: 'accessToken',
      description: "The merchant's long-lived token (mobilepay.accessToken of `posgate credentials --json`, or manage/token), sent with the merchant's bioCode as a parameter. A POST variant takes both in its body instead, keeping the token out of URLs.",
    },
  },
};
