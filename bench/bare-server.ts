// The baseline: bare Fastify answering POST /v1/payment-requests with a payment-request-shaped
// body (36 fields, as posgate renders one) and no auth, validation or storage.
import { randomUUID } from 'node:crypto';
import fastify from 'fastify';

export interface BareServer {
  url: string;
  close(): Promise<void>;
}

function paymentRequestLike(body: unknown) {
  const input = (body ?? {}) as { amount?: number; currency?: string; terminalId?: string; allowConcurrent?: boolean };
  const id = `pr_${randomUUID().replaceAll('-', '').slice(0, 26).toUpperCase()}`;
  const now = new Date();
  return {
    id, object: 'payment_request', livemode: false,
    merchantId: 'mer_01M7Y6VZJ8DYK31NVSA67PAP5S', storeId: 'sto_01M7Y6VZJ9SP3YY7ZV5BPTKD2C', terminalId: input.terminalId ?? null,
    status: 'created', statusReason: null, amount: input.amount ?? 0, currency: input.currency ?? 'NZD',
    amountReceived: 0, amountAuthorized: 0, amountCaptured: 0, amountRefunded: 0, refundStatus: 'none', overpaid: false,
    captureMode: 'automatic', reference: null, shortCode: 'MC7-ZZ2-NF6', payUrl: `http://127.0.0.1/pay/${id}`,
    description: null, lineItems: null, metadata: {}, webhookUrl: null, redirectUrl: null, partialAllowed: false,
    basketAmount: null, patronNotPresent: false, allowConcurrent: input.allowConcurrent ?? false, allowedMethods: null,
    paymentMethod: null, expiresAt: new Date(now.getTime() + 120_000).toISOString(), authorizationExpiresAt: null,
    createdAt: now.toISOString(), updatedAt: now.toISOString(), version: 1,
  };
}

export async function startBareServer(): Promise<BareServer> {
  const server = fastify({ logger: false });
  server.post('/v1/payment-requests', async (req, reply) => reply.code(201).send(paymentRequestLike(req.body)));
  const url = await server.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => server.close() };
}
