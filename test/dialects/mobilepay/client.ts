// A small MobilePay PoS (Integra wrapper) client for the black-box tests, written from
// docs/dialects/mobilepay.md: GET calls with query parameters, POST with JSON (or XML) bodies,
// accessToken + bioCode added to every call, answers parsed from JSON or XML.
import { XMLParser } from 'fast-xml-parser';
import { expect } from 'vitest';
import { ADMIN_TOKEN, type TestGateway } from '../../harness.js';

export interface MobilePayCredentials {
  bioCode: string;
  accessToken: string;
  terminalId: string;
  posId: string;
  storeId: string;
}

export interface Auth {
  bioCode?: string;
  accessToken?: string;
}

export interface MpResponse<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

type Params = Record<string, string | number | undefined | null>;

export const PREFIX = '/mobilepay/api/pos/';
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The demo merchant's MobilePay set (same shape as `posgate credentials --json`'s "mobilepay"). */
export function demoCredentials(t: TestGateway): MobilePayCredentials {
  const set = (t.gateway.demo as unknown as { mobilepay?: MobilePayCredentials }).mobilepay;
  if (!set) throw new Error('the gateway has no demo MobilePay credentials (gateway.demo.mobilepay)');
  return set;
}

export function query(params: Params): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) q.append(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

const xmlParser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, trimValues: true });

/** Parses an XML answer into a plain object (strings only; the caller interprets). */
export function parseXml(text: string): any {
  return xmlParser.parse(text);
}

async function send(t: TestGateway, method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}): Promise<MpResponse> {
  const res = await fetch(t.url + path, { method, headers: init.headers, body: init.body });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  let body: unknown = text;
  if (type.includes('json')) {
    try { body = JSON.parse(text); } catch { /* keep text */ }
  } else if (type.includes('xml')) {
    body = parseXml(text);
  } else {
    try { body = text ? JSON.parse(text) : null; } catch { /* keep text */ }
  }
  return { status: res.status, body: body as any, text, headers: res.headers };
}

export interface CallOptions {
  /** Ask for XML (Accept: application/xml). */
  xml?: boolean;
  accept?: string;
  /** Extra query parameters (for POST, beside the body). */
  query?: Params;
  headers?: Record<string, string>;
}

export class MobilePay {
  constructor(readonly t: TestGateway, public auth: Auth | null) {}

  private authParams(): Params {
    return this.auth ? { accessToken: this.auth.accessToken, bioCode: this.auth.bioCode } : {};
  }

  private headers(o: CallOptions, extra: Record<string, string> = {}): Record<string, string> {
    const accept = o.accept ?? (o.xml ? 'application/xml' : 'application/json');
    return { accept, ...extra, ...o.headers };
  }

  /** GET /mobilepay/api/pos/<op>?params&accessToken&bioCode */
  get(op: string, params: Params = {}, o: CallOptions = {}): Promise<MpResponse> {
    return send(this.t, 'GET', PREFIX + op + query({ ...params, ...this.authParams() }), { headers: this.headers(o) });
  }

  delete(op: string, params: Params = {}, o: CallOptions = {}): Promise<MpResponse> {
    return send(this.t, 'DELETE', PREFIX + op + query({ ...params, ...this.authParams() }), { headers: this.headers(o) });
  }

  /** POST with a JSON body carrying the parameters and the credentials. */
  post(op: string, body: Record<string, unknown> = {}, o: CallOptions = {}): Promise<MpResponse> {
    return send(this.t, 'POST', PREFIX + op + query(o.query ?? {}), {
      headers: this.headers(o, { 'content-type': 'application/json' }),
      body: JSON.stringify({ ...this.authParams(), ...body }),
    });
  }

  /** POST with a raw body and content type; the credentials go in the query. */
  postRaw(op: string, body: string, contentType: string, o: CallOptions = {}): Promise<MpResponse> {
    return send(this.t, 'POST', PREFIX + op + query({ ...(o.query ?? {}), ...this.authParams() }), {
      headers: this.headers(o, { 'content-type': contentType }),
      body,
    });
  }

  /** POST with an XML body: one root element whose children are the parameters (credentials included). */
  postXml(op: string, params: Params, o: CallOptions = {}): Promise<MpResponse> {
    const all = { ...this.authParams(), ...params };
    const children = Object.entries(all).filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `<${k}>${escapeXml(String(v))}</${k}>`).join('');
    return send(this.t, 'POST', PREFIX + op + query(o.query ?? {}), {
      headers: this.headers(o, { 'content-type': 'application/xml' }),
      body: `<?xml version="1.0" encoding="utf-8"?><Request>${children}</Request>`,
    });
  }

  // ---- the operations the tests use most ----

  async start(orderId: string, amount: string, terminalId: string, extra: Params = {}): Promise<string> {
    const res = await this.get('payment/start', { orderId, amount, terminalId, ...extra });
    expectOk(res);
    expect(res.body.paymentId).toMatch(GUID);
    return res.body.paymentId as string;
  }

  async status(paymentId: string): Promise<string> {
    const res = await this.get('payment/status', { paymentId });
    expectOk(res);
    return res.body.status as string;
  }

  async details(paymentId: string): Promise<any> {
    const res = await this.get('payment/details', { paymentId });
    expectOk(res);
    return res.body;
  }

  async refundStatus(refundId: string): Promise<string> {
    const res = await this.get('refund/details', { refundId });
    expectOk(res);
    return res.body.status as string;
  }
}

export const demoClient = (t: TestGateway) => new MobilePay(t, demoCredentials(t));

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A successful envelope: HTTP 200, success true, an empty errors array. */
export function expectOk(res: MpResponse): void {
  expect({ status: res.status, success: res.body?.success, errors: res.body?.errors }, res.text).toEqual({ status: 200, success: true, errors: [] });
}

/** A refused call: the documented HTTP status and errorCode, success false and a non-empty errors array. */
export function expectRefused(res: MpResponse, status: number, errorCode: string | null): void {
  expect({ status: res.status, success: res.body?.success, errorCode: res.body?.errorCode }, res.text).toEqual({ status, success: false, errorCode });
  expect(Array.isArray(res.body.errors), res.text).toBe(true);
  expect(res.body.errors.length, res.text).toBeGreaterThan(0);
  for (const e of res.body.errors) {
    expect(typeof e).toBe('string');
    expect(e.length).toBeGreaterThan(0);
  }
}

// ---- native sandbox: the patron and the test clock ----

export async function nativeTerminal(t: TestGateway, nativeId: string): Promise<any> {
  const res = await t.api('GET', `/v1/terminals/${nativeId}`);
  expect(res.status).toBe(200);
  return res.body;
}

/** The patron checks in at a terminal (native terminal id), optionally as a given sandbox patron. */
export async function checkIn(t: TestGateway, nativeTerminalId: string, patronId?: string): Promise<void> {
  const res = await t.api('POST', `/v1/sandbox/terminals/${nativeTerminalId}/check-in`, { body: patronId ? { patronId } : {} });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

/** The native id of the request behind a paymentId or refundId. */
export async function resolve(t: TestGateway, ref: string): Promise<string> {
  const res = await t.api('POST', '/v1/sandbox/resolve', { body: { ref } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.id as string;
}

/** The patron approves (or declines, cancels) a payment. */
export async function patron(t: TestGateway, paymentId: string, outcome: 'approve' | 'decline' | 'cancel' = 'approve'): Promise<void> {
  const id = await resolve(t, paymentId);
  const res = await t.api('POST', `/v1/sandbox/payment-requests/${id}/pay`, { body: { outcome } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

export async function advance(t: TestGateway, seconds: number): Promise<void> {
  const res = await t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

export async function rowCounts(t: TestGateway): Promise<{ paymentRequests: number; refunds: number }> {
  const [p] = await t.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM payment_requests');
  const [r] = await t.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM refunds');
  return { paymentRequests: Number(p!.n), refunds: Number(r!.n) };
}

// ---- fresh terminals with a PoS, so that tests do not share the one-active-payment lock ----

export interface Pos {
  /** The merchant's terminal id (the posgate terminal's name). */
  terminalId: string;
  /** The native (gateway) terminal id, for the sandbox check-in. */
  nativeId: string;
  posId: string;
}

let counter = 0;
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

/** A new posgate terminal in the given native store (admin API), without a PoS. */
export async function createTerminal(t: TestGateway, nativeStoreId: string, name = uniqueName('till')): Promise<{ name: string; nativeId: string }> {
  const res = await t.api('POST', `/admin/v1/stores/${nativeStoreId}/terminals`, { key: ADMIN_TOKEN, body: { name } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { name, nativeId: res.body.id as string };
}

/** A new terminal in the demo merchant's store with a PoS made by manage/create. */
export async function freshPos(t: TestGateway, mp: MobilePay = demoClient(t)): Promise<Pos> {
  const store = (await nativeTerminal(t, t.terminalId)).storeId as string;
  const terminal = await createTerminal(t, store);
  const res = await mp.get('manage/create', { terminalId: terminal.name });
  expectOk(res);
  expect(res.body.posInformation.posId).toMatch(GUID);
  return { terminalId: terminal.name, nativeId: terminal.nativeId, posId: res.body.posInformation.posId };
}

/** The demo PoS as a Pos. */
export function demoPos(t: TestGateway): Pos {
  const c = demoCredentials(t);
  return { terminalId: c.terminalId, nativeId: t.terminalId, posId: c.posId };
}

/** Start → check-in → approve: a Reserved payment. */
export async function reservedPayment(t: TestGateway, mp: MobilePay, pos: Pos, amount = '100.00', orderId = uniqueName('order')): Promise<string> {
  const paymentId = await mp.start(orderId, amount, pos.terminalId);
  await checkIn(t, pos.nativeId);
  await patron(t, paymentId, 'approve');
  expect(await mp.status(paymentId)).toBe('Reserved');
  return paymentId;
}

/** A Reserved payment captured in full (or the given amount). */
export async function capturedPayment(t: TestGateway, mp: MobilePay, pos: Pos, amount = '100.00', capture?: string): Promise<string> {
  const paymentId = await reservedPayment(t, mp, pos, amount);
  const res = await mp.get('payment/capture', { paymentId, amount: capture });
  expectOk(res);
  expect(res.body.status).toBe('Captured');
  return paymentId;
}
