// @posgate/client: the posgate native API for POS developers, in the shape Stripe's client made
// familiar. No dependency beyond the platform's fetch, streams and Web Crypto.
import { Events } from './events.js';
import { PaymentRequests, Refunds } from './payment-requests.js';
import { Reports, Terminals, WebhookEndpoints } from './merchant.js';
import { Sandbox } from './sandbox.js';
import { realSleep, Transport, type TransportOptions } from './transport.js';
import { verifyWebhook, type HeaderBag, type VerifyOptions } from './webhooks.js';
import type { Event } from './types.js';

export interface PosgateOptions extends TransportOptions {
  /** Now, in ms since the epoch (default Date.now): waitUntilFinal's deadline. */
  now?: () => number;
}

export class Posgate {
  readonly paymentRequests: PaymentRequests;
  readonly refunds: Refunds;
  readonly events: Events;
  readonly sandbox: Sandbox;
  readonly webhookEndpoints: WebhookEndpoints;
  readonly terminals: Terminals;
  readonly reports: Reports;
  /** Standard Webhooks verification of what posgate sends to your endpoint. */
  readonly webhooks = {
    verify: (rawBody: string | Uint8Array, headers: HeaderBag, secret: string, options?: VerifyOptions): Promise<Event> => verifyWebhook(rawBody, headers, secret, options),
  };

  constructor(options: PosgateOptions) {
    const transport = new Transport(options);
    this.paymentRequests = new PaymentRequests(transport, options.now ?? Date.now);
    this.refunds = new Refunds(transport);
    this.events = new Events(transport, options.sleep ?? realSleep, options.random ?? Math.random);
    this.sandbox = new Sandbox(transport);
    this.webhookEndpoints = new WebhookEndpoints(transport);
    this.terminals = new Terminals(transport);
    this.reports = new Reports(transport);
  }
}

export { PosgateError, WebhookVerificationError, type FieldError, type ProblemBody } from './errors.js';
export { verifyWebhook, type HeaderBag, type VerifyOptions } from './webhooks.js';
export type { RequestOptions, TransportOptions } from './transport.js';
export type { StreamOptions } from './events.js';
export type { WaitOptions } from './payment-requests.js';
export * from './types.js';
export type { components, operations, paths } from './openapi.js';
