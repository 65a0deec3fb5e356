// A dashboard page's query string (and a form's body) that it cannot read: a repeated parameter, a
// date outside the days a page shows, a value of the wrong shape, a cursor no page made, a name it
// does not take. Each is refused with a 400 dashboard page naming the parameter, changes nothing,
// and the same page asked normally afterwards still works. (These were 500s with the native API's
// problem+json: the query strings were cast to Record<string, string> and never checked.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBody, startGateway, type TestGateway } from '../harness.js';
import { DashboardClient, type DashResponse } from '../support/dashboard-client.js';

let t: TestGateway;
let owner: DashboardClient;
let paid: { id: string };

beforeAll(async () => {
  t = await startGateway();
  const created = (await t.api('POST', '/v1/payment-requests', { key: t.terminalKey, body: createBody(t, { amount: 2500, reference: 'BAD-QUERY-1' }) })).body;
  paid = (await t.api('POST', `/v1/sandbox/payment-requests/${created.id}/pay`, { body: { outcome: 'approve', method: 'card' } })).body;
  owner = new DashboardClient(t.url);
  const demo = t.gateway.demo.dashboard!;
  expect((await owner.signIn(demo.email, demo.password)).status).toBe(303);
});
afterAll(async () => t?.close());

/** What a refused query may not change: the requests, their refunds and events, the audit log. */
async function snapshot(): Promise<string> {
  const counts = await Promise.all(['payment_requests', 'refunds', 'events', 'audit_log'].map((table) => t.query<{ n: number | string }>(`SELECT count(*) AS n FROM ${table}`)));
  const versions = await t.query<{ id: string; version: number | string }>('SELECT id, version FROM payment_requests ORDER BY id');
  return JSON.stringify([counts.map((rows) => Number(rows[0]!.n)), versions.map((r) => [r.id, Number(r.version)])]);
}

function expectRefused(page: DashResponse, param: string): void {
  expect(page.status, page.text).toBe(400);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  // the dashboard's own error page (its navigation, the error box), not the API's problem+json
  expect(page.text).toContain('class="dash-nav"');
  expect(page.text).toContain('class="error-box"');
  expect(page.text).toContain('Nothing was changed. Error 400.');
  expect(page.text).toContain(`<code>${param}</code>`);
}

// [path with a bad query, the parameter named, the same page asked normally]
const REFUSED: [string, string, string][] = [
  // the audit's table, row by row
  ['/dashboard/payment-requests?q=a&q=b', 'q', '/dashboard/payment-requests?q=a'],
  ['/dashboard/payment-requests?before=a&before=b', 'before', '/dashboard/payment-requests'],
  ['/dashboard/payment-requests?terminal=a&terminal=b', 'terminal', '/dashboard/payment-requests'],
  ['/dashboard/payment-requests?channel=a&channel=b', 'channel', '/dashboard/payment-requests?channel=card'],
  ['/dashboard/payment-requests?api=a&api=b', 'api', '/dashboard/payment-requests?api=native'],
  ['/dashboard/audit?before=a&before=b', 'before', '/dashboard/audit'],
  ['/dashboard/webhooks?endpoint=a&endpoint=b', 'endpoint', '/dashboard/webhooks'],
  // no date at all
  ['/dashboard/payment-requests?from=2026-1-5', 'from', '/dashboard/payment-requests'],
  ['/dashboard/reports?from=2026-03-01&to=10000-01-01', 'to', '/dashboard/reports?from=2026-03-01&to=2026-03-08'],
  ['/dashboard/reports/settlement.csv?from=2026-03-01&from=2026-03-02', 'from', '/dashboard/reports/settlement.csv?from=2026-03-01&to=2026-03-02'],
  // values of the wrong shape, cursors no page made
  ['/dashboard/payment-requests?before=not-a-cursor', 'before', '/dashboard/payment-requests'],
  ['/dashboard/payment-requests?before=aud_01ABC', 'before', '/dashboard/payment-requests'],
  ['/dashboard/audit?before=pr_01ABC', 'before', '/dashboard/audit'],
  ['/dashboard/webhooks?endpoint=%3Cscript%3E', 'endpoint', '/dashboard/webhooks'],
  ['/dashboard/payment-requests?channel=carrier_pigeon', 'channel', '/dashboard/payment-requests'],
  ['/dashboard/payment-requests?api=nosuchapi', 'api', '/dashboard/payment-requests'],
  ['/dashboard/payment-requests?limit=lots', 'limit', '/dashboard/payment-requests?limit=1'],
  ['/dashboard/payment-requests?limit=0', 'limit', '/dashboard/payment-requests?limit=200'],
  ['/dashboard/payment-requests?q=' + 'x'.repeat(256), 'q', '/dashboard/payment-requests'],
  ['/dashboard/webhooks?done=a&done=b', 'done', '/dashboard/webhooks?done=redeliver'],
  // a name the page does not take
  ['/dashboard/payment-requests?sort=amount', 'sort', '/dashboard/payment-requests'],
  ['/dashboard?x=1', 'x', '/dashboard'],
  ['/dashboard/users?x=1', 'x', '/dashboard/users'],
  ['/dashboard/keys?x=1', 'x', '/dashboard/keys'],
];

describe('a query string a page cannot read', () => {
  it.each(REFUSED)('%s is a 400 page naming %s; the page asked normally still works', async (bad, param, good) => {
    const before = await snapshot();
    expectRefused(await owner.get(bad), param);
    expect(await snapshot()).toBe(before);
    const normal = await owner.get(good);
    expect(normal.status, normal.text).toBe(200);
  });

  it('the last and the earliest days a date can name are read (to=9999-12-31 answered 500: its next day is in year 10000)', async () => {
    for (const path of ['/dashboard/payment-requests?to=9999-12-31', '/dashboard/payment-requests?from=1900-01-01&to=9999-12-31', '/dashboard/reports?from=9999-12-30&to=9999-12-31']) {
      const page = await owner.get(path);
      expect(page.status, `${path}: ${page.text.slice(0, 300)}`).toBe(200);
    }
  });

  it("a request's page refuses a repeated done, and still shows", async () => {
    expectRefused(await owner.get(`/dashboard/payment-requests/${paid.id}?done=refund&done=void`), 'done');
    expect((await owner.get(`/dashboard/payment-requests/${paid.id}?done=refund`)).status).toBe(200);
  });

  it('the cursors and filters the pages make themselves are read back', async () => {
    for (let i = 0; i < 2; i++) await t.api('POST', '/v1/payment-requests', { key: t.terminalKey, body: createBody(t, { amount: 100 + i, allowConcurrent: true }) });
    const first = await owner.get('/dashboard/payment-requests?q=&status=&terminal=&channel=&api=&from=&to=&currency=&min=&max=&limit=1');
    expect(first.status, first.text).toBe(200);
    const next = /<a href="([^"]+)" rel="next">/.exec(first.text)![1]!.replace(/&amp;/g, '&');
    expect(next).toMatch(/before=pr_/);
    expect((await owner.get(next)).status).toBe(200);
    const endpoint = (await t.api('POST', '/v1/webhook-endpoints', { body: { url: 'https://receiver.example/hooks' } })).body;
    expect((await owner.get(`/dashboard/webhooks?endpoint=${endpoint.id}`)).status).toBe(200);
    expect((await owner.get(`/dashboard/payment-requests?terminal=${t.terminalId}`)).status).toBe(200);
  });
});

describe("a request the server's own checks refuse before any page runs", () => {
  it('a NUL in a page\'s query, or in a patron page\'s path, is a 400 page with the pages\' headers, for a browser', async () => {
    for (const path of ['/dashboard/payment-requests?q=a%00b', '/pay/pr_%00']) {
      const page = await owner.get(path);
      expect(page.status, `${path}: ${page.text.slice(0, 200)}`).toBe(400);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('content-security-policy')).toBeTruthy();
      expect(page.text).toContain('NUL character');
    }
    // an API client (no Accept: text/html) still gets problem+json
    const api = await fetch(`${t.url}/pay/pr_%00`);
    expect(api.status).toBe(400);
    expect(api.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});

describe('the sign-in page', () => {
  it('refuses a repeated next with its own form (400), and shows normally after', async () => {
    const visitor = new DashboardClient(t.url);
    const refused = await visitor.get('/dashboard/login?next=%2Fdashboard&next=%2Fdashboard%2Faudit');
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toMatch(/^text\/html/);
    expect(refused.text).toContain('The parameter next was given 2 times');
    expect(refused.text).toContain('action="/dashboard/login"');
    expect((await visitor.get('/dashboard/login?next=%2Fdashboard%2Faudit')).status).toBe(200);
  });
});

describe('a form with a field given twice', () => {
  it('is a 400 page naming the field, and refunds nothing', async () => {
    const page = await owner.get(`/dashboard/payment-requests/${paid.id}`);
    const reference = /name="reference" value="([^"]+)"/.exec(page.text)![1]!;
    const before = await snapshot();
    const body = new URLSearchParams([['_csrf', owner.csrf], ['amount', '1.00'], ['amount', '25.00'], ['reference', reference], ['confirmed', 'yes']]);
    const response = await fetch(`${t.url}/dashboard/payment-requests/${paid.id}/actions/refund`, {
      method: 'POST', redirect: 'manual', body: body.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', cookie: [...owner.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    expectRefused({ status: response.status, text: await response.text(), headers: response.headers, location: null }, 'amount');
    expect(await snapshot()).toBe(before);
    // the same form, each field once, still refunds
    expect((await owner.post(`/dashboard/payment-requests/${paid.id}/actions/refund`, { amount: '1.00', reference, confirmed: 'yes' })).status).toBe(303);
    expect((await t.api('GET', `/v1/payment-requests/${paid.id}/refunds`)).body.data).toHaveLength(1);
  });
});

describe('a form body the server cannot read', () => {
  /** Posts `body` as `contentType` to a dashboard form, as a browser does (Accept: text/html), signed in. */
  const postRaw = async (path: string, body: string, contentType: string) => {
    const response = await fetch(`${t.url}${path}`, {
      method: 'POST', redirect: 'manual', body,
      headers: { 'content-type': contentType, accept: 'text/html', cookie: [...owner.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    return { status: response.status, text: await response.text(), headers: response.headers };
  };

  // a form posted as text/plain (an HTML form's enctype allows it), bad JSON, a form over the form
  // limit: each answered the API's problem+json to the browser, the last saying 256 KiB for a 64 KiB limit
  it.each([
    ['text/plain', () => `_csrf=${owner.csrf}&timeZone=UTC`, 'text/plain', 415, 'application/x-www-form-urlencoded'],
    ['bad JSON', () => '{"_csrf":', 'application/json', 400, 'not valid JSON'],
    ['a form over 64 KiB', () => `_csrf=${owner.csrf}&timeZone=${'A'.repeat(70_000)}`, 'application/x-www-form-urlencoded', 413, '64 KiB'],
  ])('%s is a page with its status that says why, and changes nothing', async (_name, body, contentType, status, says) => {
    await owner.get('/dashboard/reports');
    const before = await snapshot();
    const zone = (await t.query<{ time_zone: string | null }>(`SELECT time_zone FROM merchants WHERE id = '${t.gateway.demo.merchantId}'`))[0]!.time_zone;
    const page = await postRaw('/dashboard/settings/time-zone', body(), contentType);
    expect(page.status, page.text.slice(0, 300)).toBe(status);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toBeTruthy();
    expect(page.text).toContain(says);
    expect(await snapshot()).toBe(before);
    expect((await t.query<{ time_zone: string | null }>(`SELECT time_zone FROM merchants WHERE id = '${t.gateway.demo.merchantId}'`))[0]!.time_zone).toBe(zone);
  });
});
