// Centrapay dialect: a table of bad inputs, each refused in Centrapay's envelope
// {statusCode, error, message} with the documented status and code, and nothing written
// (docs/dialects/centrapay.md "Authentication and errors", "Payment request", "Actions").
import { describe, expect, it } from 'vitest';
import type { TestGateway } from '../../harness.js';
import {
  expectMalformed, expectRefused, paidRequest, patronPays, rowCounts, send, useGateway, type Centrapay, type CpResponse,
} from './client.js';

let t: TestGateway;
let cp: Centrapay;
let fresh: any;
let preAuth: any;
let paid: any;
useGateway(async (gateway, client) => {
  t = gateway;
  cp = client;
  fresh = await cp.createOk({ expirySeconds: 3600 }, '1000');
  preAuth = await cp.createOk({ preAuth: true }, '1000');
  await patronPays(t, preAuth.id);
  paid = await paidRequest(cp, '1000');
});

/** The expected refusal: 400 naming a field, or a status with a message code (or any message). */
type Expect = { field: string } | { status: number; message?: string };
type Case = [name: string, call: () => Promise<CpResponse>, expected: Expect];

const withValue = (value: unknown) => () => cp.call('POST', '/payment-requests', { body: { configId: cp.set.configId, value } });
const amount = (a: unknown) => withValue({ amount: a, currency: 'NZD' });
const create = (extra: Record<string, unknown>, amt = '1000') => () => cp.create(extra, amt);
const without = (field: string) => () => {
  const body = cp.body();
  delete body[field];
  return cp.call('POST', '/payment-requests', { body });
};
const raw = (rawBody: string, contentType = 'application/json') => () => cp.call('POST', '/payment-requests', { rawBody, headers: { 'content-type': contentType } });
const long = 'x'.repeat(129);

const CASES: Case[] = [
  ['value.amount "10.50" (not cents)', amount('10.50'), { field: 'amount' }],
  ['value.amount "-5"', amount('-5'), { field: 'amount' }],
  ['value.amount "0"', amount('0'), { field: 'amount' }],
  ['value.amount "abc"', amount('abc'), { field: 'amount' }],
  ['value.amount 1050 (a number, not a string)', amount(1050), { field: 'amount' }],
  ['value.amount ""', amount(''), { field: 'amount' }],
  ['value.amount "1e3"', amount('1e3'), { field: 'amount' }],
  ['value.amount "+100"', amount('+100'), { field: 'amount' }],
  ['value.amount " 100"', amount(' 100'), { field: 'amount' }],
  ['value.amount "0x10"', amount('0x10'), { field: 'amount' }],
  ['value.amount above 10^12 cents', amount('1000000000001'), { field: 'amount' }],
  // the spec's Monetary bound: 0 < amount < 100000000
  ['value.amount "100000000" (the bound itself)', amount('100000000'), { field: 'amount' }],
  ['value.amount "100000001"', amount('100000001'), { field: 'amount' }],
  ['value.amount "999999999999"', amount('999999999999'), { field: 'amount' }],
  ['value.amount 2^53 + 1 as text', amount('9007199254740993'), { field: 'amount' }],
  ['refund value.amount "100000000"', () => cp.refund(paid.id, '100000000', 'too-much'), { field: 'amount' }],
  ['confirm value.amount "100000000"', () => cp.confirm(preAuth.id, { idempotencyKey: 'k-4', invoiceRef: 'i', lineItems: [{ name: 'A', qty: '1', price: '100000000' }], value: { amount: '100000000', currency: 'NZD' } }), { field: 'amount' }],
  ['value.amount missing', withValue({ currency: 'NZD' }), { field: 'amount' }],
  ['value missing', without('value'), { field: 'value' }],
  ['value a string', withValue('1050'), { field: 'value' }],
  ['currency missing', withValue({ amount: '1000' }), { field: 'currency' }],
  ['unknown currency XYZ', withValue({ amount: '1000', currency: 'XYZ' }), { field: 'currency' }],
  ['configId missing', without('configId'), { field: 'configId' }],
  ['configId not the merchant\'s', create({ configId: 'cfg_00000000000000000000000000' }), { status: 403, message: 'MERCHANT_CONFIG_NOT_FOUND' }],
  ['expirySeconds 5', create({ expirySeconds: 5 }), { field: 'expirySeconds' }],
  ['expirySeconds 9', create({ expirySeconds: 9 }), { field: 'expirySeconds' }],
  ['expirySeconds 2592001', create({ expirySeconds: 2_592_001 }), { field: 'expirySeconds' }],
  ['expirySeconds 30.5', create({ expirySeconds: 30.5 }), { field: 'expirySeconds' }],
  ['line items not summing to value', create({ lineItems: [{ name: 'A', qty: '1', price: '600' }, { name: 'B', qty: '1', price: '300' }] }), { status: 400, message: 'LINE_ITEMS_SUM_CHECK_FAILED' }],
  ['lineItems not an array', create({ lineItems: { name: 'A', qty: '1', price: '1000' } }), { field: 'lineItems' }],
  ['a line item without name', create({ lineItems: [{ qty: '1', price: '1000' }] }), { field: 'name' }],
  ['a line item price "10.00"', create({ lineItems: [{ name: 'A', qty: '1', price: '10.00' }] }), { status: 400 }],
  ['a line item qty "abc"', create({ lineItems: [{ name: 'A', qty: 'abc', price: '1000' }] }), { status: 400 }],
  ['unknown terminalId', create({ terminalId: 'no-such-till' }), { status: 403, message: 'TERMINAL_NOT_FOUND' }],
  ['externalRef of 129 characters', create({ externalRef: long }), { field: 'externalRef' }],
  ['invoiceRef of 129 characters', create({ invoiceRef: long }), { field: 'invoiceRef' }],
  ['purchaseOrderRef of 129 characters', create({ purchaseOrderRef: long }), { field: 'purchaseOrderRef' }],
  ['deviceId of 129 characters', create({ deviceId: long }), { field: 'deviceId' }],
  ['operatorId of 129 characters', create({ operatorId: long }), { field: 'operatorId' }],
  ['basketAmount below value.amount', create({ basketAmount: '999' }), { field: 'basketAmount' }],
  ['basketAmount "abc"', create({ basketAmount: 'abc' }), { field: 'basketAmount' }],
  ['preAuth "yes"', create({ preAuth: 'yes' }), { field: 'preAuth' }],
  ['an unknown barcode', create({ barcode: 'pc_nope' }), { status: 403, message: 'PATRON_CODE_INVALID' }],
  ['malformed JSON', raw('{"configId": '), { status: 400 }],
  ['a body that is an array', raw('[]'), { status: 400 }],
  ['a body that is a string', raw('"hello"'), { status: 400 }],
  ['a body that is null', raw('null'), { status: 400 }],
  ['an empty JSON body', raw(''), { status: 400 }],
  ['pay without idempotencyKey', () => cp.call('POST', `/payment-requests/${fresh.id}/pay`, { body: { assetType: 'centrapay.nzd.test' } }), { field: 'idempotencyKey' }],
  ['pay without assetType', () => cp.call('POST', `/payment-requests/${fresh.id}/pay`, { body: { idempotencyKey: 'k-1' } }), { field: 'assetType' }],
  ['pay amount "ten"', () => cp.pay(fresh.id, { amount: 'ten' }), { field: 'amount' }],
  ['confirm without idempotencyKey', () => cp.confirm(preAuth.id, { invoiceRef: 'i', lineItems: [{ name: 'A', qty: '1', price: '100' }] }), { field: 'idempotencyKey' }],
  ['confirm without lineItems', () => cp.confirm(preAuth.id, { idempotencyKey: 'k-2', invoiceRef: 'i' }), { field: 'lineItems' }],
  ['confirm value "1.00"', () => cp.confirm(preAuth.id, { idempotencyKey: 'k-3', invoiceRef: 'i', lineItems: [{ name: 'A', qty: '1', price: '100' }], value: { amount: '1.00', currency: 'NZD' } }), { field: 'amount' }],
  ['a short code of the wrong shape', () => cp.byShortCode('CP-!!'), { status: 400 }],
];

describe('bad input', () => {
  it.each(CASES)('%s is refused and changes nothing', async (_name, call, expected) => {
    const before = await rowCounts(t);
    const res = await call();
    if ('field' in expected) expectMalformed(res, expected.field);
    else expectRefused(res, expected.status, expected.message);
    expect(await rowCounts(t)).toEqual(before);
    expect(await cp.read(fresh.id)).toEqual(fresh);
    expect(await cp.read(preAuth.id)).toMatchObject({ status: 'new', preAuthStatus: 'authorized' });
    expect(await cp.read(paid.id)).toMatchObject({ status: 'paid' });
  });

  it('a body over the size limit is a 4xx in the envelope', async () => {
    const before = await rowCounts(t);
    const res = await send(t, 'POST', '/centrapay/api/payment-requests', { apiKey: cp.set.apiKey, body: cp.body({ invoiceRef: 'x'.repeat(300 * 1024) }) });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body).toMatchObject({ statusCode: res.status, error: expect.any(String), message: expect.any(String) });
    expect(await rowCounts(t)).toEqual(before);
  });
});
