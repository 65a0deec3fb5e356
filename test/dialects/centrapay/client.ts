// A small Centrapay Payment Requests client for the black-box tests, written from
// docs/dialects/centrapay.md: JSON calls under /centrapay/api with `X-Api-Key`, answers parsed as
// JSON; plus the native sandbox calls the tests use to act as the patron and to move the clock.
import { createHash, createPublicKey, verify as cryptoVerify, type JsonWebKey } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { ADMIN_TOKEN, startGateway, type TestGateway } from '../../harness.js';

export interface CentrapayCredentials {
  apiKey: string;
  merchantId: string;
  configId: string;
  terminalId: string;
}

export interface CpResponse<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export const PREFIX = '/centrapay/api';
/** The asset a test-mode NZD request is paid with (docs: paymentOptions). */
export const ASSET = 'centrapay.nzd.test';
/** The HTTP reason phrase each documented refusal status carries in `error`. */
export const REASON: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 429: 'Too Many Requests' };

/** The demo merchant's Centrapay set (same shape as `posgate credentials --json`'s "centrapay"). */
export function demoCredentials(t: TestGateway): CentrapayCredentials {
  const set = (t.gateway.demo as unknown as { centrapay?: CentrapayCredentials }).centrapay;
  if (!set) throw new Error('the gateway has no demo Centrapay credentials (gateway.demo.centrapay)');
  return set;
}

let counter = 0;
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

export async function send(t: TestGateway, method: string, path: string, init: { apiKey?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}): Promise<CpResponse> {
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  if (init.apiKey) headers['x-api-key'] = init.apiKey;
  let body: string | undefined = init.rawBody;
  if (init.body !== undefined) body = JSON.stringify(init.body);
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  const res = await fetch(t.url + path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try { parsed = text ? JSON.parse(text) : null; } catch { /* keep the text */ }
  return { status: res.status, body: parsed as any, text, headers: res.headers };
}

export class Centrapay {
  constructor(readonly t: TestGateway, public apiKey: string | null, readonly set: CentrapayCredentials) {}

  call(method: string, path: string, o: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}): Promise<CpResponse> {
    return send(this.t, method, PREFIX + path, { apiKey: this.apiKey, ...o });
  }

  /** The smallest valid create body for this merchant (a terminal key implies its terminal). */
  body(extra: Record<string, unknown> = {}, amount = '1050'): Record<string, unknown> {
    return { configId: this.set.configId, value: { amount, currency: 'NZD' }, ...extra };
  }

  create(extra: Record<string, unknown> = {}, amount = '1050'): Promise<CpResponse> {
    return this.call('POST', '/payment-requests', { body: this.body(extra, amount) });
  }

  async createOk(extra: Record<string, unknown> = {}, amount = '1050'): Promise<any> {
    const res = await this.create(extra, amount);
    expectOk(res);
    expect(res.body.status, res.text).toBe('new');
    return res.body;
  }

  get(id: string): Promise<CpResponse> {
    return this.call('GET', `/payment-requests/${encodeURIComponent(id)}`);
  }

  async read(id: string): Promise<any> {
    const res = await this.get(id);
    expectOk(res);
    return res.body;
  }

  byShortCode(code: string): Promise<CpResponse> {
    return this.call('GET', `/payment-requests/short-code/${encodeURIComponent(code)}`);
  }

  byExternalRef(ref: string, pageKey?: string): Promise<CpResponse> {
    return this.call('GET', `/payment-requests/external-ref/${encodeURIComponent(ref)}${pageKey ? `?pageKey=${encodeURIComponent(pageKey)}` : ''}`);
  }

  pay(id: string, body: Record<string, unknown> = {}): Promise<CpResponse> {
    return this.call('POST', `/payment-requests/${id}/pay`, { body: { assetType: ASSET, idempotencyKey: uniqueName('pay'), ...body } });
  }

  cancel(id: string): Promise<CpResponse> {
    return this.call('POST', `/payment-requests/${id}/cancel`);
  }

  void(id: string): Promise<CpResponse> {
    return this.call('POST', `/payment-requests/${id}/void`);
  }

  refund(id: string, amount: string, externalRef: string = uniqueName('refund'), extra: Record<string, unknown> = {}): Promise<CpResponse> {
    return this.call('POST', `/payment-requests/${id}/refund`, { body: { value: { amount, currency: 'NZD' }, externalRef, ...extra } });
  }

  confirm(id: string, body: Record<string, unknown>): Promise<CpResponse> {
    return this.call('POST', `/payment-requests/${id}/confirm`, { body });
  }

  release(id: string): Promise<CpResponse> {
    return this.call('POST', `/payment-requests/${id}/release`);
  }

  accept(id: string, conditionId = 'age-verification'): Promise<CpResponse> {
    return this.call('POST', `/payment-requests/${id}/conditions/${conditionId}/accept`);
  }

  decline(id: string, conditionId = 'age-verification'): Promise<CpResponse> {
    return this.call('POST', `/payment-requests/${id}/conditions/${conditionId}/decline`);
  }

  activities(id: string): Promise<CpResponse> {
    return this.call('GET', `/payment-requests/${id}/activities`);
  }

  async activityList(id: string): Promise<any[]> {
    const res = await this.activities(id);
    expectOk(res);
    expect(Array.isArray(res.body.items), res.text).toBe(true);
    return res.body.items;
  }

  paymentActivities(query: Record<string, string> = { merchantId: this.set.merchantId }): Promise<CpResponse> {
    return this.call('GET', `/payment-activities?${new URLSearchParams(query)}`);
  }
}

export const demoClient = (t: TestGateway) => new Centrapay(t, demoCredentials(t).apiKey, demoCredentials(t));

/**
 * The gateway a test file (or a describe block) runs against, and the demo merchant's client on it:
 * started with `options` in a beforeAll, which then hands both to `ready` (for the file's own `t`
 * and `cp`, and whatever else it sets up once), and closed in an afterAll.
 */
export function useGateway(ready: (t: TestGateway, cp: Centrapay) => void | Promise<void>, options?: Parameters<typeof startGateway>[0]): void {
  let started: TestGateway | undefined;
  beforeAll(async () => {
    started = await startGateway(options);
    await ready(started, demoClient(started));
  });
  afterAll(async () => started?.close());
}

/** HTTP 200 with a JSON body. */
export function expectOk(res: CpResponse): void {
  expect(res.status, `${res.status} ${res.text}`).toBe(200);
  expect(res.body, res.text).toBeTypeOf('object');
}

/** A refusal in Centrapay's envelope: `{statusCode, error: <HTTP reason>, message}` (and nothing but an optional `reason`). */
export function expectRefused(res: CpResponse, status: number, message?: string): void {
  expect(res.status, res.text).toBe(status);
  expect(res.body, res.text).toBeTypeOf('object');
  expect(res.body, res.text).not.toBeNull();
  expect({ statusCode: res.body.statusCode, error: res.body.error }, res.text).toEqual({ statusCode: status, error: REASON[status] });
  expect(typeof res.body.message, res.text).toBe('string');
  expect(res.body.message.length, res.text).toBeGreaterThan(0);
  if (message !== undefined) expect(res.body.message, res.text).toBe(message);
  for (const key of Object.keys(res.body)) expect(['statusCode', 'error', 'message', 'reason'], `unexpected field ${key}: ${res.text}`).toContain(key);
}

/** 400 malformed input: a human-readable message naming the field. */
export function expectMalformed(res: CpResponse, field: string): void {
  expectRefused(res, 400);
  expect(res.body.message.toLowerCase(), res.text).toContain(field.toLowerCase());
}

/** An activity as the doc shows it. */
export function expectActivity(activity: any, request: { id: string; shortCode: string; merchantId: string }, type: string, amount?: string): void {
  expect(activity, JSON.stringify(activity)).toMatchObject({ type, paymentRequestId: request.id, merchantId: request.merchantId });
  expect(typeof activity.id).toBe('string');
  expect(activity.id.length).toBeGreaterThan(0);
  // a bignumber, as Centrapay documents it: a string of digits
  expect(activity.activityNumber, JSON.stringify(activity)).toMatch(/^[1-9]\d*$/);
  expect(activity.shortCode).toBe(`${request.shortCode}-${activity.activityNumber.padStart(3, '0')}`);
  expect(activity.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  expect(typeof activity.createdBy, JSON.stringify(activity)).toBe('string');
  if (amount !== undefined) {
    expect(activity.value, JSON.stringify(activity)).toEqual({ amount, currency: 'NZD' });
    expect(activity.assetType, JSON.stringify(activity)).toBe(ASSET);
  }
}

// ---- the database, to show that a refused call changed nothing (portable SQL only) ----

export async function rowCounts(t: TestGateway): Promise<{ paymentRequests: number; refunds: number; events: number; versions: number }> {
  const one = async (sql: string) => Number((await t.query<{ n: number | string | null }>(sql))[0]?.n ?? 0);
  return {
    paymentRequests: await one('SELECT COUNT(*) AS n FROM payment_requests'),
    refunds: await one('SELECT COUNT(*) AS n FROM refunds'),
    events: await one('SELECT COUNT(*) AS n FROM events'),
    versions: await one('SELECT SUM(version) AS n FROM payment_requests'),
  };
}

export async function refundRows(t: TestGateway, nativeId: string): Promise<number> {
  return Number((await t.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM refunds WHERE payment_request_id = '${nativeId}'`))[0]?.n ?? 0);
}

// ---- native sandbox: the patron and the test clock ----

/** The native id of the request behind any Centrapay identifier. */
export async function resolve(t: TestGateway, ref: string): Promise<string> {
  const res = await t.api('POST', '/v1/sandbox/resolve', { body: { ref } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.id as string;
}

export async function nativeRequest(t: TestGateway, ref: string): Promise<any> {
  const res = await t.api('GET', `/v1/payment-requests/${await resolve(t, ref)}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** The patron acts on the request through the native sandbox. */
export async function patron(t: TestGateway, ref: string, outcome: 'approve' | 'decline' | 'cancel' | 'fail' = 'approve', amount?: number) {
  const id = await resolve(t, ref);
  return t.api('POST', `/v1/sandbox/payment-requests/${id}/pay`, { body: { outcome, ...(amount !== undefined ? { amount } : {}) } });
}

export async function patronPays(t: TestGateway, ref: string, amount?: number): Promise<void> {
  const res = await patron(t, ref, 'approve', amount);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

export async function advance(t: TestGateway, seconds: number): Promise<void> {
  const res = await t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

export async function clockNow(t: TestGateway): Promise<number> {
  const res = await t.api('GET', '/v1/sandbox/clock');
  expect(res.status).toBe(200);
  return Date.parse(res.body.now);
}

/** A paid request of `amount` cents (created by the client, paid by the sandbox patron). */
export async function paidRequest(cp: Centrapay, amount = '1050', extra: Record<string, unknown> = {}): Promise<any> {
  const pr = await cp.createOk(extra, amount);
  await patronPays(cp.t, pr.id);
  const read = await cp.read(pr.id);
  expect(read.status).toBe('paid');
  return read;
}

// ---- other terminals, keys and merchants ----

/** A new terminal in the demo merchant's store, and a test-mode terminal key for it. */
export async function otherTerminal(t: TestGateway, name = uniqueName('till')): Promise<{ name: string; nativeId: string; key: string; keyId: string }> {
  const store = (await t.api('GET', `/v1/terminals/${t.terminalId}`)).body.storeId as string;
  const terminal = await t.api('POST', `/admin/v1/stores/${store}/terminals`, { key: ADMIN_TOKEN, body: { name } });
  expect(terminal.status, JSON.stringify(terminal.body)).toBe(201);
  const key = await t.api('POST', `/admin/v1/terminals/${terminal.body.id}/keys`, { key: ADMIN_TOKEN, body: { mode: 'test' } });
  expect(key.status, JSON.stringify(key.body)).toBe(201);
  return { name, nativeId: terminal.body.id, key: key.body.terminalKey, keyId: key.body.id };
}

/** Another merchant with a terminal and its own Centrapay set. */
export async function otherMerchant(t: TestGateway, name = 'Other Ltd'): Promise<CentrapayCredentials> {
  const merchant = await t.api('POST', '/admin/v1/merchants', { key: ADMIN_TOKEN, body: { name } });
  expect(merchant.status, JSON.stringify(merchant.body)).toBe(201);
  const terminal = await t.api('POST', `/admin/v1/stores/${merchant.body.stores[0].id}/terminals`, { key: ADMIN_TOKEN, body: { name: 'till-1' } });
  expect(terminal.status, JSON.stringify(terminal.body)).toBe(201);
  const issued = await t.api('POST', `/admin/v1/merchants/${merchant.body.id}/credentials/centrapay`, { key: ADMIN_TOKEN, body: {} });
  expect(issued.status, JSON.stringify(issued.body)).toBe(201);
  const set = (issued.body.centrapay ?? issued.body) as CentrapayCredentials;
  expect(set.apiKey).toBeTruthy();
  return set;
}

// ---- short codes ----

/** The same short code with a wrong check character (another character of the code's own alphabet). */
export function wrongCheckCharacter(shortCode: string): string {
  const last = shortCode.slice(-1);
  const alphabet = [...new Set(`${shortCode.replace(/^CP-/, '').replace(/-/g, '')}23456789ABCDEFGHJKMNPQRSTUVWXYZ`)];
  const other = alphabet.find((c) => c !== last && /[A-Z2-9]/.test(c))!;
  return shortCode.slice(0, -1) + other;
}

// ---- webhook JWT (ES256) verification with node:crypto only ----

const b64url = (s: string) => Buffer.from(s, 'base64url');

export interface JwtCheck {
  ok: boolean;
  why?: string;
  header?: any;
  claims?: any;
}

/** Verifies a Centrapay webhook's `Authorization` JWT against the JWKS and the exact body received. */
export function verifyWebhookJwt(token: string, body: string, jwks: { keys: any[] }, audience: string): JwtCheck {
  const parts = token.replace(/^Bearer /, '').split('.');
  if (parts.length !== 3) return { ok: false, why: 'not three parts' };
  const [h, p, s] = parts as [string, string, string];
  const header = JSON.parse(b64url(h).toString('utf8'));
  const claims = JSON.parse(b64url(p).toString('utf8'));
  if (header.alg !== 'ES256') return { ok: false, why: `alg ${header.alg}`, header, claims };
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  if (!jwk) return { ok: false, why: `no key ${header.kid}`, header, claims };
  const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  const signed = cryptoVerify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, b64url(s));
  if (!signed) return { ok: false, why: 'bad signature', header, claims };
  if (claims.request_body_sha256 !== createHash('sha256').update(body, 'utf8').digest('hex')) return { ok: false, why: 'body hash', header, claims };
  if (claims.aud !== audience && !(Array.isArray(claims.aud) && claims.aud.includes(audience))) return { ok: false, why: `aud ${claims.aud}`, header, claims };
  if (!Number.isInteger(claims.iat) || claims.exp !== claims.iat + 300) return { ok: false, why: `iat ${claims.iat} exp ${claims.exp}`, header, claims };
  return { ok: true, header, claims };
}
