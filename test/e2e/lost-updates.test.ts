// Writes that read a row and write it back, fired at once over real HTTP: none may be lost, and
// none may miss what the other committed (write skew). On SQLite writers take turns anyway; on
// PostgreSQL (READ COMMITTED) each of these failed before its write was made atomic or checked:
// the test clock's advance (one statement adds to the offset), a check-in racing a create on the
// same terminal (both hold the terminal's row first), two secret rotations (an endpoint is updated
// only from the row as read, so the second runs again on the first's secret).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../harness.js';

const PR = '/v1/payment-requests';
const ROUNDS = 8;

let t: TestGateway;
beforeAll(async () => {
  t = await startGateway();
});
afterAll(async () => {
  await t?.close();
});

describe('the test clock', () => {
  it('advances made at once add up, each answering its own offset, and the clock never goes back', async () => {
    for (let round = 0; round < 3; round++) {
      const before = (await t.api('GET', '/v1/sandbox/clock')).body.offsetSeconds as number;
      const answers = await Promise.all(Array.from({ length: 8 }, () => t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds: 60 } })));
      expect(answers.map((a) => a.status)).toStrictEqual(Array(8).fill(200));
      expect(answers.map((a) => a.body.offsetSeconds - before).sort((a, b) => a - b)).toStrictEqual([60, 120, 180, 240, 300, 360, 420, 480]);
      expect((await t.api('GET', '/v1/sandbox/clock')).body.offsetSeconds).toBe(before + 480);
    }
    for (let round = 0; round < ROUNDS; round++) {
      const before = (await t.api('GET', '/v1/sandbox/clock')).body.offsetSeconds as number;
      const [big, small] = await Promise.all([
        t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds: 3600 } }),
        t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds: 1 } }),
      ]);
      const after = (await t.api('GET', '/v1/sandbox/clock')).body;
      expect(after.offsetSeconds).toBe(before + 3601);
      expect([big.body.offsetSeconds - before, small.body.offsetSeconds - before].sort((a, b) => a - b)).toSatisfy(
        (moved: number[]) => String(moved) === '1,3601' || String(moved) === '3600,3601',
      );
      expect(Date.parse(after.now)).toBeGreaterThanOrEqual(Date.parse(big.body.now));
    }
  });
});

describe('a check-in and a create on the same terminal at once', () => {
  it('in either order the new request engages the patron, and the check-in is not kept for the next sale', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const [checkIn, created] = await Promise.all([
        t.api('POST', `/v1/sandbox/terminals/${t.terminalId}/check-in`, { body: {} }),
        t.api('POST', PR, { body: { amount: 500, currency: 'NZD', terminalId: t.terminalId } }),
      ]);
      expect(checkIn.status, JSON.stringify(checkIn.body)).toBe(200);
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      // the check-in engaged the request, or the request took the check-in
      if (checkIn.body.paymentRequest) expect(checkIn.body.paymentRequest.id).toBe(created.body.id);
      const sale = await t.gateway.app.db.read.getPaymentRequest(created.body.id); // the engaged patron is not in the API's view
      expect({ round, status: sale?.status, patronId: sale?.patronId }).toStrictEqual({ round, status: 'pending', patronId: checkIn.body.patronId });
      const [terminal] = await t.query<{ checked_in_patron_id: string | null }>(`select checked_in_patron_id from terminals where id = '${t.terminalId}'`);
      expect(terminal?.checked_in_patron_id ?? null).toBeNull();
      expect((await t.api('POST', `${PR}/${created.body.id}/cancel`, { body: {} })).status).toBe(200);
    }
  });

  it('one check-in engages one of the concurrent requests created at once, never two', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const checkIn = await t.api('POST', `/v1/sandbox/terminals/${t.terminalId}/check-in`, { body: {} });
      expect(checkIn.body.paymentRequest).toBeNull();
      const created = await Promise.all([1, 2, 3].map(() => t.api('POST', PR, { body: { amount: 500, currency: 'NZD', terminalId: t.terminalId, allowConcurrent: true } })));
      expect(created.map((c) => c.status)).toStrictEqual([201, 201, 201]);
      const requests = await Promise.all(created.map((c) => t.gateway.app.db.read.getPaymentRequest(c.body.id)));
      const engaged = requests.filter((r) => r?.status === 'pending');
      expect({ round, patrons: engaged.map((r) => r?.patronId) }).toStrictEqual({ round, patrons: [checkIn.body.patronId] });
      for (const c of created) await t.api('POST', `${PR}/${c.body.id}/cancel`, { body: {} });
    }
  });
});

describe('two secret rotations at once', () => {
  it('both answers sign: the endpoint keeps the later secret and, beside it, the one it replaced (never the original)', async () => {
    const { app } = t.gateway;
    for (let round = 0; round < ROUNDS; round++) {
      const endpoint = (await t.api('POST', '/v1/webhook-endpoints', { body: { url: `http://127.0.0.1:9/r${round}`, eventTypes: ['payment_request.created'] } })).body;
      const rotations = await Promise.all([1, 2].map(() => t.api('POST', `/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, { body: {} })));
      expect(rotations.map((r) => r.status)).toStrictEqual([200, 200]);
      const stored = await app.db.read.getWebhookEndpoint(endpoint.id);
      const current = app.box.open(stored!.secretSealed);
      const previous = stored!.previousSecretSealed === null ? null : app.box.open(stored!.previousSecretSealed);
      // rotating again within 24 h keeps only the secret being replaced: that of the rotation first
      expect([current, previous].sort()).toStrictEqual(rotations.map((r) => r.body.secret).sort());
      expect(previous).not.toBe(endpoint.secret);
      await t.api('DELETE', `/v1/webhook-endpoints/${endpoint.id}`);
    }
  });
});
