// MobilePay PoS dialect: a table of bad inputs, each refused with a 4xx envelope, and nothing written
// (docs/dialects/mobilepay.md "Amounts", "Identifiers", "Transport" error table).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../../harness.js';
import {
  capturedPayment, demoClient, demoCredentials, expectOk, expectRefused, freshPos, PREFIX, query, reservedPayment, rowCounts, uniqueName,
  type MobilePay, type Pos,
} from './client.js';

let t: TestGateway;
let mp: MobilePay;
let pos: Pos;
let reserved: string;
let captured: string;
let startCounts: { paymentRequests: number; refunds: number };
const UNKNOWN = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

beforeAll(async () => {
  t = await startGateway();
  mp = demoClient(t);
  const other = await freshPos(t);
  captured = await capturedPayment(t, mp, other, '100.00');
  const third = await freshPos(t);
  reserved = await reservedPayment(t, mp, third, '50.00');
  pos = await freshPos(t);
  startCounts = await rowCounts(t);
});
afterAll(async () => t.close());

type Case = [name: string, op: string, params: () => Record<string, string | number | undefined>, status: number, code: string];

const start = (extra: Record<string, string | undefined>) => () => ({ orderId: uniqueName('bad'), amount: '10.00', terminalId: pos.terminalId, ...extra });
const refund = (extra: Record<string, string | undefined>) => () => ({ paymentId: captured, amount: '1.00', refundOrderId: uniqueName('rbad'), ...extra });

const CASES: Case[] = [
  ['amount with three decimals', 'payment/start', start({ amount: '12.345' }), 400, '1102'],
  ['negative amount', 'payment/start', start({ amount: '-1' }), 400, '1102'],
  ['signed amount', 'payment/start', start({ amount: '+5' }), 400, '1102'],
  ['zero amount', 'payment/start', start({ amount: '0' }), 400, '1102'],
  ['zero amount with decimals', 'payment/start', start({ amount: '0.00' }), 400, '1102'],
  ['exponent amount', 'payment/start', start({ amount: '1e3' }), 400, '1102'],
  ['text amount', 'payment/start', start({ amount: 'abc' }), 400, '1102'],
  ['empty amount', 'payment/start', start({ amount: '' }), 400, '1102'],
  ['missing amount', 'payment/start', start({ amount: undefined }), 400, '1102'],
  ['decimal comma', 'payment/start', start({ amount: '12,50' }), 400, '1102'],
  ['amount above the limit', 'payment/start', start({ amount: '99999999999' }), 400, '1102'],
  ['amount just above 10^10', 'payment/start', start({ amount: '10000000000.01' }), 400, '1102'],
  ['hex amount', 'payment/start', start({ amount: '0x10' }), 400, '1102'],
  ['currencyCode USD', 'payment/start', start({ currencyCode: 'USD' }), 400, '1099'],
  ['currencyCode dkk?', 'payment/start', start({ currencyCode: 'dkk?' }), 400, '1099'],
  ['missing orderId', 'payment/start', start({ orderId: undefined }), 400, '1113'],
  ['empty orderId', 'payment/start', start({ orderId: '' }), 400, '1113'],
  ['orderId of 37 characters', 'payment/start', start({ orderId: 'x'.repeat(37) }), 400, '1113'],
  ['userMinimumAge abc', 'payment/start', start({ userMinimumAge: 'abc' }), 400, '1105'],
  ['userMinimumAge negative', 'payment/start', start({ userMinimumAge: '-1' }), 400, '1105'],
  ['userMinimumAge fractional', 'payment/start', start({ userMinimumAge: '17.5' }), 400, '1105'],
  ['missing terminalId', 'payment/start', start({ terminalId: undefined }), 400, '1099'],
  ['byPosId: malformed posId', 'payment/start/byPosId', () => ({ orderId: 'o', amount: '1', posId: 'not-a-guid' }), 400, '1099'],
  ['byPosId: bad amount', 'payment/start/byPosId', () => ({ orderId: 'o', amount: '1.001', posId: pos.posId }), 400, '1102'],
  ['prepare: orderId of 37 characters', 'payment/prepare', () => ({ orderId: 'y'.repeat(37), terminalId: pos.terminalId }), 400, '1113'],
  ['prepare: missing orderId', 'payment/prepare', () => ({ terminalId: pos.terminalId }), 400, '1113'],
  ['details: unknown paymentId', 'payment/details', () => ({ paymentId: UNKNOWN }), 404, '1001'],
  ['status: unknown paymentId', 'payment/status', () => ({ paymentId: UNKNOWN }), 404, '1001'],
  ['capture: unknown paymentId', 'payment/capture', () => ({ paymentId: UNKNOWN }), 404, '1001'],
  ['cancel: unknown paymentId', 'payment/cancel', () => ({ paymentId: UNKNOWN }), 404, '1001'],
  ['ready: unknown paymentId', 'payment/ready', () => ({ orderId: 'o', amount: '1', terminalId: pos.terminalId, paymentId: UNKNOWN }), 404, '1001'],
  ['details: malformed paymentId', 'payment/details', () => ({ paymentId: 'not-a-guid' }), 400, '1099'],
  ['status: missing paymentId', 'payment/status', () => ({}), 400, '1099'],
  ['cancel: malformed paymentId', 'payment/cancel', () => ({ paymentId: `${UNKNOWN}x` }), 400, '1099'],
  ['capture: bad amount', 'payment/capture', () => ({ paymentId: reserved, amount: 'abc' }), 400, '1102'],
  ['capture: three decimals', 'payment/capture', () => ({ paymentId: reserved, amount: '10.001' }), 400, '1102'],
  ['capture: zero', 'payment/capture', () => ({ paymentId: reserved, amount: '0' }), 400, '1102'],
  ['capture: negative', 'payment/capture', () => ({ paymentId: reserved, amount: '-10' }), 400, '1102'],
  ['refund: three decimals', 'refund/create', refund({ amount: '1.001' }), 400, '1102'],
  ['refund: zero', 'refund/create', refund({ amount: '0' }), 400, '1102'],
  ['refund: negative', 'refund/create', refund({ amount: '-1' }), 400, '1102'],
  ['refund: missing amount', 'refund/create', refund({ amount: undefined }), 400, '1102'],
  ['refund: missing refundOrderId', 'refund/create', refund({ refundOrderId: undefined }), 400, '1114'],
  ['refund: empty refundOrderId', 'refund/create', refund({ refundOrderId: '' }), 400, '1114'],
  ['refund: currencyCode USD', 'refund/create', refund({ currencyCode: 'USD' }), 400, '1099'],
  ['refund: unknown paymentId', 'refund/create', refund({ paymentId: UNKNOWN }), 404, '1001'],
  ['refund: malformed paymentId', 'refund/create', refund({ paymentId: 'nope' }), 400, '1099'],
  ['refunds: unknown paymentId', 'refunds', () => ({ paymentId: UNKNOWN }), 404, '1001'],
  ['refund/details: malformed refundId', 'refund/details', () => ({ refundId: 'nope' }), 400, '1099'],
  // a NUL: no field means one, and PostgreSQL's text cannot hold one (it answered 500 there)
  ['orderId holding a NUL', 'payment/start', start({ orderId: 'a\u0000b' }), 400, '1113'],
  ['terminalId holding a NUL', 'payment/start', start({ terminalId: 'a\u0000' }), 400, '1099'],
  ['bystate: missing orderId', 'payment/id/retrieve/bystate', () => ({ state: 'Captured' }), 400, '1113'],
  ['byterminal: missing orderId', 'payment/id/retrieve/byterminal', () => ({ terminalId: pos.terminalId }), 400, '1113'],
];

describe('bad inputs', () => {
  it.each(CASES)('%s: %s is refused, nothing changed', async (_name, op, params, status, code) => {
    const before = await rowCounts(t);
    const res = await mp.get(op, params());
    expectRefused(res, status, code);
    expect(await rowCounts(t)).toEqual(before);
  });

  it.each([
    ['amount 12.345 as a number', { amount: 12.345 }, '1102'],
    ['amount -1 as a number', { amount: -1 }, '1102'],
    ['amount 0 as a number', { amount: 0 }, '1102'],
    ['amount 1e11 as a number', { amount: 1e11 }, '1102'],
    ['amount as an object', { amount: { value: 1 } }, '1102'],
    ['orderId of 37 characters', { orderId: 'z'.repeat(37) }, '1113'],
    ['currencyCode USD', { currencyCode: 'USD' }, '1099'],
  ])('POST payment/start with %s → 400 %s', async (_name, extra, code) => {
    const before = await rowCounts(t);
    expectRefused(await mp.post('payment/start', { orderId: uniqueName('bad'), amount: '10', terminalId: pos.terminalId, ...extra }), 400, code);
    expect(await rowCounts(t)).toEqual(before);
  });

  it('a bioCode holding a NUL (read before authentication, where PostgreSQL answered 500) is a 400 envelope', async () => {
    const before = await rowCounts(t);
    const { accessToken } = demoCredentials(t);
    const res = await fetch(`${t.url}${PREFIX}payment/start${query({ bioCode: 'a\u0000', accessToken, orderId: uniqueName('nul'), amount: '10.00', terminalId: pos.terminalId })}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ success: false });
    expect(await rowCounts(t)).toEqual(before);
  });

  it('a malformed JSON body is 400 1099 in the envelope', async () => {
    const before = await rowCounts(t);
    const res = await mp.postRaw('payment/start', '{"orderId": "o1", "amount": ', 'application/json');
    expectRefused(res, 400, '1099');
    expect(await rowCounts(t)).toEqual(before);
  });

  it('a malformed XML body is 400 1099 in the envelope', async () => {
    const res = await mp.postRaw('payment/start', '<Request><orderId>o1</orderId><amount>10', 'application/xml');
    expectRefused(res, 400, '1099');
  });

  it('a body of a type MobilePay does not take is 415 in the envelope, naming the three it does (not JSON alone)', async () => {
    const before = await rowCounts(t);
    const res = await mp.postRaw('payment/start', 'orderId=o1&amount=10', 'text/plain');
    expectRefused(res, 415, '1099');
    for (const type of ['application/json', 'application/xml', 'application/x-www-form-urlencoded']) expect(res.body.errors[0]).toContain(type);
    expect(await rowCounts(t)).toEqual(before);
  });

  it('an unknown route under the prefix is a 404 envelope', async () => {
    const res = await mp.get('payment/teleport', {});
    expect(res.status).toBe(404);
    expect(res.body.success).toBe(false);
    expect(res.body.errors.length).toBeGreaterThan(0);
    const noPrefix = await fetch(`${t.url}${PREFIX}nothing${query({})}`);
    expect(noPrefix.status).toBe(404);
  });

  // a parameter given twice is no one value: a form's was read as its last one (the payment started
  // for orderId b), a query's was refused as if the value were missing or not text
  it.each([
    ['a form', () => mp.postRaw('payment/start', `orderId=${uniqueName('a')}&orderId=${uniqueName('b')}&amount=10.00&terminalId=${encodeURIComponent(pos.terminalId)}`, 'application/x-www-form-urlencoded'), 'orderId', '1113'],
    ['a form (amount)', () => mp.postRaw('payment/start', `orderId=${uniqueName('c')}&amount=10.00&amount=1000.00&terminalId=${encodeURIComponent(pos.terminalId)}`, 'application/x-www-form-urlencoded'), 'amount', '1102'],
    ['an XML body', () => mp.postRaw('payment/start', `<Request><orderId>${uniqueName('d')}</orderId><amount>10.00</amount><amount>1000.00</amount><terminalId>${pos.terminalId}</terminalId></Request>`, 'application/xml'), 'amount', '1102'],
    ['the query', () => fetch(`${t.url}${PREFIX}payment/start${query({ bioCode: demoCredentials(t).bioCode, accessToken: demoCredentials(t).accessToken, orderId: uniqueName('e'), amount: '10.00', terminalId: pos.terminalId })}&amount=1000.00`).then(async (res) => {
      const text = await res.text();
      return { status: res.status, body: JSON.parse(text), text, headers: res.headers };
    }), 'amount', '1102'],
  ])('a parameter given twice in %s is refused, naming it, and nothing is started', async (_where, call, param, code) => {
    const before = await rowCounts(t);
    const res = await call();
    expectRefused(res, 400, code);
    expect(res.body.errors[0]).toBe(`${param} is given more than once in the ${_where.startsWith('a form') ? 'form' : _where === 'the query' ? 'query' : 'body'}; give it once.`);
    expect(await rowCounts(t)).toEqual(before);
  });

  it('after the whole table nothing was written and nothing changed state; the PoS is still free', async () => {
    expect(await rowCounts(t)).toEqual(startCounts);
    expect(await mp.details(reserved)).toMatchObject({ status: 'Reserved', reservedAmount: '50.00', capturedAmount: '0.00' });
    expect(await mp.details(captured)).toMatchObject({ status: 'Captured', capturedAmount: '100.00', refundedAmount: '0.00' });
    expect((await mp.get('refunds', { paymentId: captured })).body.refundIds).toEqual([]);
    const list = await mp.get('payments', { terminalId: pos.terminalId });
    expectOk(list);
    expect(list.body.paymentIds).toEqual([]);
    const ok = await mp.start(uniqueName('ok'), '10', pos.terminalId);
    expectOk(await mp.get('payment/cancel', { paymentId: ok }));
  });
});
