// Sandbox crypto quotes: a fixed rate per settlement currency, an amount in satoshi rounded up
// (the merchant never receives less), an address or a Lightning invoice, and an expiry.
import { createHash } from 'node:crypto';
import bolt11 from 'bolt11';
import { DomainError } from '../../core/errors.js';
import { currencyExponent, minorToDecimal, unitsAtPrice } from '../../core/money.js';

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
  return { sats: unitsAtPrice(amountMinor, rateMinor, 8, 'up'), rateMinor };
}

/** Bitcoin testnet, as BOLT11 names it: invoices start `lntb`. */
export const LIGHTNING_TESTNET = { bech32: 'tb', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] };
/** The sandbox Lightning node's key: fixed, so its invoices verify against one public key. */
const SANDBOX_NODE_KEY = createHash('sha256').update('posgate sandbox lightning node').digest('hex');

/** A real BOLT11 testnet invoice (signed, decodable by any BOLT11 decoder) for `sats`, expiring with the quote. */
function lightningInvoice(seed: Buffer, sats: number, now: number, ttlMs: number): string {
  const digest = (label: string) => createHash('sha256').update(label).update(seed).digest('hex');
  const unsigned = bolt11.encode({
    network: LIGHTNING_TESTNET,
    satoshis: sats,
    timestamp: Math.floor(now / 1000),
    tags: [
      { tagName: 'payment_hash', data: digest('payment_hash') },
      { tagName: 'payment_secret', data: digest('payment_secret') },
      { tagName: 'description', data: 'posgate sandbox payment' },
      { tagName: 'expire_time', data: Math.floor(ttlMs / 1000) },
    ],
  });
  const signed = bolt11.sign(unsigned, SANDBOX_NODE_KEY).paymentRequest;
  if (!signed) throw new Error('the sandbox Lightning invoice could not be signed');
  return signed;
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
    invoice: network === 'lightning' ? lightningInvoice(digest, sats, now, QUOTE_TTL_MS) : null,
    quotedAt: now,
    expiresAt: now + QUOTE_TTL_MS,
  };
}
