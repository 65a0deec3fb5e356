// The crypto quote a CLIQ payment shows: the channel's on-chain address and Lightning invoice for
// what is still owed, at one rate, until the quote expires. BTC amounts are whole satoshi, from
// the settlement amount at the quote's rate by core/money.ts: what to pay is rounded up (the
// merchant never receives less), what a payment is worth is what remains once the rest is due.
import { offerInstructions } from '../../app/use-cases/channels.js';
import type { Work } from '../../app/unit-of-work.js';
import { amounts } from '../../core/amounts.js';
import { currencyExponent, decimalToMinor, minorToDecimal, unitsAtPrice } from '../../core/money.js';
import type { PaymentRequest } from '../../core/payment-request.js';
import type { CliqPayment, Quote } from './fields.js';

export const BTC_DECIMALS = 8;

/** A fresh quote from the channel (both networks, one rate): for a new payment, or once the last one ran out. */
export async function newQuote(unit: Work, request: PaymentRequest, now: number): Promise<Quote> {
  const onchain = await offerInstructions(unit, request, { channel: 'crypto', network: 'onchain' }, now);
  const lightning = await offerInstructions(unit, request, { channel: 'crypto', network: 'lightning' }, now);
  return {
    exchangeRate: String(onchain.exchangeRate),
    address: typeof onchain.address === 'string' ? onchain.address : null,
    payreq: typeof lightning.invoice === 'string' ? lightning.invoice : null,
    owed: Number(onchain.owed),
    quotedAt: now,
    expiresAt: Number(onchain.expiresAt),
  };
}

/** The quote's price of 1 BTC in the settlement asset's minor units. */
function rateMinor(quote: Quote, asset: string): number {
  const rate = decimalToMinor(quote.exchangeRate, currencyExponent(asset));
  if (rate === null) throw new Error(`the channel's rate ${quote.exchangeRate} is not an exact amount of ${asset}`);
  return rate;
}

const btc = (sats: number) => minorToDecimal(sats, BTC_DECIMALS);

/** The payment's BTC figures at the quote's rate: the price, what is still missing, what was received. */
export function btcFigures(request: PaymentRequest, quote: Quote) {
  const rate = rateMinor(quote, request.currency);
  const { requested, received, outstanding } = amounts(request);
  const price = unitsAtPrice(requested ?? 0, rate, BTC_DECIMALS, 'up');
  const settled = request.status === 'succeeded' || request.status === 'authorized';
  const missing = settled ? 0 : unitsAtPrice(outstanding ?? 0, rate, BTC_DECIMALS, 'up');
  // received + missing = price while short; past the price, the excess at the rate (rounded down)
  const excess = received > (requested ?? 0) ? unitsAtPrice(received - (requested ?? 0), rate, BTC_DECIMALS, 'down') : 0;
  const receivedSats = received === 0 ? 0 : settled ? price + excess : Math.max(price - missing, 0);
  return { paymentAmount: btc(price), missingAmount: btc(missing), receivedAmount: btc(receivedSats) };
}

/**
 * Whether a transaction seen on the chain awaits confirmation: the quote it paid is kept until it is
 * confirmed, even past its expiry. A new one would show another address and the whole amount
 * missing again, and invite the customer to pay twice.
 */
export const awaitsConfirmation = (payment: CliqPayment) => Object.keys(payment.unconfirmed).length > 0;

/** Whether the quote must be renewed before it is shown: it ran out, or no longer prices what is owed (and no transaction to it awaits confirmation). */
export function quoteOutdated(request: PaymentRequest, payment: CliqPayment, now: number): boolean {
  if (awaitsConfirmation(payment)) return false;
  return now >= payment.quote.expiresAt || payment.quote.owed !== (amounts(request).outstanding ?? 0);
}
