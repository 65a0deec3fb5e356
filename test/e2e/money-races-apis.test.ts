// The provider APIs' refunds, cancels, voids and captures (src/dialects/*) raced against the native
// API's on the same payment request, over real HTTP, each race run many times on a fresh request,
// on both drivers; the native API's own races are in money-races.test.ts, whose audit this file
// shares (test/support/money-races.ts). A provider answers in its own envelope: never a 5xx.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiResponse, TestGateway } from '../harness.js';
import { demoClient as centrapayClient } from '../dialects/centrapay/client.js';
import { cancel as kpayCancel, create as kpayCreate, kpayCall } from '../dialects/kpay/client.js';
import { demoClient as mobilepayClient, demoCredentials as mobilepayCredentials } from '../dialects/mobilepay/client.js';
import { expectDocumented, expectNoServerError, ok, raceGateway, ROUNDS, type Answer } from '../support/money-races.js';

const race = raceGateway();
const { audit, refund, action, pay } = race;
let t: TestGateway;
beforeAll(() => {
  t = race.gateway();
});

describe('provider APIs racing the native API on the same request', () => {
  it('Centrapay refunds and void against native refunds and void: Σ refunds ≤ captured, each movement once', async () => {
    const cp = centrapayClient(t);
    for (let round = 0; round < ROUNDS; round++) {
      const made = await cp.createOk({}, '10000');
      const id = (await t.api('POST', '/v1/sandbox/resolve', { body: { ref: made.id } })).body.id as string;
      expect((await pay(id)).status).toBe(200);
      const voiding = round % 2 === 0;
      const answers = await Promise.all([
        cp.refund(made.id, '4000', `cp-${round}-a`),
        cp.refund(made.id, '4000', `cp-${round}-b`),
        refund(id, 4000, `native-${round}-a`),
        refund(id, 3000, `native-${round}-b`),
        voiding ? cp.void(made.id) : cp.cancel(made.id),
        voiding ? action(id, 'void') : action(id, 'cancel'),
      ]);
      expectNoServerError(answers, round);
      expectDocumented('refund', answers.slice(2, 4) as ApiResponse[], round);
      const after = await audit(id, round);
      if (after.statusReason === 'voided') expect({ round, refunded: after.amountRefunded }).toStrictEqual({ round, refunded: 10000 });
    }
  });

  it('MobilePay capture, cancel and refunds against native capture, cancel and refunds: one ending, each movement once', async () => {
    const mp = mobilepayClient(t);
    const { terminalId } = mobilepayCredentials(t);
    for (let round = 0; round < ROUNDS; round++) {
      const start = await mp.get('payment/start', { orderId: `mp-race-${round}`, amount: '100.00', terminalId });
      expect(start.status, start.text).toBe(200);
      const paymentId = start.body.paymentId as string;
      const id = (await t.api('POST', '/v1/sandbox/resolve', { body: { ref: paymentId } })).body.id as string;
      expect((await pay(id)).status).toBe(200);
      const ending = await Promise.all([
        mp.get('payment/capture', { paymentId, amount: round % 2 === 0 ? '60.00' : undefined }),
        mp.get('payment/cancel', { paymentId }),
        action(id, 'capture', { amount: 5000 }),
        action(id, 'cancel'),
      ]);
      expectNoServerError(ending, round);
      expectDocumented('capture', [ending[2] as ApiResponse], round);
      expectDocumented('cancel', [ending[3] as ApiResponse], round);
      const captured = await audit(id, round);
      if (captured.status !== 'succeeded') {
        expect({ round, status: captured.status }).toStrictEqual({ round, status: 'cancelled' });
        continue;
      }
      const refunds = await Promise.all([
        mp.get('refund/create', { amount: '30.00', currencyCode: 'DKK', paymentId, refundOrderId: `mp-${round}-a` }),
        mp.get('refund/create', { amount: '30.00', currencyCode: 'DKK', paymentId, refundOrderId: `mp-${round}-b` }),
        refund(id, 3000, `native-mp-${round}`),
        action(id, 'void'),
      ]);
      expectNoServerError(refunds, round);
      const reserved = refunds.slice(0, 2).filter((r) => r.status === 200).map((r) => r.body.refundId as string);
      const captures = await Promise.all([...reserved.map((refundId) => mp.get('refund/capture', { refundId })), refund(id, 1000, `native-mp-${round}-late`)]);
      expectNoServerError(captures, round);
      await audit(id, round);
    }
  });
});

describe('pre-authorizations', () => {
  it('Centrapay confirmations (partial captures) against its release, a native cancel and a native capture', async () => {
    const cp = centrapayClient(t);
    for (let round = 0; round < ROUNDS; round++) {
      const made = await cp.createOk({ preAuth: true }, '10000');
      const id = (await t.api('POST', '/v1/sandbox/resolve', { body: { ref: made.id } })).body.id as string;
      expect((await pay(id)).status).toBe(200);
      const confirm = (i: number) => cp.confirm(made.id, { idempotencyKey: `c-${round}-${i}`, invoiceRef: `INV-${round}-${i}`, lineItems: [{ name: 'Fuel', qty: '1', price: '3000' }] });
      const answers = await Promise.all([confirm(0), confirm(1), confirm(2), confirm(3), round % 2 === 0 ? cp.release(made.id) : action(id, 'cancel'), action(id, 'capture', { amount: 2000 })]);
      expectNoServerError(answers, round);
      const after = await audit(id, round);
      const confirmed = answers.slice(0, 4).filter(ok).length;
      const captured = ok(answers[5]!) ? 2000 : 0;
      expect({ round, captured: after.amountCaptured }).toStrictEqual({ round, captured: confirmed * 3000 + captured });
    }
  });
});

describe('KPAY: transfers arriving while it and the native API cancel', () => {
  it('what arrived is taken once each, and given back in full if the request ends unpaid', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { data } = (await kpayCreate(t, { amount: '10000' })).body;
      const id = data.paymentRequestRefId as string;
      const transfer = (amount: string, session: string) => kpayCall(t, 'POST', '/kpay/api/v1/sandbox/transfer', { body: { accountNumber: data.accountNumber, amount, sessionId: `${round}-${session}` } });
      const answers = await Promise.all([transfer('4000', 'a'), transfer('4000', 'b'), transfer('4000', 'a'), kpayCancel(t, data.reference), action(id, 'cancel'), transfer('2000', 'c')]);
      expectNoServerError(answers, round);
      const after = await audit(id, round, 'transfers');
      // a transfer taken is answered PENDING (09) or SUCCESSFUL (00); session a, delivered twice, counts once
      const taken = (r: Answer) => ['00', '09'].includes(r.body?.responseCode);
      const received = (taken(answers[0]!) || taken(answers[2]!) ? 4000 : 0) + (taken(answers[1]!) ? 4000 : 0) + (taken(answers[5]!) ? 2000 : 0);
      expect({ round, received: after.amountReceived }).toStrictEqual({ round, received });
      if (after.status !== 'succeeded') expect({ round, status: after.status, refunded: after.amountRefunded }).toStrictEqual({ round, status: 'cancelled', refunded: received });
      else expect({ round, received, cancelled: ok(answers[4]!) || answers[3]!.body?.responseCode === '00' }).toStrictEqual({ round, received: 10000, cancelled: false });
    }
  });
});

describe('the webhooks', () => {
  it('every committed event reached the receiver once delivered, and no other', () => race.expectEveryEventDelivered());
});
