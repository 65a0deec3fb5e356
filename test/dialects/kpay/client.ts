// A small KPAY PR API client for the black-box tests, written from docs/dialects/kpay.md.
import { ADMIN_TOKEN, type TestGateway } from '../../harness.js';

export const PREFIX = '/kpay/api/v1/pos/payment-request';

export interface KpayResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export function demoKey(t: TestGateway): string {
  const set = (t.gateway.demo as unknown as { kpay?: { secretKey: string } }).kpay;
  if (!set) throw new Error('the gateway has no demo KPAY credentials (gateway.demo.kpay)');
  return set.secretKey;
}

export async function kpayCall(t: TestGateway, method: string, path: string, options: { key?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}): Promise<KpayResponse> {
  const headers: Record<string, string> = { ...options.headers };
  const key = options.key === undefined ? demoKey(t) : options.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  let body = options.rawBody;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  const response = await fetch(t.url + path, { method, headers, body });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
}

export const create = (t: TestGateway, body: unknown, key?: string | null) => kpayCall(t, 'POST', PREFIX, { body, key });
export const requery = (t: TestGateway, ref: string, key?: string | null) => kpayCall(t, 'GET', `${PREFIX}/${encodeURIComponent(ref)}`, { key });
export const cancel = (t: TestGateway, ref: string, key?: string | null) => kpayCall(t, 'POST', `${PREFIX}/${encodeURIComponent(ref)}/cancel`, { key });

/** A second merchant with its own KPAY set (admin API). */
export async function secondMerchantKey(t: TestGateway): Promise<string> {
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
  const merchant = await (await fetch(`${t.url}/admin/v1/merchants`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'Second shop' }) })).json() as { id: string };
  const set = await fetch(`${t.url}/admin/v1/merchants/${merchant.id}/credentials/kpay`, { method: 'POST', headers: admin, body: '{}' });
  const body = await set.json() as { kpay?: { secretKey?: string } };
  if (!body.kpay?.secretKey) throw new Error(`no kpay set for the second merchant: ${set.status} ${JSON.stringify(body)}`);
  return body.kpay.secretKey;
}
