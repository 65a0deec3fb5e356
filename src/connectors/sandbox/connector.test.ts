import bolt11 from 'bolt11';
import { describe, expect, it } from 'vitest';
import type { PaymentRequest } from '../../core/payment-request.js';
import type { Refund } from '../../core/refund.js';
import { createSandboxConnector, virtualAccountNumber } from './connector.js';
import { LIGHTNING_TESTNET, QUOTE_TTL_MS, quote, satsFor } from './crypto-quote.js';

const NOW = Date.UTC(2026, 0, 1);
const request = { id: 'pr_01TEST', currency: 'USD', expiresAt: NOW + 120_000 } as PaymentRequest;

describe('sandbox crypto quotes', () => {
  it('rounds satoshi up, in integers, so the merchant never receives less', () => {
    // $20.00 at $50,885.41 per BTC = 0.000393039… BTC → 39,304 sats
    expect(satsFor(2000, 'USD')).toEqual({ sats: 39_304, rateMinor: 5_088_541 });
    expect(satsFor(5_088_541, 'USD').sats).toBe(100_000_000);
    expect(satsFor(12345, 'BTC').sats).toBe(12345);
    expect(() => satsFor(100, 'XOF')).toThrow(/no BTC rate/);
  });

  it('gives an address on-chain and an invoice on Lightning, expiring after 15 minutes', () => {
    const onchain = quote('pr_1', 2000, 'USD', 'onchain', NOW);
    expect(onchain).toMatchObject({ asset: 'BTC', exchangeRate: '50885.41', paymentAmount: '0.00039304', paymentAmountSats: 39_304, invoice: null, expiresAt: NOW + QUOTE_TTL_MS });
    expect(onchain.address).toMatch(/^tb1q[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{38}$/);
    const lightning = quote('pr_1', 2000, 'USD', 'lightning', NOW);
    expect(lightning.address).toBeNull();
    expect(lightning.invoice).toMatch(/^lntb393040n1p/);
    // a real BOLT11 invoice: its checksum and signature verify, and it says what the quote says
    const decoded = bolt11.decode(lightning.invoice!, LIGHTNING_TESTNET);
    expect(decoded).toMatchObject({ satoshis: 39_304, timestamp: NOW / 1000, timeExpireDate: (NOW + QUOTE_TTL_MS) / 1000 });
    expect(quote('pr_1', 2000, 'USD', 'lightning', NOW + 1000).invoice).not.toBe(lightning.invoice);
    expect(quote('pr_1', 2000, 'USD', 'onchain', NOW + 1).address).not.toBe(onchain.address);
  });
});

describe('sandbox channels', () => {
  const connector = createSandboxConnector();

  it('a virtual account is 10 digits with a check digit, the same for one request', () => {
    const account = virtualAccountNumber('pr_01TEST');
    expect(account).toMatch(/^\d{10}$/);
    const weights = [3, 7, 3, 3, 7, 3, 3, 7, 3];
    const sum = [...account.slice(0, 9)].reduce((total, d, i) => total + Number(d) * (weights[i] as number), 0);
    expect(Number(account[9])).toBe((10 - (sum % 10)) % 10);
    expect(virtualAccountNumber('pr_01TEST')).toBe(account);
    expect(virtualAccountNumber('pr_01OTHER')).not.toBe(account);
  });

  it('mobile money needs a provider and a plausible phone number', async () => {
    await expect(connector.instructions(request, { channel: 'mobile_money', phone: '+233200000000' }, 100, NOW)).rejects.toThrow(/provider/);
    await expect(connector.instructions(request, { channel: 'mobile_money', provider: 'MTN', phone: '12' }, 100, NOW)).rejects.toThrow(/phone/);
    expect(await connector.instructions(request, { channel: 'mobile_money', provider: 'VODAFONE', phone: '+233 20 000 0000' }, 100, NOW))
      .toMatchObject({ channel: 'mobile_money', provider: 'VODAFONE', phone: '+233200000000', promptSentAt: NOW });
  });

  it('bank transfer, wallet, card and crypto describe what the patron does', async () => {
    expect(await connector.instructions(request, { channel: 'bank_transfer' }, 1500, NOW)).toMatchObject({ accountNumber: virtualAccountNumber(request.id), amount: 1500 });
    expect(await connector.instructions(request, { channel: 'wallet' }, 1500, NOW)).toMatchObject({ channel: 'wallet' });
    expect(await connector.instructions(request, { channel: 'card' }, 1500, NOW)).toMatchObject({ channel: 'card', last4: '4242' });
    expect(await connector.instructions(request, { channel: 'crypto', network: 'lightning' }, 2000, NOW)).toMatchObject({ channel: 'crypto', paymentAmountSats: 39_304 });
  });

  it('refunds at once, except a crypto refund, which waits for the patron\'s address (pending)', async () => {
    const refund = { id: 'rf_1' } as Refund;
    expect(await connector.refund({ ...request, paymentMethod: 'card' }, refund, 'cmd_1')).toBe('succeeded');
    expect(await connector.refund({ ...request, paymentMethod: 'crypto' }, refund, 'cmd_2')).toBe('pending');
  });
});
