// Names that every JavaScript object already has (`__proto__`, `constructor`, `toString`, …) sent
// where a request names something: path parameters, query parameter names and values, enum fields
// of bodies, body keys, credentials. A lookup by such a name must find nothing of the object's
// prototype: the answer is the caller's 4xx (or the answer without that name), never a 500, and
// nothing is written. Admin API, native API, MobilePay (/mobilepay/api/pos) and Centrapay
// (/centrapay/api).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createBody, startGateway, type TestGateway } from '../harness.js';

const NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__'];
const TABLES = [
  'merchants', 'stores', 'terminals', 'api_keys', 'dialect_credentials', 'payment_requests', 'payment_request_refs', 'refunds', 'events',
  'deliveries', 'delivery_attempts', 'webhook_endpoints', 'idempotency_keys', 'patrons', 'patron_codes', 'settings',
];
const UNKNOWN_GUID = '0b7e3a52-41c4-4f6e-9a55-8a1f0c2d3e4f';

type Auth = { kind: 'bearer'; token: string } | { kind: 'admin' } | { kind: 'native' } | { kind: 'centrapay'; apiKey?: string } | { kind: 'mobilepay' } | { kind: 'none' };

interface Call {
  method: string;
  path: string;
  auth: Auth;
  body?: unknown;
  rawBody?: string;
  contentType?: string;
}

/** What the answer must be: a 4xx; or exactly the answer to `baseline` (the same call without the name). */
type Expect = { kind: '4xx' } | { kind: 'as'; baseline: Call };

interface Case {
  what: string;
  call: (name: string) => Call;
  expect?: (name: string) => Expect;
}

let t: TestGateway;
let ctx: { merchantId: string; prId: string; cpId: string; mp: { accessToken: string; bioCode: string }; cpKey: string };

beforeAll(async () => {
  t = await startGateway();
  const demo = t.gateway.demo as unknown as {
    merchantId: string;
    centrapay: { apiKey: string; configId: string };
    mobilepay: { accessToken: string; bioCode: string };
  };
  const cp = await send({ method: 'POST', path: '/centrapay/api/payment-requests', auth: { kind: 'centrapay' }, body: { configId: demo.centrapay.configId, value: { amount: '1050', currency: 'NZD' }, conditionsEnabled: true } }, demo.centrapay.apiKey);
  expect(cp.status, cp.text).toBe(200);
  const pr = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true }) });
  expect(pr.status, JSON.stringify(pr.body)).toBe(201);
  ctx = { merchantId: demo.merchantId, prId: pr.body.id, cpId: JSON.parse(cp.text).id, mp: demo.mobilepay, cpKey: demo.centrapay.apiKey };
});
afterAll(async () => t?.close());

async function send(call: Call, cpKey = ctx?.cpKey): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let path = call.path;
  const body = call.rawBody ?? (call.body === undefined ? undefined : JSON.stringify(call.body));
  if (call.auth.kind === 'admin') headers.authorization = `Bearer ${ADMIN_TOKEN}`;
  if (call.auth.kind === 'native') headers.authorization = `Bearer ${t.secretKey}`;
  if (call.auth.kind === 'bearer') headers.authorization = `Bearer ${call.auth.token}`;
  if (call.auth.kind === 'centrapay') headers['x-api-key'] = call.auth.apiKey ?? cpKey;
  if (call.auth.kind === 'mobilepay') {
    // credentials in the query, as the wrapper allows on every call; explicit ones win
    const url = new URL(path, 'http://x');
    if (!url.searchParams.has('accessToken')) url.searchParams.set('accessToken', ctx.mp.accessToken);
    if (!url.searchParams.has('bioCode')) url.searchParams.set('bioCode', ctx.mp.bioCode);
    path = url.pathname + url.search;
  }
  if (body !== undefined) headers['content-type'] = call.contentType ?? 'application/json';
  const response = await fetch(t.url + path, { method: call.method, headers, body });
  return { status: response.status, text: await response.text() };
}

/** Every table's row count and the requests' versions: a refused call changes none of them. */
async function snapshot(): Promise<Record<string, unknown>> {
  const counts = TABLES.map((table) => `(SELECT COUNT(*) FROM ${table}) AS ${table}`).join(', ');
  const [row] = await t.query<Record<string, unknown>>(`SELECT ${counts}, (SELECT SUM(version) FROM payment_requests) AS versions`);
  return Object.fromEntries(Object.entries(row ?? {}).map(([k, v]) => [k, Number(v)]));
}

const q = (name: string) => encodeURIComponent(name);
const admin: Auth = { kind: 'admin' };
const native: Auth = { kind: 'native' };
const cp: Auth = { kind: 'centrapay' };
const mp: Auth = { kind: 'mobilepay' };
const MP = '/mobilepay/api/pos';
const CP = '/centrapay/api/payment-requests';

function run(cases: Case[]) {
  for (const c of cases) {
    it(c.what, async () => {
      const before = await snapshot();
      for (const name of NAMES) {
        const call = c.call(name);
        const res = await send(call);
        const label = `${call.method} ${call.path} ${call.rawBody ?? JSON.stringify(call.body ?? '')} → ${res.status} ${res.text.slice(0, 300)}`;
        expect(res.status, label).toBeLessThan(500);
        const expectation = c.expect?.(name) ?? { kind: '4xx' };
        if (expectation.kind === '4xx') expect(res.status, label).toBeGreaterThanOrEqual(400);
        else {
          const baseline = await send(expectation.baseline);
          expect(res.status, label).toBe(baseline.status);
        }
      }
      expect(await snapshot()).toEqual(before);
    });
  }
}

describe('admin API', () => {
  run([
    { what: 'credentials for a dialect named like a prototype member', call: (n) => ({ method: 'POST', path: `/admin/v1/merchants/${ctx.merchantId}/credentials/${q(n)}`, auth: admin, body: {} }) },
    { what: 'credentials of a merchant named like a prototype member', call: (n) => ({ method: 'POST', path: `/admin/v1/merchants/${q(n)}/credentials/centrapay`, auth: admin, body: {} }) },
    { what: 'native credentials of such a merchant', call: (n) => ({ method: 'POST', path: `/admin/v1/merchants/${q(n)}/credentials/native`, auth: admin, body: {} }) },
    { what: 'mobilepay credentials of such a merchant', call: (n) => ({ method: 'POST', path: `/admin/v1/merchants/${q(n)}/credentials/mobilepay`, auth: admin, body: {} }) },
    { what: 'read such a merchant', call: (n) => ({ method: 'GET', path: `/admin/v1/merchants/${q(n)}`, auth: admin }) },
    { what: 'change such a merchant', call: (n) => ({ method: 'PATCH', path: `/admin/v1/merchants/${q(n)}`, auth: admin, body: { underpaymentTolerancePercent: '1' } }) },
    { what: 'a tolerance named like a prototype member', call: (n) => ({ method: 'PATCH', path: `/admin/v1/merchants/${ctx.merchantId}`, auth: admin, body: { underpaymentTolerancePercent: n } }) },
    { what: 'a store of such a merchant', call: (n) => ({ method: 'POST', path: `/admin/v1/merchants/${q(n)}/stores`, auth: admin, body: { name: 'x' } }) },
    { what: 'a terminal of such a store', call: (n) => ({ method: 'POST', path: `/admin/v1/stores/${q(n)}/terminals`, auth: admin, body: { name: 'x' } }) },
    { what: 'a key of such a merchant', call: (n) => ({ method: 'POST', path: `/admin/v1/merchants/${q(n)}/keys`, auth: admin, body: { mode: 'test' } }) },
    { what: 'a key in a mode named like a prototype member', call: (n) => ({ method: 'POST', path: `/admin/v1/merchants/${ctx.merchantId}/keys`, auth: admin, body: { mode: n } }) },
    { what: 'a key of such a terminal', call: (n) => ({ method: 'POST', path: `/admin/v1/terminals/${q(n)}/keys`, auth: admin, body: { mode: 'test' } }) },
    { what: 'revoke such a key', call: (n) => ({ method: 'DELETE', path: `/admin/v1/keys/${q(n)}`, auth: admin }) },
    { what: 'merchants with a query parameter named like a prototype member', call: (n) => ({ method: 'GET', path: `/admin/v1/merchants?${q(n)}=1`, auth: admin }) },
    // a cursor is an item's key as it is: one that names no item pages from where it would sort
    { what: 'merchants from a cursor named like a prototype member', call: (n) => ({ method: 'GET', path: `/admin/v1/merchants?cursor=${q(n)}`, auth: admin }),
      expect: () => ({ kind: 'as', baseline: { method: 'GET', path: '/admin/v1/merchants?cursor=no_such_item', auth: admin } }) },
    { what: 'a merchant body with such a key', call: (n) => ({ method: 'POST', path: '/admin/v1/merchants', auth: admin, rawBody: `{"name":"x","${n}":{"name":"y"}}` }) },
    { what: 'an admin route named like a prototype member', call: (n) => ({ method: 'POST', path: `/admin/v1/${q(n)}`, auth: admin, body: {} }) },
    { what: 'an admin token named like a prototype member', call: (n) => ({ method: 'GET', path: '/admin/v1/merchants', auth: { kind: 'bearer', token: n } }) },
  ]);
});

describe('native API', () => {
  run([
    { what: 'read such a payment request', call: (n) => ({ method: 'GET', path: `/v1/payment-requests/${q(n)}`, auth: native }) },
    { what: 'its events, refunds and QR codes', call: (n) => ({ method: 'GET', path: `/v1/payment-requests/${q(n)}/${['events', 'refunds', 'qr.svg', 'qr.png'][n.length % 4]}`, auth: native }) },
    { what: 'a short code named like a prototype member', call: (n) => ({ method: 'GET', path: `/v1/payment-requests/short-code/${q(n)}`, auth: native }) },
    { what: 'refund such a request', call: (n) => ({ method: 'POST', path: `/v1/payment-requests/${q(n)}/refunds`, auth: native, body: { amount: 100, reference: `r-${n}` } }) },
    { what: 'a refund capture mode named like a prototype member', call: (n) => ({ method: 'POST', path: `/v1/payment-requests/${ctx.prId}/refunds`, auth: native, body: { amount: 100, reference: `r-${n}`, captureMode: n } }) },
    { what: 'read such a refund', call: (n) => ({ method: 'GET', path: `/v1/refunds/${q(n)}`, auth: native }) },
    { what: 'read such a terminal and its QR code', call: (n) => ({ method: 'GET', path: `/v1/terminals/${q(n)}${n.length % 2 ? '/qr.svg' : ''}`, auth: native }) },
    { what: 'a key of such a terminal', call: (n) => ({ method: 'POST', path: `/v1/terminals/${q(n)}/keys`, auth: native, body: {} }) },
    { what: 'revoke such a terminal key', call: (n) => ({ method: 'DELETE', path: `/v1/terminals/${t.terminalId}/keys/${q(n)}`, auth: native }) },
    { what: 'such a webhook endpoint', call: (n) => ({ method: ['GET', 'DELETE'][n.length % 2]!, path: `/v1/webhook-endpoints/${q(n)}`, auth: native }) },
    { what: 'enable or rotate such an endpoint', call: (n) => ({ method: 'POST', path: `/v1/webhook-endpoints/${q(n)}/${['enable', 'rotate-secret'][n.length % 2]}`, auth: native, body: {} }) },
    { what: 'a webhook format named like a prototype member', call: (n) => ({ method: 'POST', path: '/v1/webhook-endpoints', auth: native, body: { url: 'https://example.com/hook', format: n } }) },
    { what: 'a webhook event type named like a prototype member', call: (n) => ({ method: 'POST', path: '/v1/webhook-endpoints', auth: native, body: { url: 'https://example.com/hook', eventTypes: [n] } }) },
    { what: 'deliveries of such an event', call: (n) => ({ method: 'GET', path: `/v1/events/${q(n)}/deliveries`, auth: native }) },
    { what: 'redeliver such an event', call: (n) => ({ method: 'POST', path: `/v1/events/${q(n)}/redeliver`, auth: native, body: {} }) },
    { what: 'a currency named like a prototype member', call: (n) => ({ method: 'POST', path: '/v1/payment-requests', auth: native, body: createBody(t, { currency: n, allowConcurrent: true }) }) },
    { what: 'a capture mode named like a prototype member', call: (n) => ({ method: 'POST', path: '/v1/payment-requests', auth: native, body: createBody(t, { captureMode: n, allowConcurrent: true }) }) },
    { what: 'a payment method named like a prototype member', call: (n) => ({ method: 'POST', path: '/v1/payment-requests', auth: native, body: createBody(t, { allowedMethods: [n], allowConcurrent: true }) }) },
    { what: 'a terminal named like a prototype member', call: (n) => ({ method: 'POST', path: '/v1/payment-requests', auth: native, body: createBody(t, { terminalId: n, allowConcurrent: true }) }) },
    { what: 'a create body with such a key', call: (n) => ({ method: 'POST', path: '/v1/payment-requests', auth: native, rawBody: `{"amount":1500,"currency":"NZD","terminalId":"${t.terminalId}","allowConcurrent":true,"${n}":{"prototype":{"amount":1}}}` }) },
    { what: 'a list filter status named like a prototype member', call: (n) => ({ method: 'GET', path: `/v1/payment-requests?status=${q(n)}`, auth: native }) },
    { what: 'a list query parameter named like a prototype member', call: (n) => ({ method: 'GET', path: `/v1/payment-requests?${q(n)}=1`, auth: native }) },
    { what: 'a list cursor named like a prototype member', call: (n) => ({ method: 'GET', path: `/v1/payment-requests?cursor=${q(n)}`, auth: native }),
      expect: () => ({ kind: 'as', baseline: { method: 'GET', path: '/v1/payment-requests?cursor=no_such_item', auth: native } }) },
    { what: 'a long-poll status named like a prototype member', call: (n) => ({ method: 'GET', path: `/v1/payment-requests/${ctx.prId}?unlessStatus=${q(n)}&waitSeconds=0`, auth: native }) },
    { what: 'events of a type named like a prototype member', call: (n) => ({ method: 'GET', path: `/v1/events?type=${q(n)}`, auth: native }) },
    { what: 'a sandbox outcome named like a prototype member', call: (n) => ({ method: 'POST', path: `/v1/sandbox/payment-requests/${ctx.prId}/pay`, auth: native, body: { outcome: n } }) },
    { what: 'a sandbox method named like a prototype member', call: (n) => ({ method: 'POST', path: `/v1/sandbox/payment-requests/${ctx.prId}/pay`, auth: native, body: { outcome: 'approve', method: n } }) },
    { what: 'pay such a request in the sandbox', call: (n) => ({ method: 'POST', path: `/v1/sandbox/payment-requests/${q(n)}/pay`, auth: native, body: { outcome: 'approve' } }) },
    { what: 'such a sandbox patron', call: (n) => ({ method: 'GET', path: `/v1/sandbox/patrons/${q(n)}`, auth: native }) },
    { what: 'check in at such a terminal', call: (n) => ({ method: 'POST', path: `/v1/sandbox/terminals/${q(n)}/check-in`, auth: native, body: {} }) },
    { what: 'a native route named like a prototype member', call: (n) => ({ method: 'GET', path: `/v1/${q(n)}`, auth: native }) },
    { what: 'a bearer key named like a prototype member', call: (n) => ({ method: 'GET', path: '/v1/payment-requests', auth: { kind: 'bearer', token: n } }) },
  ]);
});

describe('Centrapay dialect', () => {
  const cpActions = ['cancel', 'pay', 'refund', 'void', 'confirm', 'release'];
  run([
    { what: 'read such a payment request', call: (n) => ({ method: 'GET', path: `${CP}/${q(n)}`, auth: cp }) },
    { what: 'its activities', call: (n) => ({ method: 'GET', path: `${CP}/${q(n)}/activities`, auth: cp }) },
    { what: 'a short code named like a prototype member', call: (n) => ({ method: 'GET', path: `${CP}/short-code/${q(n)}`, auth: cp }) },
    { what: 'an external reference named like a prototype member (a search: none match)', call: (n) => ({ method: 'GET', path: `${CP}/external-ref/${q(n)}`, auth: cp }),
      expect: () => ({ kind: 'as', baseline: { method: 'GET', path: `${CP}/external-ref/no-such-ref`, auth: cp } }) },
    ...cpActions.map((action): Case => ({ what: `${action} such a request`, call: (n) => ({ method: 'POST', path: `${CP}/${q(n)}/${action}`, auth: cp, body: {} }) })),
    { what: 'accept a condition named like a prototype member', call: (n) => ({ method: 'POST', path: `${CP}/${ctx.cpId}/conditions/${q(n)}/accept`, auth: cp, body: {} }) },
    { what: 'decline a condition named like a prototype member', call: (n) => ({ method: 'POST', path: `${CP}/${ctx.cpId}/conditions/${q(n)}/decline`, auth: cp, body: {} }) },
    { what: 'a currency named like a prototype member', call: (n) => ({ method: 'POST', path: CP, auth: cp, body: { configId: 'x', value: { amount: '100', currency: n } } }) },
    { what: 'a config named like a prototype member', call: (n) => ({ method: 'POST', path: CP, auth: cp, body: { configId: n, value: { amount: '100', currency: 'NZD' } } }) },
    { what: 'a refund currency named like a prototype member', call: (n) => ({ method: 'POST', path: `${CP}/${ctx.cpId}/refund`, auth: cp, body: { value: { amount: '100', currency: n }, externalRef: `r-${n}` } }) },
    { what: 'a create body with such a key', call: (n) => ({ method: 'POST', path: CP, auth: cp, rawBody: `{"value":{"amount":"100","currency":"NZD"},"${n}":{"prototype":{"configId":"x"}}}` }) },
    { what: 'activities of a merchant named like a prototype member', call: (n) => ({ method: 'GET', path: `/centrapay/api/payment-activities?merchantId=${q(n)}`, auth: cp }) },
    { what: 'activities from a page key named like a prototype member', call: (n) => ({ method: 'GET', path: `/centrapay/api/payment-activities?pageKey=${q(n)}`, auth: cp }) },
    { what: 'a query parameter named like a prototype member (ignored, as Centrapay does)', call: (n) => ({ method: 'GET', path: `${CP}/${ctx.cpId}?${q(n)}=1`, auth: cp }),
      expect: () => ({ kind: 'as', baseline: { method: 'GET', path: `${CP}/${ctx.cpId}`, auth: cp } }) },
    { what: 'an API key named like a prototype member', call: (n) => ({ method: 'GET', path: `${CP}/${ctx.cpId}`, auth: { kind: 'centrapay', apiKey: n } }) },
    { what: 'a Centrapay route named like a prototype member', call: (n) => ({ method: 'GET', path: `/centrapay/api/${q(n)}`, auth: cp }) },
    { what: 'a well-known document named like a prototype member', call: (n) => ({ method: 'GET', path: `/centrapay/.well-known/${q(n)}`, auth: { kind: 'none' } }) },
  ]);
});

describe('MobilePay dialect', () => {
  const byParam: [string, string, Record<string, string>][] = [
    ['payment/status', 'paymentId', {}],
    ['payment/details', 'paymentId', {}],
    ['payment/cancel', 'paymentId', {}],
    ['payment/capture', 'paymentId', {}],
    ['refund/details', 'refundId', {}],
    ['refund/create', 'paymentId', { refundOrderId: 'ro-1', amount: '1.00' }],
    ['payment/id/retrieve/bystate', 'state', { orderId: 'o-1' }],
    ['payment/id/retrieve/byposId', 'posId', {}],
    ['payment/id/retrieve/byterminal', 'terminalId', {}],
    ['payment/start', 'terminalId', { orderId: 'o-2', amount: '1.00' }],
    ['payment/start', 'currencyCode', { orderId: 'o-3', amount: '1.00', terminalId: 'no-such-till' }],
    ['payment/start/byPosId', 'posId', { orderId: 'o-4', amount: '1.00' }],
    ['manage/store', 'storeId', {}],
    ['manage/terminal/information', 'terminalId', {}],
    ['manage/create', 'terminalId', {}],
    ['manage/delete', 'posId', {}],
    ['manage/checkInStatus/byposId', 'posId', {}],
    ['manage/checkInStatus/byterminalId', 'terminalId', {}],
    ['terminal/qrcode', 'terminalId', {}],
  ];
  const qs = (params: Record<string, string>) => new URLSearchParams(params).toString();
  run([
    ...byParam.map(([op, param, rest]): Case => ({
      what: `${op} with ${param} named like a prototype member`,
      call: (n) => ({ method: 'GET', path: `${MP}/${op}?${qs({ ...rest, [param]: n })}`, auth: mp }),
    })),
    { what: 'a query parameter named like a prototype member (ignored, as the wrapper does)', call: (n) => ({ method: 'GET', path: `${MP}/payment/status?paymentId=${UNKNOWN_GUID}&${q(n)}=x`, auth: mp }),
      expect: () => ({ kind: 'as', baseline: { method: 'GET', path: `${MP}/payment/status?paymentId=${UNKNOWN_GUID}`, auth: mp } }) },
    { what: 'an accessToken named like a prototype member', call: (n) => ({ method: 'GET', path: `${MP}/payment/status?paymentId=${UNKNOWN_GUID}&accessToken=${q(n)}`, auth: mp }) },
    { what: 'a bioCode named like a prototype member', call: (n) => ({ method: 'GET', path: `${MP}/payment/status?paymentId=${UNKNOWN_GUID}&bioCode=${q(n)}`, auth: mp }) },
    { what: 'a token call for such a bioCode', call: (n) => ({ method: 'GET', path: `${MP}/manage/token?bioCode=${q(n)}`, auth: { kind: 'none' } }) },
    { what: 'a token reset for such a bioCode and token', call: (n) => ({ method: 'GET', path: `${MP}/manage/token/reset?bioCode=${q(n)}&previousAccessToken=${q(n)}`, auth: { kind: 'none' } }) },
    { what: 'an operation named like a prototype member', call: (n) => ({ method: 'GET', path: `${MP}/${q(n)}`, auth: mp }) },
    { what: 'a JSON body with such a key', call: (n) => ({ method: 'POST', path: `${MP}/refund/create`, auth: mp, rawBody: `{"paymentId":"${UNKNOWN_GUID}","${n}":{"refundOrderId":"ro","amount":"1.00"}}` }) },
    { what: 'an XML body with such an element', call: (n) => ({ method: 'POST', path: `${MP}/refund/create`, auth: mp, contentType: 'application/xml',
      rawBody: `<?xml version="1.0"?><Request><paymentId>${UNKNOWN_GUID}</paymentId><${n}><refundOrderId>ro</refundOrderId><amount>1.00</amount></${n}></Request>` }) },
    { what: 'an XML body whose element is such a parameter value', call: (n) => ({ method: 'POST', path: `${MP}/payment/start`, auth: mp, contentType: 'application/xml',
      rawBody: `<?xml version="1.0"?><Request><orderId>o-5</orderId><amount>1.00</amount><terminalId>${n}</terminalId></Request>` }) },
    { what: 'an XML root element named like a prototype member', call: (n) => ({ method: 'POST', path: `${MP}/payment/start`, auth: mp, contentType: 'application/xml',
      rawBody: `<?xml version="1.0"?><${n}><orderId>o-6</orderId><amount>1.00</amount><terminalId>no-such-till</terminalId></${n}>` }) },
    { what: 'a form body with such a key', call: (n) => ({ method: 'POST', path: `${MP}/refund/create`, auth: mp, contentType: 'application/x-www-form-urlencoded',
      rawBody: `paymentId=${UNKNOWN_GUID}&${q(n)}=x&refundOrderId=ro&amount=1.00` }) },
  ]);
});
