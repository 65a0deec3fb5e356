// MobilePay PoS dialect: the payment endpoints, both flows and every status transition
// that needs no clock (docs/dialects/mobilepay.md "Statuses", "Endpoints", "The patron").
import jsqrModule from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../../harness.js';
import {
  checkIn, demoClient, demoCredentials, demoPos, expectOk, freshPos, GUID, nativeTerminal, patron, reservedPayment, resolve, uniqueName,
  type MobilePay,
} from './client.js';

const jsQR = jsqrModule as unknown as typeof jsqrModule.default;

let t: TestGateway;
let mp: MobilePay;
beforeAll(async () => {
  t = await startGateway();
  mp = demoClient(t);
});
afterAll(async () => t.close());

const DETAILS_FIELDS = [
  'paymentId', 'posId', 'terminalId', 'orderId', 'amount', 'currencyCode', 'status', 'reservedAmount', 'capturedAmount',
  'refundedAmount', 'userMinimumAge', 'customerToken', 'customerReceiptToken', 'loyaltyIds', 'pollDelayInMs',
];

describe('terminal/qrcode', () => {
  it("answers a public PNG link that decodes to the terminal's check-in URL", async () => {
    const c = demoCredentials(t);
    const res = await mp.get('terminal/qrcode', { terminalId: c.terminalId });
    expectOk(res);
    expect(typeof res.body.qrCodeUrl).toBe('string');
    const link = new URL(res.body.qrCodeUrl, t.url);
    const png = await fetch(link); // public: no credentials
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toContain('image/png');
    const image = PNG.sync.read(Buffer.from(await png.arrayBuffer()));
    const text = jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
    expect(text).toBe((await nativeTerminal(t, t.terminalId)).checkInUrl);
  });
});

describe('direct flow: Initiated → IssuedToUser → Reserved → Captured', () => {
  it('GET payment/start on the demo terminal, then status, details and capture all along the way', async () => {
    const pos = demoPos(t);
    const orderId = uniqueName('direct');
    const start = await mp.get('payment/start', { orderId, amount: '27.5', terminalId: pos.terminalId });
    expectOk(start);
    const paymentId = start.body.paymentId as string;
    expect(paymentId).toMatch(GUID);

    const status = await mp.get('payment/status', { paymentId });
    expectOk(status);
    expect(status.body).toMatchObject({ status: 'Initiated', pollDelayInMs: 1000 });

    const initiated = await mp.details(paymentId);
    for (const field of DETAILS_FIELDS) expect(initiated).toHaveProperty(field);
    expect(initiated).toMatchObject({
      paymentId, posId: pos.posId, terminalId: pos.terminalId, orderId, amount: '27.50', currencyCode: 'DKK', status: 'Initiated', pollDelayInMs: 1000,
    });
    expect(Array.isArray(initiated.loyaltyIds)).toBe(true);

    await checkIn(t, pos.nativeId);
    expect(await mp.status(paymentId)).toBe('IssuedToUser');

    await patron(t, paymentId, 'approve');
    const reserved = await mp.details(paymentId);
    expect(reserved).toMatchObject({ status: 'Reserved', reservedAmount: '27.50', capturedAmount: '0.00' });

    const capture = await mp.get('payment/capture', { paymentId });
    expectOk(capture);
    expect(capture.body).toMatchObject({ status: 'Captured', capturedAmount: '27.50' });
    expect(await mp.details(paymentId)).toMatchObject({ status: 'Captured', capturedAmount: '27.50', refundedAmount: '0.00' });

    // the PoS is free again
    const next = await mp.get('payment/start', { orderId: uniqueName('after'), amount: '1', terminalId: pos.terminalId });
    expectOk(next);
    expectOk(await mp.get('payment/cancel', { paymentId: next.body.paymentId }));
  });

  it('POST payment/start with a JSON body (amount as a number) works the same', async () => {
    const pos = await freshPos(t);
    const orderId = uniqueName('post');
    const start = await mp.post('payment/start', { orderId, amount: 42.5, terminalId: pos.terminalId, currencyCode: 'EUR' });
    expectOk(start);
    expect(start.body.paymentId).toMatch(GUID);
    expect(await mp.details(start.body.paymentId)).toMatchObject({ orderId, amount: '42.50', currencyCode: 'EUR', status: 'Initiated', terminalId: pos.terminalId, posId: pos.posId });
    await checkIn(t, pos.nativeId);
    await patron(t, start.body.paymentId);
    expect(await mp.status(start.body.paymentId)).toBe('Reserved');
    const capture = await mp.get('payment/capture', { paymentId: start.body.paymentId, amount: '42.50' });
    expectOk(capture);
    expect(capture.body).toMatchObject({ status: 'Captured', capturedAmount: '42.50' });
  });

  it('payment/start/byPosId, GET and POST, starts on the PoS named by posId', async () => {
    const pos = await freshPos(t);
    const get = await mp.get('payment/start/byPosId', { orderId: uniqueName('bypos'), amount: '10', posId: pos.posId });
    expectOk(get);
    expect(await mp.details(get.body.paymentId)).toMatchObject({ posId: pos.posId, terminalId: pos.terminalId, amount: '10.00', status: 'Initiated' });
    expectOk(await mp.get('payment/cancel', { paymentId: get.body.paymentId }));

    const post = await mp.post('payment/start/byPosId', { orderId: uniqueName('bypos'), amount: '11.25', posId: pos.posId });
    expectOk(post);
    expect(post.body.paymentId).not.toBe(get.body.paymentId);
    expect(await mp.details(post.body.paymentId)).toMatchObject({ posId: pos.posId, terminalId: pos.terminalId, amount: '11.25', status: 'Initiated' });
    expectOk(await mp.get('payment/cancel', { paymentId: post.body.paymentId }));
  });

  it('a patron checked in before the start (checkInStatus true) has the next payment IssuedToUser at once', async () => {
    const pos = await freshPos(t);
    for (const [op, params] of [['manage/checkInStatus/byposId', { posId: pos.posId }], ['manage/checkInStatus/byterminalId', { terminalId: pos.terminalId }]] as const) {
      const before = await mp.get(op, params);
      expectOk(before);
      expect(before.body).toMatchObject({ isUserCheckedIn: false, pollDelayInMs: 1000 });
      expect(Array.isArray(before.body.loyaltyIds)).toBe(true);
    }
    await checkIn(t, pos.nativeId);
    for (const [op, params] of [['manage/checkInStatus/byposId', { posId: pos.posId }], ['manage/checkInStatus/byterminalId', { terminalId: pos.terminalId }]] as const) {
      const after = await mp.get(op, params);
      expectOk(after);
      expect(after.body).toMatchObject({ isUserCheckedIn: true, pollDelayInMs: 1000 });
    }
    const paymentId = await mp.start(uniqueName('pre-checked'), '15', pos.terminalId);
    expect(await mp.status(paymentId)).toBe('IssuedToUser');
    await patron(t, paymentId);
    expect(await mp.status(paymentId)).toBe('Reserved');
    expectOk(await mp.get('payment/capture', { paymentId }));
  });
});

describe('prepare flow: Prepared → Paired → IssuedToUser → Reserved → Captured', () => {
  it('GET prepare, check-in, GET ready, approve, partial capture, repeat capture', async () => {
    const pos = await freshPos(t);
    const orderId = uniqueName('prep');
    const prepare = await mp.get('payment/prepare', { orderId, terminalId: pos.terminalId });
    expectOk(prepare);
    const paymentId = prepare.body.paymentId as string;
    expect(paymentId).toMatch(GUID);
    expect(await mp.details(paymentId)).toMatchObject({ paymentId, orderId, status: 'Prepared', posId: pos.posId, terminalId: pos.terminalId });

    await checkIn(t, pos.nativeId);
    expect(await mp.status(paymentId)).toBe('Paired');

    const ready = await mp.get('payment/ready', { orderId, amount: '80', terminalId: pos.terminalId, paymentId });
    expectOk(ready);
    expect(ready.body).toHaveProperty('message');
    expect(await mp.details(paymentId)).toMatchObject({ status: 'IssuedToUser', amount: '80.00', currencyCode: 'DKK' });

    await patron(t, paymentId);
    expect(await mp.details(paymentId)).toMatchObject({ status: 'Reserved', reservedAmount: '80.00' });

    // a smaller amount captures that and releases the rest
    const capture = await mp.get('payment/capture', { paymentId, amount: '55.5' });
    expectOk(capture);
    expect(capture.body).toMatchObject({ status: 'Captured', capturedAmount: '55.50' });
    // capturing again with the same amount, or none, answers success and changes nothing
    const again = await mp.get('payment/capture', { paymentId, amount: '55.50' });
    expectOk(again);
    expect(again.body).toMatchObject({ status: 'Captured', capturedAmount: '55.50' });
    const none = await mp.get('payment/capture', { paymentId });
    expectOk(none);
    expect(none.body).toMatchObject({ status: 'Captured', capturedAmount: '55.50' });
    expect(await mp.details(paymentId)).toMatchObject({ status: 'Captured', capturedAmount: '55.50', amount: '80.00' });
  });

  it('POST prepare and POST ready; ready without a check-in is Initiated, then the check-in makes it IssuedToUser', async () => {
    const pos = await freshPos(t);
    const orderId = uniqueName('prep-post');
    const prepare = await mp.post('payment/prepare', { orderId, terminalId: pos.terminalId });
    expectOk(prepare);
    const paymentId = prepare.body.paymentId as string;
    expect(await mp.status(paymentId)).toBe('Prepared');
    const ready = await mp.post('payment/ready', { orderId, amount: '12.30', terminalId: pos.terminalId, paymentId, currencyCode: 'EUR' });
    expectOk(ready);
    expect(await mp.details(paymentId)).toMatchObject({ status: 'Initiated', amount: '12.30', currencyCode: 'EUR' });
    await checkIn(t, pos.nativeId);
    expect(await mp.status(paymentId)).toBe('IssuedToUser');
    await patron(t, paymentId);
    const capture = await mp.get('payment/capture', { paymentId });
    expectOk(capture);
    expect(capture.body).toMatchObject({ status: 'Captured', capturedAmount: '12.30' });
  });
});

describe('cancellations', () => {
  it('CancelledByUser when the patron cancels, and when the patron declines', async () => {
    const pos = await freshPos(t);
    const a = await mp.start(uniqueName('cancel'), '5', pos.terminalId);
    await checkIn(t, pos.nativeId);
    await patron(t, a, 'cancel');
    expect(await mp.status(a)).toBe('CancelledByUser');

    const b = await mp.start(uniqueName('decline'), '5', pos.terminalId);
    await checkIn(t, pos.nativeId);
    await patron(t, b, 'decline');
    expect(await mp.status(b)).toBe('CancelledByUser');

    // from Paired too
    const c = (await mp.get('payment/prepare', { orderId: uniqueName('paired-cancel'), terminalId: pos.terminalId })).body.paymentId as string;
    await checkIn(t, pos.nativeId);
    expect(await mp.status(c)).toBe('Paired');
    await patron(t, c, 'cancel');
    expect(await mp.status(c)).toBe('CancelledByUser');
  });

  it('CancelledByClient by payment/cancel from Initiated, Prepared, Paired, IssuedToUser and Reserved; a second cancel answers success', async () => {
    const pos = await freshPos(t);
    const cancel = async (paymentId: string) => {
      const res = await mp.get('payment/cancel', { paymentId });
      expectOk(res);
      expect(res.body.status).toBe('CancelledByClient');
      expect(await mp.status(paymentId)).toBe('CancelledByClient');
    };
    const initiated = await mp.start(uniqueName('c'), '5', pos.terminalId);
    await cancel(initiated);
    const again = await mp.get('payment/cancel', { paymentId: initiated });
    expectOk(again);
    expect(again.body.status).toBe('CancelledByClient');

    const prepared = (await mp.get('payment/prepare', { orderId: uniqueName('c'), terminalId: pos.terminalId })).body.paymentId;
    expect(await mp.status(prepared)).toBe('Prepared');
    await cancel(prepared);

    const paired = (await mp.get('payment/prepare', { orderId: uniqueName('c'), terminalId: pos.terminalId })).body.paymentId;
    await checkIn(t, pos.nativeId);
    expect(await mp.status(paired)).toBe('Paired');
    await cancel(paired);

    const issued = await mp.start(uniqueName('c'), '5', pos.terminalId);
    await checkIn(t, pos.nativeId);
    expect(await mp.status(issued)).toBe('IssuedToUser');
    await cancel(issued);

    const reserved = await reservedPayment(t, mp, pos, '9.99');
    await cancel(reserved);
    expect(await mp.details(reserved)).toMatchObject({ capturedAmount: '0.00' });
  });
});

describe('statuses set through the native API', () => {
  it('a native cancel of a MobilePay payment is CancelledByClient', async () => {
    const pos = await freshPos(t);
    const paymentId = await mp.start(uniqueName('native-cancel'), '8', pos.terminalId);
    const id = await resolve(t, paymentId);
    const res = await t.api('POST', `/v1/payment-requests/${id}/cancel`, { body: {} });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await mp.status(paymentId)).toBe('CancelledByClient');
  });

  it('a native void of a Captured payment is CancelledByClient', async () => {
    const pos = await freshPos(t);
    const paymentId = await reservedPayment(t, mp, pos, '8');
    expectOk(await mp.get('payment/capture', { paymentId }));
    const id = await resolve(t, paymentId);
    const res = await t.api('POST', `/v1/payment-requests/${id}/void`, { body: {} });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await mp.status(paymentId)).toBe('CancelledByClient');
  });

  it('a payment failed by the channel is CancelledByMobilePay', async () => {
    const pos = await freshPos(t);
    const paymentId = await mp.start(uniqueName('fail'), '8', pos.terminalId);
    await checkIn(t, pos.nativeId);
    const id = await resolve(t, paymentId);
    const res = await t.api('POST', `/v1/sandbox/payment-requests/${id}/pay`, { body: { outcome: 'fail' } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await mp.status(paymentId)).toBe('CancelledByMobilePay');
  });

  it('a check-in before a prepare makes the prepared payment Paired at once', async () => {
    const pos = await freshPos(t);
    await checkIn(t, pos.nativeId);
    const orderId = uniqueName('pre-paired');
    const prepare = await mp.get('payment/prepare', { orderId, terminalId: pos.terminalId });
    expectOk(prepare);
    expect(await mp.status(prepare.body.paymentId)).toBe('Paired');
    expectOk(await mp.get('payment/ready', { orderId, amount: '3', terminalId: pos.terminalId, paymentId: prepare.body.paymentId }));
    expect(await mp.status(prepare.body.paymentId)).toBe('IssuedToUser');
    expectOk(await mp.get('payment/cancel', { paymentId: prepare.body.paymentId }));
  });
});

describe('age restriction', () => {
  it('a 16-year-old patron approving a userMinimumAge 18 payment gets RejectedByMobilePayDueToAgeRestrictions', async () => {
    const pos = await freshPos(t);
    const young = await t.api('POST', '/v1/sandbox/patrons', { body: { age: 16 } });
    expect(young.status, JSON.stringify(young.body)).toBe(201);
    const paymentId = await mp.start(uniqueName('age'), '50', pos.terminalId, { userMinimumAge: 18 });
    expect(Number((await mp.details(paymentId)).userMinimumAge)).toBe(18);
    await checkIn(t, pos.nativeId, young.body.id);
    expect(await mp.status(paymentId)).toBe('IssuedToUser');
    await patron(t, paymentId, 'approve');
    expect(await mp.status(paymentId)).toBe('RejectedByMobilePayDueToAgeRestrictions');
    // final: capture is refused, the PoS is free
    expect((await mp.get('payment/capture', { paymentId })).body.errorCode).toBe('1304');
    const next = await mp.start(uniqueName('age-next'), '1', pos.terminalId);
    expectOk(await mp.get('payment/cancel', { paymentId: next }));
  });

  it('a patron without an age passes a userMinimumAge 18 payment; an 18-year-old passes too', async () => {
    const pos = await freshPos(t);
    const a = await mp.start(uniqueName('age-ok'), '50', pos.terminalId, { userMinimumAge: 18 });
    await checkIn(t, pos.nativeId);
    await patron(t, a);
    expect(await mp.status(a)).toBe('Reserved');
    expectOk(await mp.get('payment/cancel', { paymentId: a }));

    const adult = await t.api('POST', '/v1/sandbox/patrons', { body: { age: 18 } });
    expect(adult.status).toBe(201);
    const b = await mp.post('payment/start', { orderId: uniqueName('age-ok'), amount: '50', terminalId: pos.terminalId, userMinimumAge: 18 });
    expectOk(b);
    await checkIn(t, pos.nativeId, adult.body.id);
    await patron(t, b.body.paymentId);
    expect(await mp.status(b.body.paymentId)).toBe('Reserved');
    expectOk(await mp.get('payment/cancel', { paymentId: b.body.paymentId }));
  });
});

describe('amounts round-trip exactly', () => {
  it.each([
    ['0.01', 'DKK', '0.01'],
    ['27.5', 'DKK', '27.50'],
    ['27', 'DKK', '27.00'],
    ['12345678.99', 'DKK', '12345678.99'],
    ['0.01', 'EUR', '0.01'],
    ['27.5', 'EUR', '27.50'],
    ['12345678.99', 'EUR', '12345678.99'],
  ])('start %s %s → details amount %s (reserved and captured too)', async (amount, currencyCode, shown) => {
    const pos = await freshPos(t);
    const paymentId = await mp.start(uniqueName('amt'), amount, pos.terminalId, { currencyCode });
    expect(await mp.details(paymentId)).toMatchObject({ amount: shown, currencyCode });
    await checkIn(t, pos.nativeId);
    await patron(t, paymentId);
    expect(await mp.details(paymentId)).toMatchObject({ amount: shown, reservedAmount: shown, currencyCode });
    const capture = await mp.get('payment/capture', { paymentId, amount });
    expectOk(capture);
    expect(capture.body.capturedAmount).toBe(shown);
    // native minor units, exactly
    const native = await t.api('GET', `/v1/payment-requests/${(await t.api('POST', '/v1/sandbox/resolve', { body: { ref: paymentId } })).body.id}`);
    expect(native.body.amount).toBe(Math.round(Number(shown) * 100));
    expect(native.body.currency).toBe(currencyCode);
  });

  it('currencyCode defaults to DKK; an orderId of 36 characters is accepted', async () => {
    const pos = await freshPos(t);
    const orderId = 'o'.repeat(36);
    const paymentId = await mp.start(orderId, '1.10', pos.terminalId);
    expect(await mp.details(paymentId)).toMatchObject({ orderId, currencyCode: 'DKK', amount: '1.10' });
    expectOk(await mp.get('payment/cancel', { paymentId }));
  });
});
