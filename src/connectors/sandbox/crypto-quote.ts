// Sandbox crypto quotes: a fixed rate per settlement currency, an amount in satoshi rounded up
// (the merchant never receives less), an address or a Lightning invoice, and an expiry.
import { createHash } from 'node:crypto';
import { DomainError } from '../../core/errors.js';
import { currencyExponent, minorToDecimal } from '../../core/money.js';

/** Sandbox price of 1 BTC, in minor units of each settlement currency. */
export const SANDBOX_BTC_RATES: Readonly<Record<string, number>> = {
  USD: 5_088_541, EUR: 4_712_300, GBP: 4_010_000, NZD: 8_512_000, AUD: 7_790_000, DKK: 35_150_000,
  GHS: 60_500_000, NGN: 7_650_000_000, CAD: 6_950_000, CHF: 4_480_000, JPY: 7_650_000, SEK: 53_400_000,
};
export const QUOTE_TTL_MS = 15 * 60 * 1000;
const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

export interface CryptoQuote {
  asset: 'BTC';
  network: 'onchain' | 'lightning';
  /** Price of 1 BTC in the settlement currency, as decimal text. */
  exchangeRate: string;
  /** What to pay, in satoshi and as 8-decimal BTC text. */
  paymentAmountSats: number;
  paymentAmount: string;
  address: string | null;
  invoice: string | null;
  quotedAt: number;
  expiresAt: number;
}

/** sats = ⌈amount × 10^8 ÷ rate⌉, exact in integers. */
export function satsFor(amountMinor: number, currency: string): { sats: number; rateMinor: number } {
  if (currency === 'BTC') return { sats: amountMinor, rateMinor: 100_000_000 };
  const rateMinor = Object.hasOwn(SANDBOX_BTC_RATES, currency) ? SANDBOX_BTC_RATES[currency] : undefined;
  if (rateMinor === undefined) throw new DomainError('method_not_allowed', `The sandbox has no BTC rate for ${currency}.`, 'channel');
  const numerator = BigInt(amountMinor) * 100_000_000n;
  const rate = BigInt(rateMinor);
  return { sats: Number((numerator + rate - 1n) / rate), rateMinor };
}

export function quote(requestId: string, amountMinor: number, currency: string, network: 'onchain' | 'lightning', now: number): CryptoQuote {
  const { sats, rateMinor } = satsFor(amountMinor, currency);
  // deterministic per request and quote time, so a refreshed quote gets a new address/invoice;
  // written in the bech32 alphabet so it looks like what a wallet expects
  const digest = createHash('sha256').update(`${requestId}:${now}`).digest();
  const seed = Array.from(digest, (b) => BECH32[b % 32]).join('') + Array.from(digest, (b) => BECH32[(b >> 3) % 32]).join('');
  return {
    asset: 'BTC',
    network,
    exchangeRate: currency === 'BTC' ? '1' : minorToDecimal(rateMinor, currencyExponent(currency)),
    paymentAmountSats: sats,
    paymentAmount: minorToDecimal(sats, 8),
    address: network === 'onchain' ? `tb1q${seed.slice(0, 38)}` : null,
    invoice: network === 'lightning' ? `lntb${sats * 10}n1p${seed.slice(0, 52)}` : null,
    quotedAt: now,
    expiresAt: now + QUOTE_TTL_MS,
  };
}
