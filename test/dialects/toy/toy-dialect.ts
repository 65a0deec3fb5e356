// A dialect that exists only in the tests: it proves that an API surface is added through the
// dialect contract alone (its settings, routes, credential set, secret parameters and webhook
// format), with nothing in src/ naming it.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createDialectCredential } from '../../../src/app/use-cases/dialect-credentials.js';
import { authenticate } from '../../../src/app/use-cases/merchants.js';
import { createPaymentRequest, getPaymentRequest } from '../../../src/app/use-cases/payment-requests.js';
import { inTransaction } from '../../../src/app/unit-of-work.js';
import type { PaymentRequest } from '../../../src/core/payment-request.js';
import { isDomainError } from '../../../src/core/errors.js';
import type { Dialect } from '../../../src/dialects/dialect.js';

const Settings = z.object({
  TOY_CURRENCY: z.string().regex(/^[A-Z]{3}$/, 'a three-letter currency code').default('NZD').describe('toy: the currency of every sale'),
});

const render = (request: PaymentRequest) => ({ toy: { sale: request.id, cents: request.amount, state: request.status } });

export const toy: Dialect<z.infer<typeof Settings>> = {
  name: 'toy',
  prefix: '/toy',
  settings: Settings,
  async mount(fastify: FastifyInstance, context) {
    await fastify.register(async (t) => {
      t.setErrorHandler((error, _request, reply) => reply.status(isDomainError(error) ? 418 : 500).send({ toyError: isDomainError(error) ? error.code : 'bug' }));
      t.addHook('onRequest', async (request) => {
        const token = (request.query as { toyToken?: string }).toyToken;
        (request as { toyCaller?: unknown }).toyCaller = await authenticate(context.app, token, 'toy');
      });
      t.post('/sales', async (request, reply) => {
        const caller = (request as unknown as { toyCaller: Parameters<typeof createPaymentRequest>[1] }).toyCaller;
        const cents = Number((request.body as { cents?: unknown }).cents);
        const { request: created } = await inTransaction(context.app, (unit) =>
          createPaymentRequest(unit, caller, { amount: cents, currency: context.settings.TOY_CURRENCY, allowConcurrent: true }, `toy:${cents}:${Date.now()}`));
        return reply.status(201).send(render(created));
      });
      t.get('/sales/:id', async (request) => {
        const caller = (request as unknown as { toyCaller: Parameters<typeof getPaymentRequest>[1] }).toyCaller;
        return render(await getPaymentRequest(context.app, caller, (request.params as { id: string }).id));
      });
    }, { prefix: '/toy' });
  },
  credentials: {
    options: z.strictObject({ note: z.string().max(20).optional().describe('echoed back in the set') }),
    async issue(unit, merchantId, options) {
      const { terminalKey } = await createDialectCredential(unit, { dialect: 'toy', lookupPrefix: 'toy_', secretPrefix: '' }, merchantId, { livemode: false, issueSecret: false, terminalKey: true });
      return { toyToken: terminalKey!.secret, terminalId: terminalKey!.terminal.id, ...(options.note ? { note: options.note } : {}) };
    },
  },
  secretParameters: ['toyToken'],
  webhook: () => async ({ event }) => ({ body: JSON.stringify({ toyEvent: event.type, sale: event.paymentRequestId }), headers: { 'x-toy': 'yes' } }),
};
