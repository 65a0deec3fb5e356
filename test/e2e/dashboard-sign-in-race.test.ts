// The sign-in limits hold against attempts sent at once: each attempt is counted before its
// password is checked, so of N simultaneous wrong passwords no more than the limit are checked (401)
// and the rest are refused (429), on every driver (no count is lost to a concurrent writer).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ADDRESS } from '../../src/app/use-cases/sessions.js';
import { createUser, newPassword } from '../../src/app/use-cases/users.js';
import { inTransaction } from '../../src/app/unit-of-work.js';
import { startGateway, type TestGateway } from '../harness.js';
import { DashboardClient } from '../support/dashboard-client.js';

let t: TestGateway;
beforeAll(async () => {
  // behind a proxy, so that each attempt can come from an address of its own
  t = await startGateway({ env: { TRUST_PROXY: '127.0.0.1' } });
});
afterAll(async () => t?.close());

/** Signs in with each pair at once; the answers' statuses, counted. */
async function atOnce(attempts: { email: string; password: string; from: string }[]): Promise<{ statuses: Record<number, number>; retryAfter: number[] }> {
  // every form first, so that the posts go out together
  const clients = await Promise.all(attempts.map(async ({ from }) => {
    const client = new DashboardClient(t.url, { 'x-forwarded-for': from });
    await client.get('/dashboard/login');
    return client;
  }));
  const answers = await Promise.all(clients.map((client, i) => client.post('/dashboard/login', { email: attempts[i]!.email, password: attempts[i]!.password })));
  const statuses: Record<number, number> = {};
  for (const answer of answers) statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
  return { statuses, retryAfter: answers.filter((answer) => answer.status === 429).map((answer) => Number(answer.headers.get('retry-after'))) };
}

describe('sign-in limits against attempts sent at once', () => {
  it(`30 wrong passwords for one account at once, each from its own address: ${MAX_FAILURES_PER_ACCOUNT} are checked, the rest refused, and the right one then too`, async () => {
    const password = await newPassword('correct horse battery');
    await inTransaction(t.gateway.app, (unit) => createUser(unit, { merchantId: t.gateway.demo.merchantId, email: 'raced@example.com', role: 'staff', password }));
    const { statuses, retryAfter } = await atOnce(Array.from({ length: 30 }, (_, i) => ({ email: 'raced@example.com', password: `wrong-password-${i}`, from: `198.51.100.${i + 1}` })));
    expect(statuses).toStrictEqual({ 401: MAX_FAILURES_PER_ACCOUNT, 429: 30 - MAX_FAILURES_PER_ACCOUNT });
    for (const seconds of retryAfter) expect(seconds).toBeGreaterThan(0);
    // the account's count is exact: every checked attempt counted, no refused one
    const [row] = await t.query<{ failures: number | string }>(`select failures from sign_in_attempts where key like 'account:%'`);
    expect(Number(row!.failures)).toBe(MAX_FAILURES_PER_ACCOUNT);
    expect((await new DashboardClient(t.url, { 'x-forwarded-for': '198.51.100.200' }).signIn('raced@example.com', 'correct horse battery')).status).toBe(429);
  });

  it(`40 wrong passwords from one address at once, each for its own account: ${MAX_FAILURES_PER_ADDRESS} are checked, the rest refused`, async () => {
    const { statuses } = await atOnce(Array.from({ length: 40 }, (_, i) => ({ email: `nobody-${i}@example.com`, password: 'wrong password', from: '203.0.113.9' })));
    expect(statuses).toStrictEqual({ 401: MAX_FAILURES_PER_ADDRESS, 429: 40 - MAX_FAILURES_PER_ADDRESS });
    // the refused guesses leave no rows: the address's, and one per account that was checked
    const rows = await t.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM sign_in_attempts WHERE key LIKE 'account:%' AND failures > 0`);
    const empty = await t.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM sign_in_attempts WHERE failures <= 0`);
    expect([Number(rows[0]!.n) <= MAX_FAILURES_PER_ADDRESS + 5, Number(empty[0]!.n)]).toEqual([true, 0]);
    // another address is not held up by it
    const owner = t.gateway.demo.dashboard!;
    expect((await new DashboardClient(t.url, { 'x-forwarded-for': '203.0.113.10' }).signIn(owner.email, owner.password)).status).toBe(303);
  });

  it('a sign-in that succeeds is no failure of its address: it leaves the address its last attempts', async () => {
    const owner = t.gateway.demo.dashboard!;
    const from = '203.0.113.11';
    const { statuses } = await atOnce(Array.from({ length: MAX_FAILURES_PER_ADDRESS - 1 }, (_, i) => ({ email: `someone-${i}@example.com`, password: 'wrong password', from })));
    expect(statuses).toStrictEqual({ 401: MAX_FAILURES_PER_ADDRESS - 1 });
    for (let i = 0; i < 3; i++) expect((await new DashboardClient(t.url, { 'x-forwarded-for': from }).signIn(owner.email, owner.password)).status).toBe(303);
    expect((await new DashboardClient(t.url, { 'x-forwarded-for': from }).signIn('someone-else@example.com', 'wrong password')).status).toBe(401);
    expect((await new DashboardClient(t.url, { 'x-forwarded-for': from }).signIn(owner.email, owner.password)).status).toBe(429);
  });
});
