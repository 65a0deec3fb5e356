// A small CLIQ client for the black-box tests, written from docs/dialects/cliq.md: it computes each
// call's MD5 hash itself and sends JSON or form bodies.
import { createHash } from 'node:crypto';
import { ADMIN_TOKEN, type TestGateway } from '../../harness.js';

export interface CliqSet {
  key: string;
  apiSecret: string;
}

export interface CliqResponse<T = any> {
  status: number;
  body: T;
}

export const md5 = (...parts: string[]) => createHash('md5').update(parts.join('')).digest('hex');

export function demoSet(t: TestGateway): CliqSet {
  const set = (t.gateway.demo as unknown as { cliq?: CliqSet }).cliq;
  if (!set) throw new Error('the gateway has no demo CLIQ credentials (gateway.demo.cliq)');
  return set;
}

/** POSTs fields to a CLIQ path, as JSON (default) or as a form. */
export async function cliqCall(t: TestGateway, path: string, fields: Record<string, unknown> | null, options: { form?: boolean; rawBody?: string; contentType?: string } = {}): Promise<CliqResponse> {
  let body = options.rawBody;
  let contentType = options.contentType;
  if (fields !== null && body === undefined) {
    if (options.form) {
      body = new URLSearchParams(Object.entries(fields).map(([k, v]): [string, string] => [k, String(v)])).toString();
      contentType ??= 'application/x-www-form-urlencoded';
    } else {
      body = JSON.stringify(fields);
      contentType ??= 'application/json';
    }
  }
  const response = await fetch(`${t.url}/cliq${path}`, { method: 'POST', headers: contentType ? { 'content-type': contentType } : {}, body });
  const text = await response.text();
  let parsed: unknown = text;
  try { parsed = text ? JSON.parse(text) : null; } catch { /* keep the text */ }
  return { status: response.status, body: parsed as any };
}

export interface CreateFields {
  asset?: string;
  requested_asset?: string;
  amount: string;
  description?: string;
  reference: string;
  [field: string]: unknown;
}

/** payment-pos/post with hash = md5(key + asset + amount + api_secret). */
export function createPayment(t: TestGateway, fields: CreateFields, options: { set?: CliqSet; form?: boolean; hash?: string } = {}) {
  const set = options.set ?? demoSet(t);
  const body = { asset: 'USD', requested_asset: 'BTC', description: 'Order', ...fields, key: set.key };
  return cliqCall(t, '/api/payment-pos/post', { ...body, hash: options.hash ?? md5(set.key, String(body.asset), String(body.amount), set.apiSecret) }, { form: options.form });
}

/** getupdate or payment/get by reference or payment_code; hash = md5(key + that value + amount as created + api_secret). */
export function byRef(t: TestGateway, path: '/api/payment-pos/getupdate' | '/api/payment/get', by: { reference?: string; payment_code?: string }, amount: string, options: { set?: CliqSet; form?: boolean } = {}) {
  const set = options.set ?? demoSet(t);
  const value = by.reference ?? by.payment_code ?? '';
  return cliqCall(t, path, { ...by, key: set.key, hash: md5(set.key, value, amount, set.apiSecret) }, { form: options.form });
}

export const getUpdate = (t: TestGateway, by: { reference?: string; payment_code?: string }, amount: string, options?: { set?: CliqSet; form?: boolean }) => byRef(t, '/api/payment-pos/getupdate', by, amount, options);
export const getPayment = (t: TestGateway, by: { reference?: string; payment_code?: string }, amount: string, options?: { set?: CliqSet; form?: boolean }) => byRef(t, '/api/payment/get', by, amount, options);

/** payment/refund with hash = md5(key + asset + amount + api_secret). */
export function refund(t: TestGateway, fields: { payment_code: string; refund_type: string; amount: string; [f: string]: unknown }, options: { set?: CliqSet; asset?: string; hash?: string } = {}) {
  const set = options.set ?? demoSet(t);
  return cliqCall(t, '/api/payment/refund', { ...fields, key: set.key, hash: options.hash ?? md5(set.key, options.asset ?? 'USD', fields.amount, set.apiSecret) });
}

/** The sandbox customer pays `amount` (settlement minor units), confirmed at once unless told. */
export function sandboxPay(t: TestGateway, paymentCode: string, amount: string, extra: { txid?: string; confirmed?: string } = {}, set = demoSet(t)) {
  return cliqCall(t, '/api/sandbox/pay', { payment_code: paymentCode, amount, ...extra, key: set.key, hash: md5(set.key, paymentCode, amount, set.apiSecret) });
}

export function sandboxConfirm(t: TestGateway, paymentCode: string, txid: string, set = demoSet(t)) {
  return cliqCall(t, '/api/sandbox/confirm', { payment_code: paymentCode, txid, key: set.key, hash: md5(set.key, paymentCode, txid, set.apiSecret) });
}

export function sandboxRefund(t: TestGateway, refundId: string, outcome: string, set = demoSet(t)) {
  return cliqCall(t, '/api/sandbox/refund', { refund_id: refundId, outcome, key: set.key, hash: md5(set.key, refundId, outcome, set.apiSecret) });
}

/** Moves the demo merchant's test clock (quotes and payments expire on it). */
export const advance = (t: TestGateway, seconds: number) => t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds } });

export const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };

/** A fresh CLIQ set for a merchant (admin API). */
export async function issueSet(t: TestGateway, merchantId: string): Promise<CliqSet> {
  const set = await fetch(`${t.url}/admin/v1/merchants/${merchantId}/credentials/cliq`, { method: 'POST', headers: ADMIN, body: '{}' });
  const body = await set.json() as { cliq?: CliqSet };
  if (!body.cliq?.key) throw new Error(`no cliq set for ${merchantId}: ${set.status} ${JSON.stringify(body)}`);
  return body.cliq;
}

/** A second merchant with its own CLIQ set (admin API). */
export async function secondMerchant(t: TestGateway): Promise<{ merchantId: string; set: CliqSet }> {
  const merchant = await (await fetch(`${t.url}/admin/v1/merchants`, { method: 'POST', headers: ADMIN, body: JSON.stringify({ name: 'Second shop' }) })).json() as { id: string };
  return { merchantId: merchant.id, set: await issueSet(t, merchant.id) };
}
