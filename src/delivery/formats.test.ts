// Delivery formats: native is today's body with Standard Webhooks headers; the router picks by
// the delivery's format and falls back to native for a format without a renderer.
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../app/ports/persistence.js';
import type { DeliveryJob, RenderDelivery } from '../app/use-cases/deliveries.js';
import type { Delivery } from '../core/webhooks.js';
import { byFormat, standardWebhooksFormat } from './formats.js';
import { generateWebhookSecret, verifySignature } from './signing.js';

const secret = generateWebhookSecret();
const event = { id: 'evt_1', type: 'payment_request.created' } as StoredEvent;
const job = (format: string): DeliveryJob => ({ delivery: { id: 'dlv_1', format } as Delivery, event, secrets: [secret] });

describe('standardWebhooksFormat', () => {
  it('sends the body it is given, signed as Standard Webhooks v1 for this attempt', async () => {
    const rendered = await standardWebhooksFormat((e) => JSON.stringify({ id: e.id }))(job('native'), 1_760_000_000);
    expect(rendered?.body).toBe('{"id":"evt_1"}');
    expect(rendered?.headers).toMatchObject({ 'webhook-id': 'evt_1', 'webhook-timestamp': '1760000000' });
    expect(verifySignature({
      id: 'evt_1', timestamp: '1760000000', body: rendered!.body, signatureHeader: rendered!.headers['webhook-signature'] as string, secret, nowSeconds: 1_760_000_000,
    })).toBe(true);
  });
});

describe('byFormat', () => {
  const named = (name: string): RenderDelivery => async () => ({ body: name, headers: {} });
  const render = byFormat({ centrapay: named('centrapay'), quiet: async () => null }, named('native'));

  it("picks the delivery's format, native for one without a renderer, and passes a format's null through", async () => {
    expect((await render(job('centrapay'), 0))?.body).toBe('centrapay');
    expect((await render(job('mobilepay'), 0))?.body).toBe('native');
    expect((await render(job('toString'), 0))?.body, 'only own keys are formats').toBe('native');
    expect(await render(job('quiet'), 0)).toBeNull();
  });
});
