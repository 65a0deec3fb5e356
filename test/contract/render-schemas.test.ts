// A response schema also serializes: a field a renderer writes that its schema does not name is
// dropped from the answer without a word. Every renderer's fields must be in its schema.
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import * as render from '../../src/dialects/native/render.js';
import * as s from '../../src/dialects/native/schemas.js';

/** Any object: every field reads 0, except those given (renderers only copy and format fields). */
const fake = (fields: Record<string, unknown> = {}): any => new Proxy(fields, { get: (target, key) => (key in target ? target[key as string] : 0) });

const pairs: [string, Record<string, unknown>, z.ZodObject][] = [
  ['payment request', render.renderPaymentRequest(fake({ metadata: {} }), 'http://x'), s.PaymentRequestObject],
  ['refund', render.renderRefund(fake()), s.RefundObject],
  ['terminal', render.renderTerminal(fake(), 'http://x'), s.TerminalObject],
  ['merchant key', render.renderIssuedKey({ key: fake({ kind: 'secret', mode: 'test' }), secret: 'sk' }), s.ApiKeyObject],
  ['terminal key', render.renderIssuedKey({ key: fake({ kind: 'terminal', mode: 'test' }), secret: 'tk' }), s.ApiKeyObject],
  ['webhook endpoint', render.renderEndpoint(fake()), s.WebhookEndpointObject],
  ['delivery attempt', render.renderAttempt(fake()), s.DeliveryAttemptObject],
  ['merchant', render.renderMerchant(fake()), s.MerchantObject],
  ['store', render.renderStore(fake()), s.StoreObject],
];

describe('native renderers and their response schemas', () => {
  for (const [what, rendered, schema] of pairs) {
    it(`the ${what} schema names every field its renderer writes`, () => {
      const named = Object.keys(schema.shape);
      expect(Object.keys(rendered).filter((key) => !named.includes(key))).toEqual([]);
    });
  }
});
