// Choosing how to pay: the connector says what the patron must do, and the request remembers it.
import { amounts } from '../../core/amounts.js';
import { DomainError } from '../../core/errors.js';
import * as pr from '../../core/payment-request.js';
import type { PaymentRequest } from '../../core/payment-request.js';
import type { Channel, ChannelChoice } from '../ports/connector.js';
import type { Work } from '../unit-of-work.js';
import { commit } from './payment-requests.js';

/** What a sandbox caller that named only a method chooses: sandbox defaults for the rest. */
export function sandboxChoice(channel: Channel): ChannelChoice {
  return channel === 'mobile_money' ? { channel, provider: 'MTN', phone: '+233200000000' } : { channel };
}

/**
 * The channel's instructions for paying what is still owed, without recording a choice: what a POS
 * shows before anyone engages (a crypto quote printed with the sale), and what `choose` records.
 * `param` is the caller's name for the channel (the pay page's `channel`, the native sandbox's `method`).
 */
export async function offerInstructions(unit: Work, request: PaymentRequest, choice: ChannelChoice, now: number, param = 'channel'): Promise<Record<string, unknown>> {
  const available = channelsFor(unit.app.connector.channels(request), request);
  if (!available.includes(choice.channel)) {
    const paidThrough = pr.paidChannelOf(request);
    throw new DomainError('method_not_allowed', paidThrough
      ? `Part of this request was paid by ${paidThrough}: the rest must be paid by ${paidThrough} too.`
      : `This request can be paid by ${available.join(', ')}.`, param);
  }
  if (!pr.canApply(request.status, 'engage')) throw pr.refusal(request, 'pay');
  const owed = amounts(request).outstanding ?? 0;
  return { ...(await unit.app.connector.instructions(request, choice, owed, now)), owed };
}

/** Asks the connector for the channel's instructions (for what is still owed) and records the choice. */
export async function choose(unit: Work, request: PaymentRequest, choice: ChannelChoice, now: number, param = 'channel'): Promise<PaymentRequest> {
  const details = await offerInstructions(unit, request, choice, now, param);
  return commit(unit, request, pr.chooseMethod(request, choice.channel, details, now));
}

/**
 * The channels a patron is offered: what the connector can do, within what the request allows;
 * once part is paid, only the channel it came through (core's paidChannelOf).
 */
export function channelsFor(connectorChannels: Channel[], request: PaymentRequest): Channel[] {
  const paidThrough = pr.paidChannelOf(request);
  return connectorChannels.filter((c) => (!request.allowedMethods || request.allowedMethods.includes(c)) && (paidThrough === null || c === paidThrough));
}

/** The choice behind the request's current instructions (to ask the connector again). */
function currentChoice(request: PaymentRequest): ChannelChoice | null {
  const details = request.methodDetails;
  if (!request.paymentMethod || !details) return null;
  return { channel: request.paymentMethod as Channel, phone: details.phone as string | undefined, provider: details.provider as ChannelChoice['provider'], network: details.network as ChannelChoice['network'] };
}

/**
 * Instructions always describe what is still owed now: after a partial payment, and once a crypto
 * quote has run out, the connector is asked again (a fresh quote, the remaining amount).
 */
export async function refreshInstructions(unit: Work, request: PaymentRequest, now: number): Promise<PaymentRequest> {
  const choice = currentChoice(request);
  if (!choice || !pr.canApply(request.status, 'engage') || request.amount === null) return request;
  const owed = amounts(request).outstanding ?? 0;
  const details = request.methodDetails ?? {};
  const quoteExpired = details.channel === 'crypto' && now >= Number(details.expiresAt);
  const stale = details.owed !== owed;
  if (!quoteExpired && !stale) return request;
  return choose(unit, request, choice, now);
}

/** A crypto quote that has run out must be refreshed (choose again) before it is paid. */
export function assertQuoteCurrent(request: PaymentRequest, now: number): void {
  const expiresAt = request.methodDetails?.channel === 'crypto' ? Number(request.methodDetails.expiresAt) : null;
  if (expiresAt !== null && now >= expiresAt)
    throw new DomainError('invalid_state', 'The crypto quote has expired; choose the channel again for a fresh quote.', 'channel', { status: request.status, quote: 'expired' });
}
