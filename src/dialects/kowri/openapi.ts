// What Kowri's own OpenAPI document (/kowri/openapi.json) says of each operation: its body (the
// very zod schema the route parses it with) and its answers, all in Kowri's envelope. Validation is
// attached, never thrown, by Fastify: the route checks the body itself, after the credentials.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { dialectOperations } from '../shared/openapi.js';
import { KOWRI_ERRORS, type KowriStatusCode } from './errors.js';

const STATUS_CODES = ['SUCCESS', 'INVALID_REQUEST', 'UNAUTHORIZED', 'NOT_FOUND', 'DUPLICATE_REQUEST', 'SYSTEM_ERROR'] as const satisfies readonly KowriStatusCode[];

const RequestId = z.string().nullable().describe("The body's requestId (null when it had none)");
const StatusMessage = z.string().describe('"Successful", or what was wrong, naming the field');

// loose, every field as sent: the schema of a status also serializes its answers, which pass unchanged
const Envelope = z.looseObject({
  requestId: RequestId,
  success: z.boolean(),
  statusCode: z.enum(STATUS_CODES),
  statusMessage: StatusMessage,
  result: z.unknown().describe("The operation's result (null on a refusal)"),
});

/** The refusals sent with an HTTP status (KOWRI_ERROR_STATUS=strict): their statusCodes by the table of errors.ts. */
function Refusal(status: number) {
  const codes = [...new Set(Object.values(KOWRI_ERRORS).filter(([, sent]) => sent === status).map(([code]) => code))];
  if (codes.length === 0) throw new Error(`no Kowri refusal is sent with HTTP ${status}`);
  return z.looseObject({ requestId: RequestId, success: z.literal(false), statusCode: z.enum(codes as [KowriStatusCode, ...KowriStatusCode[]]), statusMessage: StatusMessage, result: z.null() });
}

const answer = (description: string, schema: z.ZodType) => ({ description, content: { 'application/json': { schema } } });
const refusal = (status: number, description: string) => answer(description, Refusal(status));

// KOWRI_ERROR_STATUS=strict (the default); `provider` answers every refusal below 500 with 200
const RESPONSES = {
  200: answer('SUCCESS with the result; a business refusal (INVALID_REQUEST, NOT_FOUND, DUPLICATE_REQUEST) with success false and result null; with KOWRI_ERROR_STATUS=provider, every refusal but a server fault', Envelope),
  400: refusal(400, 'INVALID_REQUEST: a field is missing or invalid, or the body is not JSON'),
  401: refusal(401, 'UNAUTHORIZED: no appId header, appReference or secret, or ones that do not match a Kowri app'),
  409: refusal(409, 'DUPLICATE_REQUEST: a call with this requestId is still being answered; SYSTEM_ERROR: a concurrent change. Retry with the same requestId'),
  413: refusal(413, 'INVALID_REQUEST: the body is too large'),
  415: refusal(415, 'INVALID_REQUEST: the body is not application/json'),
  500: refusal(500, 'SYSTEM_ERROR: a fault of the gateway; retry with the same requestId'),
  503: refusal(503, 'SYSTEM_ERROR: the database is away for a moment; retry after Retry-After, with the same requestId'),
};

const operation = dialectOperations('Kowri WebPOS', RESPONSES);
const sandboxOperation = dialectOperations('Kowri WebPOS', { ...RESPONSES, 403: refusal(403, 'UNAUTHORIZED: a live-mode app (the sandbox is for test-mode apps)') });

/** An operation's name in the document and what it does; a test-mode-only one may answer 403. */
export interface KowriOperation {
  operationId: string;
  summary: string;
  testModeOnly?: boolean;
}

// Fastify replaces a body its schema accepts by what the schema parsed it to (amounts in pesewas,
// unknown fields dropped); the route parses the body as sent, and fingerprints it for its requestId
const sent = new WeakMap<FastifyRequest, unknown>();
const keepBody = {
  preValidation: async (request: FastifyRequest) => {
    sent.set(request, request.body);
  },
  preHandler: async (request: FastifyRequest) => {
    if (sent.has(request)) request.body = sent.get(request);
  },
};

/** An operation's route options: its part of the document, and its body left as sent. */
export function documented(op: KowriOperation, body: z.ZodType) {
  return { ...(op.testModeOnly ? sandboxOperation : operation)(op.operationId, op.summary, { body }), ...keepBody };
}

export const KOWRI_OPENAPI = {
  title: 'posgate: the Kowri WebPOS Merchant API',
  description: "Kowri's WebPOS Merchant API as posgate serves it under /kowri (docs/dialects/kowri.md): every operation a POST of a JSON body carrying requestId (its idempotency key), appReference and secret, with the appId header; every answer in Kowri's envelope {requestId, success, statusCode, statusMessage, result}; amounts in GHS cedis with at most 2 decimals. The statuses are those of KOWRI_ERROR_STATUS=strict, the default; with `provider` every refusal but a server fault answers 200.",
  securitySchemes: {
    appId: { type: 'apiKey', in: 'header', name: 'appId', description: 'The kowri.appId of `posgate credentials --json`; every body also carries the set\'s appReference and secret' },
  },
};
