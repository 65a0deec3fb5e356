// The sandbox patron's page (rotating single-use code, pushed requests, approve/decline) and check-in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBody, startGateway, type TestGateway } from '../harness.js';
import { modulesB } from '../../src/web/code128.js';

let t: TestGateway;
beforeAll(async () => { t = await startGateway(); });
afterAll(async () => t.close());

const PR = '/v1/payment-requests';
const pub = (method: string, path: string, body?: unknown) => t.api(method, path, { key: null, body });
const advance = (seconds: number) => t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds } });

async function newPatron() {
  const res = await t.api('POST', '/v1/sandbox/patrons', { body: { name: 'Ama' } });
  expect(res.status).toBe(201);
  return res.body;
}

/** The bars an SVG Code 128 draws, as modules (quiet zone of 10 stripped). */
function barsOf(svg: string): string {
  const width = Number(/viewBox="0 0 (\d+) /.exec(svg)?.[1]);
  const drawn = Array.from({ length: width - 20 }, () => '0');
  for (const m of svg.matchAll(/M(\d+) 0h(\d+)/g)) for (let i = Number(m[1]) - 10; i < Number(m[1]) - 10 + Number(m[2]); i++) drawn[i] = '1';
  return drawn.join('');
}

describe('patron page', () => {
  it('shows the code as text, QR and Code 128, and keeps it until it expires', async () => {
    const patron = await newPatron();
    const s = (await pub('GET', `/patron/${patron.id}/state`)).body;
    expect(s).toMatchObject({ patron: { id: patron.id, name: 'Ama' }, merchant: { name: 'Demo merchant' }, code: patron.patronCode, requests: [] });
    expect(Date.parse(s.codeExpiresAt) - Date.parse(s.now)).toBeLessThanOrEqual(60_000);
    expect(s.qrSvg).toMatch(/^<svg [\s\S]*<\/svg>$/);
    expect(barsOf(s.barcodeSvg)).toBe(modulesB(s.code));
    expect(JSON.stringify(s)).not.toContain(t.gateway.demo.merchantId);
    expect((await pub('GET', `/patron/${patron.id}/state`)).body.code).toBe(s.code);

    const html = await fetch(`${t.url}/patron/${patron.id}`);
    expect(html.status).toBe(200);
    const text = await html.text();
    expect(text).toContain(`data-testid="patron-code">${s.code}<`);
    expect(text).toMatch(/data-testid="patron-qr"><svg /);
    expect(text).toMatch(/data-testid="patron-barcode"><svg /);
  });

  it('rotates the code after 60 s of the test clock; a long-poll reports it', async () => {
    const patron = await newPatron();
    const first = (await pub('GET', `/patron/${patron.id}/state`)).body;
    const waiting = pub('GET', `/patron/${patron.id}/state?version=${encodeURIComponent(first.version)}&waitSeconds=25`);
    await new Promise((r) => setTimeout(r, 100));
    await advance(61);
    const next = (await waiting).body;
    expect(next.code).not.toBe(first.code);
    expect(next.version).not.toBe(first.version);
    // the expired code is refused by the POS
    const stale = await t.api('POST', PR, { body: createBody(t, { allowConcurrent: true, patronCode: first.code }) });
    expect(stale.body).toMatchObject({ status: 400, code: 'patron_code_invalid' });
  });

  it('a code is single-use: the request is pushed to the patron, who approves it on the page', async () => {
    const patron = await newPatron();
    const before = (await pub('GET', `/patron/${patron.id}/state`)).body;
    const waiting = pub('GET', `/patron/${patron.id}/state?version=${encodeURIComponent(before.version)}&waitSeconds=25`);
    await new Promise((r) => setTimeout(r, 100));
    const created = await t.api('POST', PR, { body: createBody(t, { allowConcurrent: true, amount: 990, patronCode: before.code }) });
    expect(created.status).toBe(201);
    const after = (await waiting).body;
    expect(after.code).not.toBe(before.code);
    expect(after.requests).toEqual([expect.objectContaining({ id: created.body.id, amount: 990, currency: 'NZD', exponent: 2, status: 'pending', actionable: true })]);

    const reused = await t.api('POST', PR, { body: createBody(t, { allowConcurrent: true, patronCode: before.code }) });
    expect(reused.body).toMatchObject({ status: 400, code: 'patron_code_invalid' });

    const approved = await pub('POST', `/patron/${patron.id}/requests/${created.body.id}/decision`, { outcome: 'approve' });
    expect(approved.status).toBe(200);
    expect(approved.body.requests[0]).toMatchObject({ id: created.body.id, status: 'succeeded', actionable: false });
    expect((await t.api('GET', `${PR}/${created.body.id}`)).body.status).toBe('succeeded');
    expect((await pub('POST', `/patron/${patron.id}/requests/${created.body.id}/decision`, { outcome: 'decline' })).status).toBe(409);
  });

  it('decline fails the request; another patron\'s request or an unknown patron is 404', async () => {
    const patron = await newPatron();
    const other = await newPatron();
    const code = (await pub('GET', `/patron/${patron.id}/state`)).body.code;
    const { body: pr } = await t.api('POST', PR, { body: createBody(t, { allowConcurrent: true, patronCode: code }) });
    expect((await pub('POST', `/patron/${other.id}/requests/${pr.id}/decision`, { outcome: 'approve' })).status).toBe(404);
    expect((await pub('GET', '/patron/pat_unknown/state')).status).toBe(404);
    expect((await fetch(`${t.url}/patron/pat_unknown`)).status).toBe(404);
    expect((await pub('POST', `/patron/${patron.id}/requests/${pr.id}/decision`, { outcome: 'maybe' })).body).toMatchObject({ status: 400, param: 'outcome' });
    const declined = await pub('POST', `/patron/${patron.id}/requests/${pr.id}/decision`, { outcome: 'decline' });
    expect(declined.body.requests[0]).toMatchObject({ status: 'failed', statusReason: 'declined' });
    expect(declined.body.requests[0].statusText).toContain('Declined');
  });
});

describe('check-in', () => {
  it('serves the page a terminal QR opens, and 404s an unknown terminal', async () => {
    const page = await fetch(`${t.url}/check-in/${t.terminalId}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Demo merchant');
    expect(html).toMatch(/<button id="check-in" type="button"[^>]*>Check in<\/button>/);
    expect((await fetch(`${t.url}/check-in/term_unknown`)).status).toBe(404);
    expect((await pub('POST', '/check-in/term_unknown', {})).status).toBe(404);
  });

  it('binds a new patron, whose page then shows the terminal\'s active request', async () => {
    const { body: pr } = await t.api('POST', PR, { body: createBody(t, { amount: 700 }) });
    expect(pr.status).toBe('created');
    const res = await pub('POST', `/check-in/${t.terminalId}`, {});
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ object: 'check_in', terminalId: t.terminalId, paymentRequestId: pr.id });
    expect(res.body.patronId).toMatch(/^pat_/);
    expect(res.body.patronUrl).toBe(`/patron/${res.body.patronId}`);
    const request = (await t.api('GET', `${PR}/${pr.id}`)).body;
    expect(request.status).toBe('pending');
    const page = (await pub('GET', res.body.patronUrl + '/state')).body;
    expect(page.requests).toEqual([expect.objectContaining({ id: pr.id, amount: 700, actionable: true })]);
    const paid = await pub('POST', `/patron/${res.body.patronId}/requests/${pr.id}/decision`, { outcome: 'approve' });
    expect(paid.body.requests[0].status).toBe('succeeded');
  });

  it('an existing patron checks in again; with nothing active the next request engages them', async () => {
    const patron = await newPatron();
    const res = await pub('POST', `/check-in/${t.terminalId}`, { patronId: patron.id });
    expect(res.body).toMatchObject({ patronId: patron.id, paymentRequestId: null });
    const { body: pr } = await t.api('POST', PR, { body: createBody(t) });
    expect(pr.status).toBe('pending');
    const page = (await pub('GET', `/patron/${patron.id}/state`)).body;
    expect(page.requests.map((r: any) => r.id)).toEqual([pr.id]);
    await t.api('POST', `${PR}/${pr.id}/cancel`, { body: {} });
    expect((await pub('POST', `/check-in/${t.terminalId}`, { patronId: 'pat_nobody' })).status).toBe(404);
    expect((await pub('POST', `/check-in/${t.terminalId}`, { patronId: 'x' })).body).toMatchObject({ status: 400, param: 'patronId' });
  });
});
