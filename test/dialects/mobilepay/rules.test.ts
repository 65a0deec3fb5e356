// MobilePay PoS dialect: every payment rule refused when broken, with the documented HTTP status
// and errorCode, and nothing changed (docs/dialects/mobilepay.md "Rules", "Transport" error table).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../../harness.js';
import {
  advance, capturedPayment, checkIn, demoClient, expectOk, expectRefused, freshPos, patron, reservedPayment, rowCounts, uniqueName,
  type MobilePay,
} from './client.js';

let t: TestGateway;
let mp: MobilePay;
beforeAll(async () => {
  t = await startGateway();
  mp = demoClient(t);
});
afterAll(async () => t.close());

describe('one active payment per PoS (1301)', () => {
  it('refuses a second start, byPosId start and prepare on a busy PoS, GET and POST, and writes nothing', async () => {
    const pos = await freshPos(t);
    const first = await mp.start(uniqueName('busy'), '20', pos.terminalId);
    const before = await rowCounts(t);
    const attempts = [
      await mp.get('payment/start', { orderId: uniqueName('second'), amount: '10', terminalId: pos.terminalId }),
      await mp.post('payment/start', { orderId: uniqueName('second'), amount: '10', terminalId: pos.terminalId }),
      await mp.get('payment/start/byPosId', { orderId: uniqueName('second'), amount: '10', posId: pos.posId }),
      await mp.post('payment/start/byPosId', { orderId: uniqueName('second'), amount: '10', posId: pos.posId }),
      await mp.get('payment/prepare', { orderId: uniqueName('second'), terminalId: pos.terminalId }),
      await mp.post('payment/prepare', { orderId: uniqueName('second'), terminalId: pos.terminalId }),
    ];
    for (const res of attempts) expectRefused(res, 409, '1301');
    expect(await rowCounts(t)).toEqual(before);
    expect(await mp.details(first)).toMatchObject({ status: 'Initiated', amount: '20.00' });
    const list = await mp.get('payments', { terminalId: pos.terminalId });
    expectOk(list);
    expect(list.body.paymentIds).toEqual([first]);
  });

  it('concurrent starts on one PoS: exactly one wins, the others are 1301', async () => {
    const pos = await freshPos(t);
    const before = await rowCounts(t);
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2
      ? mp.post('payment/start', { orderId: uniqueName('race'), amount: '5', terminalId: pos.terminalId })
      : mp.get('payment/start/byPosId', { orderId: uniqueName('race'), amount: '5', posId: pos.posId }))));
    const won = results.filter((r) => r.status === 200);
    expect(won).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) expectRefused(r, 409, '1301');
    expect((await rowCounts(t)).paymentRequests).toBe(before.paymentRequests + 1);
    expect((await mp.get('payments', { terminalId: pos.terminalId })).body.paymentIds).toEqual([won[0]!.body.paymentId]);
    expectOk(await mp.get('payment/cancel', { paymentId: won[0]!.body.paymentId }));
  });

  it('a Reserved payment still holds the PoS; a prepared one too; after cancel the PoS is free', async () => {
    const pos = await freshPos(t);
    const reserved = await reservedPayment(t, mp, pos, '30');
    expectRefused(await mp.get('payment/start', { orderId: uniqueName('x'), amount: '1', terminalId: pos.terminalId }), 409, '1301');
    expect(await mp.status(reserved)).toBe('Reserved');
    expectOk(await mp.get('payment/cancel', { paymentId: reserved }));

    const prepared = (await mp.get('payment/prepare', { orderId: uniqueName('p'), terminalId: pos.terminalId })).body.paymentId;
    expectRefused(await mp.get('payment/start', { orderId: uniqueName('x'), amount: '1', terminalId: pos.terminalId }), 409, '1301');
    expect(await mp.status(prepared)).toBe('Prepared');
    expectOk(await mp.get('payment/cancel', { paymentId: prepared }));
    const free = await mp.start(uniqueName('free'), '1', pos.terminalId);
    expectOk(await mp.get('payment/cancel', { paymentId: free }));
  });

  it('the lock is per PoS: another PoS of the same merchant can start at the same time', async () => {
    const a = await freshPos(t);
    const b = await freshPos(t);
    const pa = await mp.start(uniqueName('a'), '1', a.terminalId);
    const pb = await mp.start(uniqueName('b'), '1', b.terminalId);
    expect(pa).not.toBe(pb);
    expectOk(await mp.get('payment/cancel', { paymentId: pa }));
    expectOk(await mp.get('payment/cancel', { paymentId: pb }));
  });
});

describe('payment/ready only in Prepared/Paired (1303)', () => {
  it('refuses ready on a started payment (Initiated and IssuedToUser) and on an already readied one; amount unchanged', async () => {
    const pos = await freshPos(t);
    const orderId = uniqueName('ready');
    const paymentId = await mp.start(orderId, '20', pos.terminalId);
    const before = await rowCounts(t);
    expectRefused(await mp.get('payment/ready', { orderId, amount: '99', terminalId: pos.terminalId, paymentId }), 409, '1303');
    expectRefused(await mp.post('payment/ready', { orderId, amount: '99', terminalId: pos.terminalId, paymentId }), 409, '1303');
    await checkIn(t, pos.nativeId);
    expectRefused(await mp.get('payment/ready', { orderId, amount: '99', terminalId: pos.terminalId, paymentId }), 409, '1303');
    expect(await mp.details(paymentId)).toMatchObject({ status: 'IssuedToUser', amount: '20.00' });
    expect(await rowCounts(t)).toEqual(before);
    expectOk(await mp.get('payment/cancel', { paymentId }));

    const prepOrder = uniqueName('ready2');
    const prepared = (await mp.get('payment/prepare', { orderId: prepOrder, terminalId: pos.terminalId })).body.paymentId;
    expectOk(await mp.get('payment/ready', { orderId: prepOrder, amount: '10', terminalId: pos.terminalId, paymentId: prepared }));
    expectRefused(await mp.get('payment/ready', { orderId: prepOrder, amount: '11', terminalId: pos.terminalId, paymentId: prepared }), 409, '1303');
    expect(await mp.details(prepared)).toMatchObject({ amount: '10.00', status: 'Initiated' });
    expectOk(await mp.get('payment/cancel', { paymentId: prepared }));
    // and on a cancelled one
    expectRefused(await mp.get('payment/ready', { orderId: prepOrder, amount: '11', terminalId: pos.terminalId, paymentId: prepared }), 409, '1303');
    expect(await mp.status(prepared)).toBe('CancelledByClient');
  });
});

describe('payment/ready validates what it is given', () => {
  it('a bad amount, currency or userMinimumAge on ready is 400 and the payment stays Prepared', async () => {
    const pos = await freshPos(t);
    const orderId = uniqueName('ready-bad');
    const paymentId = (await mp.get('payment/prepare', { orderId, terminalId: pos.terminalId })).body.paymentId as string;
    const base = { orderId, terminalId: pos.terminalId, paymentId };
    expectRefused(await mp.get('payment/ready', { ...base, amount: 'abc' }), 400, '1102');
    expectRefused(await mp.get('payment/ready', { ...base, amount: '1.001' }), 400, '1102');
    expectRefused(await mp.get('payment/ready', { ...base, amount: '0' }), 400, '1102');
    expectRefused(await mp.get('payment/ready', { ...base }), 400, '1102');
    expectRefused(await mp.get('payment/ready', { ...base, amount: '5', currencyCode: 'USD' }), 400, '1099');
    expectRefused(await mp.get('payment/ready', { ...base, amount: '5', userMinimumAge: 'old' }), 400, '1105');
    expect(await mp.status(paymentId)).toBe('Prepared');
    const ok = await mp.get('payment/ready', { ...base, amount: '5', userMinimumAge: '18' });
    expectOk(ok);
    expect(await mp.details(paymentId)).toMatchObject({ amount: '5.00', status: 'Initiated' });
    expect(Number((await mp.details(paymentId)).userMinimumAge)).toBe(18);
    expectOk(await mp.get('payment/cancel', { paymentId }));
  });
});

describe('capture only in Reserved (1304), at most the reserved amount (1305)', () => {
  it('refuses capture on Initiated, IssuedToUser and CancelledByClient payments', async () => {
    const pos = await freshPos(t);
    const paymentId = await mp.start(uniqueName('cap'), '20', pos.terminalId);
    expectRefused(await mp.get('payment/capture', { paymentId }), 409, '1304');
    expect(await mp.status(paymentId)).toBe('Initiated');
    await checkIn(t, pos.nativeId);
    expectRefused(await mp.get('payment/capture', { paymentId, amount: '20' }), 409, '1304');
    expect(await mp.details(paymentId)).toMatchObject({ status: 'IssuedToUser', capturedAmount: '0.00' });
    expectOk(await mp.get('payment/cancel', { paymentId }));
    expectRefused(await mp.get('payment/capture', { paymentId }), 409, '1304');
    expect(await mp.status(paymentId)).toBe('CancelledByClient');
  });

  it('refuses capture above the reserved amount and leaves the payment Reserved', async () => {
    const pos = await freshPos(t);
    const paymentId = await reservedPayment(t, mp, pos, '50.00');
    expectRefused(await mp.get('payment/capture', { paymentId, amount: '50.01' }), 409, '1305');
    expectRefused(await mp.get('payment/capture', { paymentId, amount: '1000' }), 409, '1305');
    expect(await mp.details(paymentId)).toMatchObject({ status: 'Reserved', reservedAmount: '50.00', capturedAmount: '0.00' });
    const ok = await mp.get('payment/capture', { paymentId, amount: '50' });
    expectOk(ok);
    expect(ok.body).toMatchObject({ status: 'Captured', capturedAmount: '50.00' });
  });

  it('after a partial capture, a capture of another amount does not change what was captured', async () => {
    const pos = await freshPos(t);
    const paymentId = await capturedPayment(t, mp, pos, '40.00', '25.00');
    // only a Captured payment captured again with the same amount (or none) answers success
    expectRefused(await mp.get('payment/capture', { paymentId, amount: '40.00' }), 409, '1304');
    expect(await mp.details(paymentId)).toMatchObject({ status: 'Captured', capturedAmount: '25.00' });
  });
});

describe('cancel not after Captured (1300)', () => {
  it('refuses cancel of a Captured payment and leaves it Captured', async () => {
    const pos = await freshPos(t);
    const paymentId = await capturedPayment(t, mp, pos, '15.00');
    const before = await rowCounts(t);
    expectRefused(await mp.get('payment/cancel', { paymentId }), 409, '1300');
    expect(await mp.details(paymentId)).toMatchObject({ status: 'Captured', capturedAmount: '15.00' });
    expect(await rowCounts(t)).toEqual(before);
  });

  // Integra: "You can cancel a payment at any state but not when you have already Capture a payment"
  it('a payment the patron cancelled: cancel succeeds and changes nothing (it stays CancelledByUser)', async () => {
    const pos = await freshPos(t);
    const paymentId = await mp.start(uniqueName('u'), '3', pos.terminalId);
    await checkIn(t, pos.nativeId);
    await patron(t, paymentId, 'cancel');
    const before = await rowCounts(t);
    const res = await mp.get('payment/cancel', { paymentId });
    expectOk(res);
    expect(res.body.status).toBe('CancelledByUser');
    expect(await mp.status(paymentId)).toBe('CancelledByUser');
    expect(await rowCounts(t)).toEqual(before);
  });

  it('a payment that timed out: cancel succeeds and changes nothing (it stays CancelledByMobilePay)', async () => {
    const pos = await freshPos(t);
    const paymentId = await mp.start(uniqueName('timeout'), '3', pos.terminalId);
    await advance(t, 121);
    const ended = await mp.status(paymentId);
    expect(ended).toBe('CancelledByMobilePay');
    const res = await mp.get('payment/cancel', { paymentId });
    expectOk(res);
    expect(res.body.status).toBe(ended);
  });
});

describe('payment/id/retrieve/bystate accepts only state=Captured (1099)', () => {
  it.each(['Initiated', 'Reserved', 'CancelledByClient', 'captured?', ''])('state=%j → 400 1099', async (state) => {
    const pos = await freshPos(t);
    const orderId = uniqueName('bystate');
    const paymentId = await mp.start(orderId, '2', pos.terminalId);
    expectRefused(await mp.get('payment/id/retrieve/bystate', { orderId, state }), 400, '1099');
    expectOk(await mp.get('payment/cancel', { paymentId }));
  });
});
