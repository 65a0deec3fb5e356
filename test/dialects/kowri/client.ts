// A small Kowri WebPOS client for the black-box tests, written from docs/dialects/kowri.md.
import { randomUUID } from 'node:crypto';
import { ADMIN_TOKEN, type TestGateway } from '../../harness.js';

export interface KowriSet {
  appId: string;
  appReference: string;
  secret: string;
  serviceCode: string;
}

export interface KowriResponse<T = any> {
  status: number;
  body: T;
}

export function demoSet(t: TestGateway): KowriSet {
  const set = (t.gateway.demo as unknown as { kowri?: KowriSet }).kowri;
  if (!set) throw new Error('the gateway has no demo Kowri credentials (gateway.demo.kowri)');
  return set;
}

/** POSTs an operation with the set's credentials (and a fresh requestId unless the body has one). */
export async function kowriCall(t: TestGateway, operation: string, body: Record<string, unknown> = {}, set: KowriSet | null = demoSet(t), headers: Record<string, string> = {}): Promise<KowriResponse> {
  const auth = set ? { appReference: set.appReference, secret: set.secret } : {};
  const sent = { requestId: randomUUID(), ...auth, ...body };
  return rawCall(t, operation, JSON.stringify(sent), { ...(set ? { appId: set.appId } : {}), ...headers });
}

export async function rawCall(t: TestGateway, operation: string, rawBody: string | undefined, headers: Record<string, string> = {}): Promise<KowriResponse> {
  const all: Record<string, string> = { ...headers };
  if (rawBody !== undefined && !Object.keys(all).some((h) => h.toLowerCase() === 'content-type')) all['content-type'] = 'application/json';
  const response = await fetch(`${t.url}/kowri/webpos/${operation}`, { method: 'POST', headers: all, body: rawBody });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

export const createInvoice = (t: TestGateway, body: Record<string, unknown>, set?: KowriSet | null) => kowriCall(t, 'createInvoice', { currency: 'GHS', ...body }, set);
export const summary = (t: TestGateway, key: Record<string, unknown>, set?: KowriSet | null) => kowriCall(t, 'getInvoiceSummary', key, set);
export const processPayment = (t: TestGateway, body: Record<string, unknown>, set?: KowriSet | null) => kowriCall(t, 'processPayment', body, set);
export const checkStatus = (t: TestGateway, transactionId: string, set?: KowriSet | null) => kowriCall(t, 'checkPaymentStatus', { transactionId }, set);
export const decide = (t: TestGateway, transactionId: string, outcome: 'approve' | 'decline', set?: KowriSet | null) => kowriCall(t, 'sandbox/decidePayment', { transactionId, outcome }, set);

/** A second merchant with its own Kowri set (admin API). */
export async function secondMerchantSet(t: TestGateway): Promise<KowriSet> {
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
  const merchant = await (await fetch(`${t.url}/admin/v1/merchants`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'Second shop' }) })).json() as { id: string };
  const response = await fetch(`${t.url}/admin/v1/merchants/${merchant.id}/credentials/kowri`, { method: 'POST', headers: admin, body: '{}' });
  const body = await response.json() as { kowri?: KowriSet };
  if (!body.kowri?.secret) throw new Error(`no kowri set for the second merchant: ${response.status} ${JSON.stringify(body)}`);
  return body.kowri;
}

export const MTN_WALLET = '0244123456';

/** Every table a Kowri call can write to, counted across all merchants: a refused call leaves them as they were. */
export async function writeCounts(t: TestGateway): Promise<string> {
  const tables = ['payment_requests', 'events', 'deliveries', 'idempotency_keys', 'dialect_records', 'channel_commands'];
  const counts = await Promise.all(tables.map(async (table) => `${table}=${(await t.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table}`))[0]?.n}`));
  const versions = await t.query<{ v: number | string | null }>('SELECT SUM(version) AS v FROM payment_requests');
  return `${counts.join(' ')} versions=${versions[0]?.v ?? 0}`;
}
