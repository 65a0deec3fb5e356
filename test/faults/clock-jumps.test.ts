// Fault scenario 6 (issue 16): the wall clock jumps back and forward by hours while payment requests
// wait to expire and authorizations wait to lapse. The gateway runs on a test clock (the Clock
// port) that the test jumps; after every jump the background work runs (gateway.tick()) and every
// request is read and, where it applies, captured. Expiries happen once, only when the clock reads
// at or past their deadline (never early), and what has expired stays so when the clock goes back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/system/clock.js';
import { startGateway, type TestGateway } from '../harness.js';

const HOUR = 3600_000;
/** Jumps of the wall clock, in order: back and forward by hours, and small steps across deadlines. */
const JUMPS = [-3 * HOUR, 5 * HOUR, -6 * HOUR, 90_000, -2 * HOUR, 7 * HOUR, -12 * HOUR, 30 * 60_000, 11 * HOUR, -HOUR, 3 * HOUR];

interface Tracked {
  id: string;
  /** The deadline it must not expire before: expiresAt, or the authorization's once paid. */
  deadline: number;
  kind: 'request' | 'authorization';
  /** The clock when it was first seen expired. */
  expiredAt?: number;
  captured?: boolean;
}

describe('the wall clock jumping back and forward by hours', () => {
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
  let t: TestGateway;

  beforeAll(async () => {
    t = await startGateway({ clock, env: { AUTHORIZATION_TTL_SECONDS: '3600', LOG_LEVEL: 'error' } });
  });
  afterAll(() => t?.close());

  it('expires requests and lapses authorizations once, never before their deadline, whichever way the clock jumps', async () => {
    const tracked: Tracked[] = [];
    const problems: string[] = [];
    let n = 0;
    const create = async (extra: Record<string, unknown>) => {
      const res = await t.api('POST', '/v1/payment-requests', { body: { amount: 1000 + n, currency: 'NZD', terminalId: t.terminalId, reference: `jump-${n++}`, allowConcurrent: true, ...extra } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.id as string;
    };
    const row = async (id: string) => (await t.query<{ status: string; expires_at: number; authorization_expires_at: number | null; status_reason: string | null }>(`select status, expires_at, authorization_expires_at, status_reason from payment_requests where id = '${id}'`))[0]!;

    /** Runs the background work at the clock's time now, and checks every request against it. */
    const observe = async (round: number) => {
      await t.gateway.tick();
      const now = clock.now();
      for (const item of tracked) {
        // reads expire an overdue request themselves: they must agree with the sweep
        const read = await t.api('GET', `/v1/payment-requests/${item.id}`);
        expect(read.status).toBe(200);
        const stored = await row(item.id);
        const expired = stored.status === 'expired';
        if (expired && now < item.deadline && !item.expiredAt) problems.push(`round ${round}: ${item.kind} ${item.id} expired at ${new Date(now).toISOString()}, before its deadline ${new Date(item.deadline).toISOString()}`);
        if (!expired && now >= item.deadline && !item.captured) problems.push(`round ${round}: ${item.kind} ${item.id} not expired at ${new Date(now).toISOString()}, past its deadline ${new Date(item.deadline).toISOString()}`);
        if (expired) item.expiredAt ??= now;
        // an authorization inside its window can be captured, one that lapsed cannot, whatever the clock did since
        if (item.kind === 'authorization' && !item.captured && round % 3 === 2) {
          const capture = await t.api('POST', `/v1/payment-requests/${item.id}/capture`, { body: {} });
          if (expired && capture.status === 200) problems.push(`round ${round}: lapsed authorization ${item.id} captured`);
          if (!expired && capture.status !== 200) problems.push(`round ${round}: authorization ${item.id} inside its window refused capture: ${capture.status} ${JSON.stringify(capture.body)}`);
          if (capture.status === 200) item.captured = true;
        }
      }
    };

    for (const [round, jump] of JUMPS.entries()) {
      // new work each round: a request left to expire (10 min) and an authorization left to lapse (1 h)
      const waiting = await create({ expiresInSeconds: 600 });
      tracked.push({ id: waiting, deadline: Number((await row(waiting)).expires_at), kind: 'request' });
      const held = await create({ captureMode: 'manual', expiresInSeconds: 600 });
      const paid = await t.api('POST', `/v1/sandbox/payment-requests/${held}/pay`, { body: { outcome: 'approve' } });
      expect(paid.status, JSON.stringify(paid.body)).toBe(200);
      tracked.push({ id: held, deadline: Number((await row(held)).authorization_expires_at), kind: 'authorization' });

      // to one second before the nearest deadline still ahead, then onto it: expiry exactly on time
      const ahead = tracked.filter((i) => i.expiredAt === undefined && !i.captured && i.deadline > clock.now()).sort((a, b) => a.deadline - b.deadline)[0];
      if (ahead) {
        clock.advance(ahead.deadline - 1000 - clock.now());
        await observe(round);
        clock.advance(1000);
        await observe(round);
      }
      clock.advance(jump);
      await observe(round);
    }

    // each expiry happened once, stamped at or after its deadline
    const events = await t.query<{ object_id: string; type: string; created_at: number }>(`select object_id, type, created_at from events where type = 'payment_request.expired'`);
    for (const item of tracked) {
      const expiries = events.filter((e) => e.object_id === item.id);
      if (expiries.length > 1) problems.push(`${item.id}: ${expiries.length} expiry events`);
      for (const e of expiries) if (Number(e.created_at) < item.deadline) problems.push(`${item.id}: expiry stamped ${new Date(Number(e.created_at)).toISOString()}, before ${new Date(item.deadline).toISOString()}`);
      if (item.expiredAt !== undefined && expiries.length !== 1) problems.push(`${item.id}: expired without its one expiry event`);
    }
    expect(problems).toEqual([]);
    // the jumps did make things expire, and left some waiting
    expect(tracked.filter((i) => i.expiredAt !== undefined).length).toBeGreaterThan(5);
    expect(tracked.filter((i) => i.captured).length).toBeGreaterThan(0);
  });
});
