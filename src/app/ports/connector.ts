import type { PaymentRequest } from '../../core/payment-request.js';
import type { Refund } from '../../core/refund.js';

export const CHANNELS = ['card', 'mobile_money', 'bank_transfer', 'wallet', 'crypto'] as const;
export type Channel = (typeof CHANNELS)[number];
export const MOBILE_MONEY_PROVIDERS = ['MTN', 'VODAFONE', 'AIRTELTIGO'] as const;
export const CRYPTO_NETWORKS = ['onchain', 'lightning'] as const;

/** What the patron picked on the pay page (or a dialect on their behalf). */
export interface ChannelChoice {
  channel: Channel;
  /** Mobile money: the patron's number, digits with an optional leading +. */
  phone?: string;
  provider?: (typeof MOBILE_MONEY_PROVIDERS)[number];
  /** Crypto: on-chain BTC or Lightning. */
  network?: (typeof CRYPTO_NETWORKS)[number];
}

/**
 * The payment channel behind a request: where money actually moves. The sandbox simulates it.
 * `authorize`, `capture`, `release` and `refund` are channel commands (core/channel-command.ts):
 * each is recorded before it is called and called outside any transaction, with an `idempotencyId`
 * that the same operation always carries again. A channel must act once per id: a call repeated
 * with an id it has seen answers what it answered the first time.
 */
/** methodDetails keys whose whole-number values are minor units of the request's currency (Connector.instructions). */
export const METHOD_DETAIL_MONEY_KEYS: readonly string[] = ['amount', 'owed'];

export interface Connector {
  /** The channels that can pay this request at all (e.g. crypto only where there is an exchange rate). */
  channels(request: PaymentRequest): Channel[];
  /**
   * What the patron must do to pay `amount` on the chosen channel: the prompt sent to a phone,
   * the account to transfer to, a crypto quote with its expiry. Stored as the request's methodDetails.
   * Its fields are the channel's own, read by a convention that lets a page show them without
   * knowing the channel: a whole number under one of METHOD_DETAIL_MONEY_KEYS is minor units of the
   * request's currency, and one under a key ending in `At` is a time (ms since the epoch).
   * Throws a DomainError when the choice is unusable (e.g. no phone for mobile money).
   */
  instructions(request: PaymentRequest, choice: ChannelChoice, amount: number, now: number): Promise<Record<string, unknown>>;
  /**
   * The inbound "patron paid" path: the patron approved `amount` on the channel; the channel
   * authorizes it (the funds are taken or reserved) or declines it.
   */
  authorize(request: PaymentRequest, payment: { amount: number; method: string }, idempotencyId: string): Promise<'approved' | 'declined'>;
  /**
   * Takes `amount` of an authorization. `final`: the rest is released; not final (a pre-auth's
   * confirmation): the rest stays reserved for more captures or a release.
   */
  capture(request: PaymentRequest, amount: number, options: { final: boolean }, idempotencyId: string): Promise<'succeeded' | 'failed'>;
  /** Releases an authorization that will not be captured (cancel, expiry). */
  release(request: PaymentRequest, idempotencyId: string): Promise<void>;
  /** Sends a refund to the channel; `succeeded` settles it at once, `pending` waits for the channel. */
  refund(request: PaymentRequest, refund: Refund, idempotencyId: string): Promise<'succeeded' | 'pending' | 'failed'>;
}
