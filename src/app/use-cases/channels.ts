// Choosing how to pay: the connector says what the patron must do, and the request remembers it.
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

/** Asks the connector for the channel's instructions (for what is still owed) and records the choice. */
export async function choose(unit: Work, request: PaymentRequest, choice: ChannelChoice, now: number): Promise<PaymentRequest> {
  if (request.allowedMethods && !request.allowedMethods.includes(choice.channel))
    throw new DomainError('method_not_allowed', `This request accepts only ${request.allowedMethods.join(', ')}.`, 'channel');
  if (!pr.canApply(request.status, 'engage')) throw pr.refusal(request, 'pay');
  const owed = Math.max((request.amount ?? 0) - request.amountReceived, 0);
  const details = await unit.app.connector.instructions(request, choice, owed, now);
  return commit(unit, request, pr.chooseMethod(request, choice.channel, details, now));
}

/** A crypto quote that has run out must be refreshed (choose again) before it is paid. */
export function assertQuoteCurrent(request: PaymentRequest, now: number): void {
  const expiresAt = request.methodDetails?.channel === 'crypto' ? Number(request.methodDetails.expiresAt) : null;
  if (expiresAt !== null && now >= expiresAt)
    throw new DomainError('invalid_state', 'The crypto quote has expired; choose the channel again for a fresh quote.', 'channel', { status: request.status, quote: 'expired' });
}
