// The sandbox channel: every channel the seed providers use, simulated. Money moves when the
// sandbox patron approves (or at once for refunds), as a test-mode integration expects.
import { createHash } from 'node:crypto';
import { CHANNELS, type ChannelChoice, type Connector } from '../../app/ports/connector.js';
import { DomainError } from '../../core/errors.js';
import type { PaymentRequest } from '../../core/payment-request.js';
import { quote, SANDBOX_BTC_RATES } from './crypto-quote.js';

/** A 10-digit NUBAN-style virtual account, fixed per request: the patron transfers to it. */
export function virtualAccountNumber(requestId: string): string {
  const digest = createHash('sha256').update(requestId).digest();
  let digits = '';
  for (let i = 0; digits.length < 9; i++) digits += String((digest[i] as number) % 10);
  // NUBAN-like check digit over the 9 serial digits (weights 3,7,3,…)
  const weights = [3, 7, 3, 3, 7, 3, 3, 7, 3];
  const sum = [...digits].reduce((total, d, i) => total + Number(d) * (weights[i] as number), 0);
  return digits + String((10 - (sum % 10)) % 10);
}

function phoneOf(choice: ChannelChoice): string {
  const phone = choice.phone?.replace(/[\s-]/g, '');
  if (!phone || !/^\+?\d{8,15}$/.test(phone)) throw new DomainError('parameter_invalid', 'Mobile money needs the phone number of the wallet to prompt (8 to 15 digits).', 'phone');
  return phone;
}

/** `delayMs`: how long each command waits before it answers, as a slow channel would. */
export function createSandboxConnector(options: { delayMs?: number } = {}): Connector {
  const delayMs = options.delayMs ?? 0;
  const answer = async <T>(value: T): Promise<T> => {
    if (delayMs > 0) await new Promise((done) => setTimeout(done, delayMs));
    return value;
  };
  return {
    channels(request) {
      const hasRate = request.currency === 'BTC' || Object.hasOwn(SANDBOX_BTC_RATES, request.currency);
      return CHANNELS.filter((channel) => channel !== 'crypto' || hasRate);
    },
    async instructions(request: PaymentRequest, choice: ChannelChoice, amount: number, now: number) {
      switch (choice.channel) {
        case 'card':
          return { channel: 'card', brand: 'visa', last4: '4242', note: 'Sandbox card: approve or decline on the page.' };
        case 'mobile_money': {
          if (!choice.provider) throw new DomainError('parameter_missing', 'Mobile money needs the provider: MTN, VODAFONE or AIRTELTIGO.', 'provider');
          const phone = phoneOf(choice);
          return { channel: 'mobile_money', provider: choice.provider, phone, prompt: `A payment prompt was sent to ${phone}: approve it on the phone.`, promptSentAt: now };
        }
        case 'bank_transfer':
          return { channel: 'bank_transfer', bankName: 'posgate Sandbox Bank', accountNumber: virtualAccountNumber(request.id), accountName: 'posgate sandbox', amount, expiresAt: request.expiresAt };
        case 'wallet':
          return { channel: 'wallet', wallet: 'sandbox-wallet', note: 'Approve the payment in the wallet app.' };
        case 'crypto':
          return { channel: 'crypto', ...quote(request.id, amount, request.currency, choice.network ?? 'onchain', now) };
      }
    },
    // the sandbox keeps no money: the same command asked twice (same id) answers the same, as the
    // Connector contract asks of a real channel
    authorize: () => answer('approved' as const), // the sandbox patron's own approve/decline is the decision
    capture: () => answer('succeeded' as const),
    release: () => answer(undefined),
    // a crypto refund waits for the patron to say where to send it (an address): the channel answers
    // `pending` and settles it later, as an inbound event (the sandbox's refund outcome, app/use-cases/sandbox.ts)
    refund: (request) => answer(request.paymentMethod === 'crypto' ? ('pending' as const) : ('succeeded' as const)),
  };
}
