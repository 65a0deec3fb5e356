import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/system/clock.js';
import { createBody, startGateway, TEST_DRIVER, type TestGateway } from '../harness.js';

let t: TestGateway;
beforeAll(async () => { t = await startGateway(); });
afterAll(async () => t.close());

const create = (extra: Record<string, unknown> = {}) => t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true, ...extra }) });
const advance = (seconds: number) => t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds } });
const get = async (id: string) => (await t.api('GET', `/v1/payment-requests/${id}`)).body;

describe('test clock', () => {
  it('expires a request when the clock passes expiresAt, and only then', async () => {
    const { body: pr } = await create({ expiresInSeconds: 60 });
    const early = await advance(59);
    expect(early.body.object).toBe('test_clock');
    expect((await get(pr.id)).status).toBe('created');
    const later = await advance(1);
    expect(later.body.expired).toBeGreaterThanOrEqual(1);
    expect(await get(pr.id)).toMatchObject({ status: 'expired', statusReason: 'expired' });
    const pay = await t.api('POST', `/v1/sandbox/payment-requests/${pr.id}/pay`, { body: { outcome: 'approve' } });
    expect([pay.status, pay.body.code]).toEqual([409, 'request_expired']);
    const events = await t.api('GET', `/v1/payment-requests/${pr.id}/events`);
    expect(events.body.data.map((e: { type: string }) => e.type)).toEqual(['payment_request.created', 'payment_request.expired']);
  });

  it("is the merchant's: a terminal key reads it and cannot move it (every terminal's requests expire by it)", async () => {
    const before = (await t.api('GET', '/v1/sandbox/clock', { key: t.terminalKey })).body;
    expect(before).toMatchObject({ object: 'test_clock' });
    const moved = await t.api('POST', '/v1/sandbox/clock/advance', { key: t.terminalKey, body: { seconds: 600 } });
    expect(moved.status, JSON.stringify(moved.body)).toBe(403);
    expect(moved.body.code).toBe('permission_denied');
    expect((await t.api('GET', '/v1/sandbox/clock')).body.offsetSeconds).toBe(before.offsetSeconds);
  });

  it('expires an authorization after 7 days', async () => {
    const { body: pr } = await create({ captureMode: 'manual' });
    await t.api('POST', `/v1/sandbox/payment-requests/${pr.id}/pay`, { body: { outcome: 'approve' } });
    await advance(7 * 24 * 3600 - 10);
    expect((await get(pr.id)).status).toBe('authorized');
    await advance(10);
    expect(await get(pr.id)).toMatchObject({ status: 'expired', statusReason: 'authorization_expired', amountCaptured: 0 });
  });

  it('refuses void after 24 hours', async () => {
    const { body: pr } = await create();
    await t.api('POST', `/v1/sandbox/payment-requests/${pr.id}/pay`, { body: { outcome: 'approve' } });
    await advance(24 * 3600 + 1);
    const res = await t.api('POST', `/v1/payment-requests/${pr.id}/void`);
    expect([res.status, res.body.code]).toEqual([409, 'void_window_exceeded']);
  });

  it('manual refunds: capture, cancel, and expiry after 24 h frees the amount', async () => {
    const { body: pr } = await create({ amount: 3000 });
    await t.api('POST', `/v1/sandbox/payment-requests/${pr.id}/pay`, { body: { outcome: 'approve' } });
    const refund = (reference: string) => t.api('POST', `/v1/payment-requests/${pr.id}/refunds`, { body: { amount: 1000, reference, captureMode: 'manual' } });
    const a = await refund('a');
    expect(a.body).toMatchObject({ status: 'requires_capture', captureMode: 'manual' });
    expect((await t.api('POST', `/v1/refunds/${a.body.id}/capture`)).body.status).toBe('succeeded');
    const b = await refund('b');
    expect((await t.api('POST', `/v1/refunds/${b.body.id}/cancel`)).body.status).toBe('cancelled');
    const c = await refund('c');
    const d = await refund('d');
    expect((await t.api('POST', `/v1/payment-requests/${pr.id}/refunds`, { body: { amount: 1, reference: 'e' } })).body.code).toBe('amount_exceeds_refundable');
    await advance(24 * 3600);
    expect((await t.api('GET', `/v1/refunds/${c.body.id}`)).body.status).toBe('expired');
    const late = await t.api('POST', `/v1/refunds/${d.body.id}/capture`);
    expect([late.status, late.body.code]).toEqual([409, 'invalid_state']);
    expect(await get(pr.id)).toMatchObject({ amountRefunded: 1000, refundStatus: 'partial' });
    expect((await t.api('POST', `/v1/payment-requests/${pr.id}/refunds`, { body: { amount: 2000, reference: 'f' } })).status).toBe(201);
  });

  it('GET /v1/sandbox/clock reports the offset', async () => {
    const res = await t.api('GET', '/v1/sandbox/clock');
    expect(res.body.offsetSeconds).toBeGreaterThan(8 * 24 * 3600);
    expect(Date.parse(res.body.now)).toBeGreaterThan(Date.now());
  });
});

describe('patrons, check-in and resolve', () => {
  it('a patron code engages the patron at once and is single-use', async () => {
    const patron = await t.api('POST', '/v1/sandbox/patrons', { body: { name: 'Aroha' } });
    expect(patron.status).toBe(201);
    expect(patron.body).toMatchObject({ object: 'patron', name: 'Aroha' });
    const pr = await create({ patronCode: patron.body.patronCode });
    expect(pr.body.status).toBe('pending');
    const reuse = await create({ patronCode: patron.body.patronCode });
    expect([reuse.status, reuse.body.code]).toEqual([400, 'patron_code_invalid']);
    const fresh = await t.api('GET', `/v1/sandbox/patrons/${patron.body.id}`);
    expect(fresh.body.patronCode).not.toBe(patron.body.patronCode);
    await advance(61);
    const expired = await create({ patronCode: fresh.body.patronCode });
    expect([expired.status, expired.body.code]).toEqual([400, 'patron_code_invalid']);
    expect((await create({ patronCode: 'pc_nope' })).body.code).toBe('patron_code_invalid');
  });

  it('check-in makes the active request pending, or the next one', async () => {
    const terminal = await t.api('POST', '/v1/terminals', { body: { name: 'till-checkin' } });
    expect(terminal.status).toBe(201);
    const termId = terminal.body.id;
    const first = await t.api('POST', '/v1/payment-requests', { body: { amount: 100, currency: 'DKK', terminalId: termId } });
    const checkIn = await t.api('POST', `/v1/sandbox/terminals/${termId}/check-in`, { body: {} });
    expect(checkIn.body.paymentRequest).toMatchObject({ id: first.body.id, status: 'pending' });
    await t.api('POST', `/v1/payment-requests/${first.body.id}/cancel`);
    const early = await t.api('POST', `/v1/sandbox/terminals/${termId}/check-in`, { body: {} });
    expect(early.body.paymentRequest).toBeNull();
    const next = await t.api('POST', '/v1/payment-requests', { body: { amount: 100, currency: 'DKK', terminalId: termId } });
    expect(next.body.status).toBe('pending');
  });

  it('resolve finds a request by id, reference and short code', async () => {
    const { body: pr } = await create({ reference: 'resolve-me' });
    for (const ref of [pr.id, 'resolve-me', pr.shortCode]) {
      expect((await t.api('POST', '/v1/sandbox/resolve', { body: { ref } })).body).toEqual({ id: pr.id });
    }
    const missing = await t.api('POST', '/v1/sandbox/resolve', { body: { ref: 'nothing-like-this' } });
    expect([missing.status, missing.body.code]).toEqual([404, 'not_found']);
  });
});

describe("the merchant's underpayment tolerance", () => {
  it('a payment short by no more than the tolerance settles the request; more short is refused', async () => {
    const admin = (body: unknown) => t.api('PATCH', `/admin/v1/merchants/${t.gateway.demo.merchantId}`, { key: 'adm_test_token_0123456789abcdef', body });
    expect((await admin({ underpaymentTolerancePercent: '0.5' })).body).toMatchObject({ underpaymentTolerancePercent: '0.5' });
    for (const bad of ['0.505', '-1', '150', 0.5]) expect((await admin({ underpaymentTolerancePercent: bad })).status).toBe(400);
    const { body: within } = await create({ amount: 10_000 });
    const paid = await t.api('POST', `/v1/sandbox/payment-requests/${within.id}/pay`, { body: { outcome: 'approve', amount: 9_950 } });
    expect(paid.body).toMatchObject({ status: 'succeeded', amountReceived: 9_950, amountCaptured: 9_950 });
    const { body: beyond } = await create({ amount: 10_000 });
    const short = await t.api('POST', `/v1/sandbox/payment-requests/${beyond.id}/pay`, { body: { outcome: 'approve', amount: 9_949 } });
    expect([short.status, short.body.code]).toEqual([400, 'partial_payment_not_allowed']);
    expect((await admin({ underpaymentTolerancePercent: '0' })).body.underpaymentTolerancePercent).toBe('0');
  });
});

describe('how far the test clock goes', () => {
  // advances add up with no end: 800 of 10 years each printed years as "+010000-…", and past year
  // 275760 (the last instant a date holds) the advance committed and answered 500, and from then on
  // every read of the clock and every create of the merchant's test mode was 500, for good
  it('no further than the start of year 9999: an advance past it is 400 naming seconds, and moves nothing', async () => {
    const clock = new ManualClock(Date.UTC(9990, 0, 1));
    const g = await startGateway({ clock });
    try {
      const move = (seconds: number) => g.api('POST', '/v1/sandbox/clock/advance', { body: { seconds } });
      const tenYears = 315_360_000;
      const past = await move(tenYears);
      expect([past.status, past.body.code, past.body.param], JSON.stringify(past.body)).toEqual([400, 'parameter_invalid', 'seconds']);
      expect(past.body.detail).toContain('9999-01-01T00:00:00.000Z');
      expect((await g.api('GET', '/v1/sandbox/clock')).body).toMatchObject({ offsetSeconds: 0, now: '9990-01-01T00:00:00.000Z' });
      const fiveYears = await move(tenYears / 2);
      expect(fiveYears.status, JSON.stringify(fiveYears.body)).toBe(200);
      expect(fiveYears.body.now).toMatch(/^9994-12-31T/);
      expect((await move(tenYears / 2)).status).toBe(400);
      // the day before the limit: an advance may reach it, not pass it
      const toLimit = (Date.UTC(9999, 0, 1) - Date.parse((await g.api('GET', '/v1/sandbox/clock')).body.now)) / 1000;
      expect((await move(toLimit + 1)).status).toBe(400);
      expect((await move(toLimit)).body.now).toBe('9999-01-01T00:00:00.000Z');
      expect((await move(1)).status).toBe(400);
      // the merchant's test mode still works at the limit
      const created = await g.api('POST', '/v1/payment-requests', { body: { amount: 1500, currency: 'NZD', terminalId: g.terminalId, allowConcurrent: true, expiresInSeconds: 30 * 24 * 3600 } });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body.expiresAt).toBe('9999-01-31T00:00:00.000Z');
      // the real clock past the limit (a long-lived sandbox): no advance at all, reads still answer
      clock.advance(400 * 24 * 3600 * 1000);
      expect((await move(1)).status).toBe(400);
      expect((await g.api('GET', '/v1/sandbox/clock')).status).toBe(200);
    } finally {
      await g.close();
    }
  });

  it('an advance toward the last instant a date holds is refused, where it committed and answered 500 (and the clock\'s reads after it)', async () => {
    const clock = new ManualClock(Date.now());
    const g = await startGateway({ clock });
    try {
      // where ~27,000 advances of 10 years (a runaway test loop) bring a test clock; quicker to stand there
      clock.advance(8.64e15 - 5 * 365 * 24 * 3600 * 1000 - clock.now());
      const past = await g.api('POST', '/v1/sandbox/clock/advance', { body: { seconds: 315_360_000 } });
      expect([past.status, past.body.code], JSON.stringify(past.body)).toEqual([400, 'parameter_invalid']);
      const read = await g.api('GET', '/v1/sandbox/clock');
      expect([read.status, read.body.offsetSeconds], JSON.stringify(read.body)).toEqual([200, 0]);
    } finally {
      await g.close();
    }
  });

  it('a clock pushed past the limit before advances were checked is brought back to it by the migration, and answers again', async () => {
    const g = await startGateway();
    try {
      // as a database left by a release before the check: an offset past year 275760, migration 0011 not run (nor those after it)
      const write = async (statement: string) => {
        if (TEST_DRIVER === 'postgres') return void (await g.query(statement));
        const db = new SqliteDatabase(join(g.dataDir, 'posgate.sqlite'));
        try { db.exec(statement); } finally { db.close(); }
      };
      await write(`update merchants set test_clock_offset_ms = 8700000000000000 where id = '${g.gateway.demo.merchantId}'`);
      await write(`delete from kysely_migration where name >= '0011-test-clock-limit'`);
      expect((await g.api('GET', '/v1/sandbox/clock')).status).toBe(500); // what such a merchant met
      await g.gateway.app.db.migrate();
      const read = await g.api('GET', '/v1/sandbox/clock');
      expect(read.status, JSON.stringify(read.body)).toBe(200);
      expect(Date.parse(read.body.now)).toBeGreaterThan(Date.UTC(9998, 11, 31));
      expect(Date.parse(read.body.now)).toBeLessThanOrEqual(Date.UTC(9999, 0, 2));
      const created = await g.api('POST', '/v1/payment-requests', { body: createBody(g, { allowConcurrent: true }) });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect((await g.api('POST', '/v1/sandbox/clock/advance', { body: { seconds: 86_400 } })).status).toBe(400);
    } finally {
      await g.close();
    }
  });
});

describe('auto-pay (SANDBOX_AUTOPAY_MS)', () => {
  it('pays after the delay with the outcome the amount encodes', async () => {
    const clock = new ManualClock(Date.now());
    const g = await startGateway({ env: { SANDBOX_AUTOPAY_MS: '3000' }, clock });
    try {
      const ids: Record<string, string> = {};
      for (const amount of [1500, 1501, 1502, 1503, 1504]) {
        const res = await g.api('POST', '/v1/payment-requests', { body: { amount, currency: 'NZD', terminalId: g.terminalId, allowConcurrent: true } });
        ids[amount] = res.body.id;
      }
      clock.advance(2999);
      await g.gateway.tick();
      expect((await g.api('GET', `/v1/payment-requests/${ids[1500]}`)).body.status).toBe('created');
      clock.advance(1);
      await g.gateway.tick();
      const status = async (amount: number) => (await g.api('GET', `/v1/payment-requests/${ids[amount]}`)).body;
      expect(await status(1500)).toMatchObject({ status: 'succeeded' });
      expect(await status(1501)).toMatchObject({ status: 'failed', statusReason: 'declined' });
      expect(await status(1502)).toMatchObject({ status: 'failed', statusReason: 'payment_failed' });
      expect(await status(1503)).toMatchObject({ status: 'cancelled', statusReason: 'cancelled_by_patron' });
      expect(await status(1504)).toMatchObject({ status: 'created' });
      clock.advance(120_000);
      await g.gateway.tick();
      expect(await status(1504)).toMatchObject({ status: 'expired' });
      // a full batch of never-paid ("04") requests does not hold back the ones after it
      for (let i = 0; i < 120; i++) await g.api('POST', '/v1/payment-requests', { body: { amount: 104, currency: 'NZD', terminalId: g.terminalId, allowConcurrent: true, expiresInSeconds: 3600 } });
      const last = await g.api('POST', '/v1/payment-requests', { body: { amount: 1500, currency: 'NZD', terminalId: g.terminalId, allowConcurrent: true } });
      clock.advance(3000);
      await g.gateway.tick();
      expect((await g.api('GET', `/v1/payment-requests/${last.body.id}`)).body.status).toBe('succeeded');
    } finally {
      await g.close();
    }
  });
});

describe('a sandbox approval that names no method', () => {
  const pay = (id: string, body: Record<string, unknown>) => t.api('POST', `/v1/sandbox/payment-requests/${id}/pay`, { body });

  it('pays by a method the request allows: the engaged one, else card if allowed, else the first allowed', async () => {
    const { body: mobileOnly } = await create({ allowedMethods: ['mobile_money'] });
    const paid = await pay(mobileOnly.id, { outcome: 'approve' });
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect(paid.body).toMatchObject({ status: 'succeeded', paymentMethod: 'mobile_money' });
    const { body: walletOrCard } = await create({ allowedMethods: ['wallet', 'card'] });
    expect((await pay(walletOrCard.id, { outcome: 'approve' })).body).toMatchObject({ status: 'succeeded', paymentMethod: 'card' });
    const { body: any } = await create();
    expect((await pay(any.id, { outcome: 'approve' })).body).toMatchObject({ status: 'succeeded', paymentMethod: 'card' });
    // engaged by a partial payment with wallet: the rest, named by nothing, is paid the same way
    const { body: partial } = await create({ allowedMethods: ['card', 'wallet'], partialAllowed: true, amount: 1000 });
    expect((await pay(partial.id, { outcome: 'approve', amount: 400, method: 'wallet' })).body).toMatchObject({ status: 'pending', paymentMethod: 'wallet' });
    expect((await pay(partial.id, { outcome: 'approve' })).body).toMatchObject({ status: 'succeeded', paymentMethod: 'wallet', amountReceived: 1000 });
  });

  it('refuses a method the request does not allow, naming the field the caller sent (method)', async () => {
    const { body: mobileOnly } = await create({ allowedMethods: ['mobile_money'] });
    const card = await pay(mobileOnly.id, { outcome: 'approve', method: 'card' });
    expect([card.status, card.body.code, card.body.param]).toEqual([400, 'method_not_allowed', 'method']);
    expect((await get(mobileOnly.id)).status).toBe('created');
  });

  it('auto-pay pays by a method the request allows', async () => {
    const clock = new ManualClock(Date.now());
    const g = await startGateway({ env: { SANDBOX_AUTOPAY_MS: '3000' }, clock });
    try {
      const created = await g.api('POST', '/v1/payment-requests', { body: { amount: 1500, currency: 'NZD', terminalId: g.terminalId, allowedMethods: ['bank_transfer'] } });
      expect(created.status).toBe(201);
      clock.advance(3000);
      await g.gateway.tick();
      expect((await g.api('GET', `/v1/payment-requests/${created.body.id}`)).body).toMatchObject({ status: 'succeeded', paymentMethod: 'bank_transfer' });
    } finally {
      await g.close();
    }
  });
});

describe('test-mode objects outside payment requests are on the test clock too', () => {
  it("stamps a webhook endpoint's createdAt and updatedAt and a terminal key's createdAt and revokedAt on the merchant's test clock", async () => {
    await advance(3 * 24 * 3600);
    const clockNow = async () => Date.parse((await t.api('GET', '/v1/sandbox/clock')).body.now);
    const near = (stamp: string, at: number) => {
      const ms = Date.parse(stamp);
      expect(ms).toBeGreaterThanOrEqual(at - 1000);
      expect(ms).toBeLessThan(at + 60_000);
    };
    let at = await clockNow();
    expect(at - Date.now()).toBeGreaterThan(2 * 24 * 3600 * 1000);
    const endpoint = await t.api('POST', '/v1/webhook-endpoints', { body: { url: 'http://127.0.0.1:9/hook' } });
    expect(endpoint.status).toBe(201);
    expect(endpoint.body.livemode).toBe(false);
    near(endpoint.body.createdAt, at);
    near(endpoint.body.updatedAt, at);
    await advance(3600);
    at = await clockNow();
    const enabled = await t.api('POST', `/v1/webhook-endpoints/${endpoint.body.id}/enable`, { body: {} });
    expect(enabled.status).toBe(200);
    near(enabled.body.updatedAt, at);
    const key = await t.api('POST', `/v1/terminals/${t.terminalId}/keys`, { body: {} });
    expect(key.status).toBe(201);
    near(key.body.createdAt, at);
    const revoked = await t.api('DELETE', `/v1/terminals/${t.terminalId}/keys/${key.body.id}`);
    expect(revoked.status).toBe(200);
    near(revoked.body.revokedAt, at);
    expect((await t.api('DELETE', `/v1/webhook-endpoints/${endpoint.body.id}`)).status).toBe(200);
  });
});
