// What KPAY's own OpenAPI document (/kpay/openapi.json) says of each route: its answers, all in
// KPAY's envelope. The bodies are documented by the routes' own zod schemas, which the routes still
// check themselves (parseStrict: KPAY's codes), so validation is attached, never thrown, by Fastify.
import { z } from 'zod';
import { MAX_AMOUNT } from '../../core/money.js';
import { dialectOperations } from '../shared/openapi.js';

/** The schema of a kobo amount as decimal text, said as a pattern too (the refinement is not JSON Schema). */
export const KOBO_PATTERN = `^(?:[1-9][0-9]{0,${String(MAX_AMOUNT).length - 2}}|${MAX_AMOUNT})$`;

// loose: the envelope's data is the request as KPAY shows it, passed through as rendered
const Envelope = z.looseObject({
  responseCode: z.string().describe('00 successful, 09 pending, 12 invalid transaction, 25 not found, 26 duplicate, 30 format error, 63 security violation, 96 system malfunction'),
  responseMessage: z.string(),
  data: z.unknown().describe('The payment request (null on an error)'),
});
const answer = (description: string) => ({ description, content: { 'application/json': { schema: Envelope } } });

const RESPONSES = {
  200: answer('00 or 09 with the payment request; a business refusal (12, 25, 26) with data null'),
  400: answer('30: the body or a parameter is malformed'),
  401: answer('63: no key, or an unknown or revoked one'),
  404: answer('25: no such route'),
  409: answer('96: a concurrent change; retry'),
  500: answer('96: a fault of the gateway'),
  503: answer('96: the database is away for a moment; retry after Retry-After'),
};

const operation = dialectOperations('KPAY', RESPONSES);

/** A route's part of the document. */
export const documented = (operationId: string, summary: string, body?: z.ZodType) => operation(operationId, summary, body ? { body } : {});

export const KPAY_OPENAPI = {
  title: 'posgate: the KPAY PR API',
  description: "KPAY's payment-request API as posgate serves it under /kpay (docs/dialects/kpay.md): amounts in kobo as decimal text, KPAY's envelope and response codes.",
  securitySchemes: { secretKey: { type: 'http', scheme: 'bearer', description: 'The kpay.secretKey of `posgate credentials --json`' } },
};
