// `npx tsx bench/response-schema.ts`: what checking a request's body and writing its answer cost,
// with fastify-type-provider-zod's own compilers (the runtime parser; the answer encoded) against
// src/http/zod-compilers.ts (the schemas compiled by z.compile), for a native create: its body and
// the payment request it answers with. A loop in one thread, µs per call; both must give the same
// JSON and the same value, or the script fails.
import { isDeepStrictEqual } from 'node:util';
import { serializerCompiler as providerSerializer, validatorCompiler as providerValidator } from 'fastify-type-provider-zod';
import { CreatePaymentRequestBody, PaymentRequestObject } from '../src/dialects/native/schemas.js';
import { serializerCompiler, validatorCompiler } from '../src/http/zod-compilers.js';

const at = '2026-12-06T12:00:00.000Z';
const answer = {
  id: 'pr_01M95VP0BFR22DZS563A1AFTSW', object: 'payment_request', livemode: false, merchantId: 'mer_01M7Y6VZJ8DYK31NVSA67PAP5S',
  storeId: 'sto_01M7Y6VZJ9SP3YY7ZV5BPTKD2C', terminalId: 'term_01M7Y6VZJ9SP3YY7ZV5BPTKD2D', status: 'created', statusReason: null,
  cancellationReason: null, amount: 1500, currency: 'NZD', amountReceived: 0, amountAuthorized: 0, amountCaptured: 0, amountRefunded: 0,
  refundStatus: 'none', overpaid: false, captureMode: 'automatic', reference: 'order-1', externalRef: null, minimumAge: null,
  shortCode: 'MC7-ZZ2-NF6', payUrl: 'http://127.0.0.1:3000/pay/pr_01M95VP0BFR22DZS563A1AFTSW', description: null,
  lineItems: [{ name: 'Flat white', quantity: 2, unitAmount: 750 }], metadata: { table: '4' }, webhookUrl: null, redirectUrl: null,
  partialAllowed: false, basketAmount: null, patronNotPresent: false, allowConcurrent: true, allowedMethods: null, paymentMethod: null,
  paymentMethodDetails: null, expiresAt: at, authorizationExpiresAt: null, createdAt: at, updatedAt: at, version: 1,
};
const body = { amount: 1500, currency: 'NZD', terminalId: 'term_01M7Y6VZJ9SP3YY7ZV5BPTKD2D', reference: 'order-1', allowConcurrent: true };

const route = { method: 'POST', url: '/v1/payment-requests' };
const write = { provider: providerSerializer({ ...route, httpStatus: '201', schema: PaymentRequestObject }), ours: serializerCompiler({ ...route, httpStatus: '201', schema: PaymentRequestObject }) };
const check = { provider: providerValidator({ ...route, httpPart: 'body', schema: CreatePaymentRequestBody }), ours: validatorCompiler({ ...route, httpPart: 'body', schema: CreatePaymentRequestBody }) };
if (write.provider(answer) !== write.ours(answer)) throw new Error('the two serializers write different JSON');
if (!isDeepStrictEqual(check.provider(body), check.ours(body)) || 'error' in (check.ours(body) as object)) throw new Error('the two validators disagree, or refuse the body');

function microsPerCall(f: () => unknown): number {
  for (let i = 0; i < 50_000; i++) f();
  const calls = 200_000;
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) f();
  return Number(process.hrtime.bigint() - start) / calls / 1000;
}
const row = (what: string, provider: number, ours: number) => `${what.padEnd(36)}${provider.toFixed(2).padStart(10)}${ours.toFixed(2).padStart(10)}\n`;
process.stdout.write(`${'µs per call'.padEnd(36)}${'provider'.padStart(10)}${'compiled'.padStart(10)}\n`);
process.stdout.write(row('check the create body', microsPerCall(() => check.provider(body)), microsPerCall(() => check.ours(body))));
process.stdout.write(row('write the payment request (JSON)', microsPerCall(() => write.provider(answer)), microsPerCall(() => write.ours(answer))));
process.stdout.write(row('JSON.stringify alone', microsPerCall(() => JSON.stringify(answer)), microsPerCall(() => JSON.stringify(answer))));
