// The customer-facing display: authenticated by a display token in its address (or an API key in an
// Authorization header, never in the address), idle → active → outcome → idle, live by long-poll.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createBody, startGateway, type TestGateway } from '../harness.js';

let t: TestGateway;
let otherTerminal: { id: string; key: string; token: string };
let token: string;
beforeAll(async () => {
  t = await startGateway();
  const admin = async (path: string, body: unknown) => (await t.api('POST', path, { key: ADMIN_TOKEN, body })).body;
  const store = await admin(`/admin/v1/merchants/${t.gateway.demo.merchantId}/stores`, { name: 'Second store' });
  const terminal = await admin(`/admin/v1/stores/${store.id}/terminals`, { name: 'second-till' });
  const key = await admin(`/admin/v1/terminals/${terminal.id}/keys`, { mode: 'test' });
  const { inTransaction } = await import('../../src/app/unit-of-work.js');
  const { createDisplayToken } = await import('../../src/app/use-cases/display-tokens.js');
  const make = (terminalId: string) => inTransaction(t.gateway.app, (unit) => createDisplayToken(unit, { merchantId: t.gateway.demo.merchantId, terminalId, mode: 'test' }));
  otherTerminal = { id: terminal.id, key: key.terminalKey, token: (await make(terminal.id)).secret };
  token = t.gateway.demo.displayToken!;
});
afterAll(async () => t.close());

const PR = '/v1/payment-requests';
const stateOf = (terminalId: string, query: Record<string, string | number> = {}, headers?: Record<string, string>) =>
  t.api('GET', `/display/${terminalId}/state?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]))}`, { key: null, headers });
const display = (query: Record<string, string | number> = {}) => stateOf(t.terminalId, { token, ...query });

/** The `d` of a QR SVG's dark modules: the same text gives the same path. */
const modules = (svg: string) => /<path[^>]*stroke="#000000"[^>]*d="([^"]+)"/.exec(svg)?.[1];

describe('display auth', () => {
  it('needs a display token: none or a wrong one is 401, another terminal\'s is 404', async () => {
    const none = await stateOf(t.terminalId);
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    expect(none.body.code).toBe('missing_api_key');
    expect((await stateOf(t.terminalId, { token: 'dt_test_wrong' })).body).toMatchObject({ status: 401, code: 'invalid_api_key' });
    expect((await stateOf(t.terminalId, { token: otherTerminal.token })).body).toMatchObject({ status: 404, code: 'not_found' });
    expect((await stateOf(otherTerminal.id, { token: otherTerminal.token })).status).toBe(200);
    expect((await stateOf('term_unknown', { token })).status).toBe(404);
    // the page itself too; a browser gets an HTML page with the status
    expect((await fetch(`${t.url}/display/${t.terminalId}`)).status).toBe(401);
    expect((await fetch(`${t.url}/display/${t.terminalId}?token=${otherTerminal.token}`)).status).toBe(404);
    const html = await fetch(`${t.url}/display/${t.terminalId}?token=dt_test_nope`, { headers: { accept: 'text/html' } });
    expect(html.status).toBe(401);
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(await html.text()).toContain('Key not valid');
  });

  it('refuses an address with an API key in it (as ?key= or ?token=), even a valid one', async () => {
    for (const query of [{ key: t.terminalKey }, { key: t.secretKey }, { token: t.terminalKey }, { key: t.terminalKey, token }] as Record<string, string>[]) {
      const refused = await stateOf(t.terminalId, query);
      expect(refused.status).toBe(401);
      expect(refused.body.detail).toContain('never carries an API key');
    }
    expect((await fetch(`${t.url}/display/${t.terminalId}?key=${t.terminalKey}`)).status).toBe(401);
  });

  it('takes its display token in the address, or an API key or the token in an Authorization header', async () => {
    expect((await display()).status).toBe(200);
    expect((await fetch(`${t.url}/display/${t.terminalId}?token=${token}`)).status).toBe(200);
    expect((await stateOf(t.terminalId, {}, { authorization: `Bearer ${t.terminalKey}` })).status).toBe(200);
    expect((await stateOf(t.terminalId, {}, { authorization: `Bearer ${token}` })).status).toBe(200);
  });

  it('a display token opens nothing else: the API refuses it', async () => {
    expect((await t.api('GET', '/v1/payment-requests', { key: token })).status).toBe(401);
    expect((await t.api('POST', '/v1/payment-requests', { key: token, body: createBody(t) })).status).toBe(401);
  });

  it('a revoked token stops at once', async () => {
    const { inTransaction } = await import('../../src/app/unit-of-work.js');
    const { createDisplayToken, revokeDisplayToken } = await import('../../src/app/use-cases/display-tokens.js');
    const issued = await inTransaction(t.gateway.app, (unit) => createDisplayToken(unit, { merchantId: t.gateway.demo.merchantId, terminalId: t.terminalId, mode: 'test' }));
    expect((await stateOf(t.terminalId, { token: issued.secret })).status).toBe(200);
    await inTransaction(t.gateway.app, (unit) => revokeDisplayToken(unit, null, issued.token.id));
    expect((await stateOf(t.terminalId, { token: issued.secret })).status).toBe(401);
  });

  it('never logs the token of a display URL', async () => {
    await fetch(`${t.url}/display/${t.terminalId}?token=${token}`);
    await display();
    expect(t.logs()).toContain('/display/');
    expect(t.logs()).not.toContain(token);
  });
});

describe('display states', () => {
  it('idle → active (amount, pay QR) → paid → idle again a minute later', async () => {
    const idle = (await display()).body;
    expect(idle).toMatchObject({ state: 'idle', version: 'idle', request: null, payQrSvg: null, merchant: { name: 'Demo merchant' }, terminal: { id: t.terminalId } });

    // a long-poll from idle answers when a request appears
    const waiting = display({ version: idle.version, waitSeconds: 25 });
    await new Promise((r) => setTimeout(r, 150));
    const { body: pr } = await t.api('POST', PR, { body: createBody(t, { amount: 4200, currency: 'GHS', partialAllowed: true }) });
    const active = (await waiting).body;
    expect(active).toMatchObject({ state: 'active', request: { id: pr.id, amount: 4200, currency: 'GHS', exponent: 2, shortCode: pr.shortCode, payUrl: pr.payUrl, remaining: 4200 } });
    expect(active.payQrSvg).toMatch(/^<svg [^>]*role="img"[\s\S]*<\/svg>$/);
    const nativeQr = await t.api('GET', `${PR}/${pr.id}/qr.svg`);
    expect(modules(active.payQrSvg)).toBe(modules(nativeQr.body));
    for (const hidden of [t.gateway.demo.merchantId, 'metadata', 'webhookUrl', t.terminalKey]) expect(JSON.stringify(active)).not.toContain(hidden);

    // a partial payment keeps it active with the remainder
    await t.api('POST', `/v1/sandbox/payment-requests/${pr.id}/pay`, { body: { outcome: 'approve', amount: 1200 } });
    const part = (await display({ version: active.version, waitSeconds: 5 })).body;
    expect(part).toMatchObject({ state: 'active', request: { amountReceived: 1200, remaining: 3000 } });

    const paidWait = display({ version: part.version, waitSeconds: 25 });
    await t.api('POST', `/v1/sandbox/payment-requests/${pr.id}/pay`, { body: { outcome: 'approve' } });
    const paid = (await paidWait).body;
    expect(paid).toMatchObject({ state: 'paid', message: 'Paid. Thank you!', payQrSvg: null, request: { id: pr.id, status: 'succeeded' } });

    await t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds: 61 } });
    expect((await display({ version: paid.version, waitSeconds: 5 })).body).toMatchObject({ state: 'idle', request: null });
  });

  it.each([
    ['cancelled', async (id: string) => t.api('POST', `${PR}/${id}/cancel`, { body: {} })],
    ['declined', async (id: string) => t.api('POST', `/v1/sandbox/payment-requests/${id}/pay`, { body: { outcome: 'decline' } })],
    ['failed', async (id: string) => t.api('POST', `/v1/sandbox/payment-requests/${id}/pay`, { body: { outcome: 'fail' } })],
    ['expired', async () => t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds: 121 } })],
  ])('shows %s when the request ends that way', async (outcome, end) => {
    const { body: pr } = await t.api('POST', PR, { body: createBody(t) });
    expect(pr.status).toBe('created');
    const active = (await display()).body;
    expect(active.state).toBe('active');
    const waiting = display({ version: active.version, waitSeconds: 25 });
    await end(pr.id);
    const after = (await waiting).body;
    expect(after).toMatchObject({ state: outcome, request: { id: pr.id } });
    expect(after.message.toLowerCase()).toContain(outcome === 'declined' ? 'declined' : outcome);
    await t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds: 61 } });
  });

  it('a long-poll with nothing new answers with the same state after waitSeconds', async () => {
    const now = (await display()).body;
    const started = Date.now();
    const same = (await display({ version: now.version, waitSeconds: 1 })).body;
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(same.version).toBe(now.version);
    expect((await display({ waitSeconds: 26 })).body).toMatchObject({ status: 400, param: 'waitSeconds' });
  });
});
