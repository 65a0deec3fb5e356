// Behind a proxy every connection comes from the proxy: TRUST_PROXY names the proxies whose
// X-Forwarded-For and X-Forwarded-Proto are believed, so that sign-in limits count per patron's
// address and cookies are Secure behind TLS ended at the proxy. Unset, those headers are anyone's
// to write and are ignored: a client cannot shed the limit by naming another address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FAILURES_PER_ADDRESS } from '../../src/app/use-cases/sessions.js';
import { startGateway, type TestGateway } from '../harness.js';
import { DashboardClient } from '../support/dashboard-client.js';

let behindProxy: TestGateway;
let direct: TestGateway;
beforeAll(async () => {
  [behindProxy, direct] = await Promise.all([startGateway({ env: { TRUST_PROXY: '127.0.0.1' } }), startGateway()]);
});
afterAll(async () => Promise.all([behindProxy?.close(), direct?.close()]));

/** Failed sign-ins, each for an account of its own, so that only the address's limit is reached. */
async function failFrom(t: TestGateway, forwardedFor: (i: number) => string, count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++)
    statuses.push((await new DashboardClient(t.url, { 'x-forwarded-for': forwardedFor(i) }).signIn(`nobody-${i}@example.com`, 'wrong password')).status);
  return statuses;
}

describe('TRUST_PROXY=127.0.0.1 (the proxy)', () => {
  it('sign-in failures count against the address the proxy forwards for: one patron\'s limit leaves another signing in', async () => {
    const owner = behindProxy.gateway.demo.dashboard!;
    expect(await failFrom(behindProxy, () => '203.0.113.7', MAX_FAILURES_PER_ADDRESS)).toEqual(Array(MAX_FAILURES_PER_ADDRESS).fill(401));
    expect((await new DashboardClient(behindProxy.url, { 'x-forwarded-for': '203.0.113.7' }).signIn(owner.email, owner.password)).status).toBe(429);
    expect((await new DashboardClient(behindProxy.url, { 'x-forwarded-for': '198.51.100.20' }).signIn(owner.email, owner.password)).status).toBe(303);
  });

  it('X-Forwarded-Proto: https from the proxy makes the session cookie Secure', async () => {
    const owner = behindProxy.gateway.demo.dashboard!;
    const overTls = await new DashboardClient(behindProxy.url, { 'x-forwarded-for': '198.51.100.21', 'x-forwarded-proto': 'https' }).signIn(owner.email, owner.password);
    expect(overTls.status).toBe(303);
    expect(overTls.headers.getSetCookie().join('\n')).toMatch(/; Secure/);
  });
});

describe('no TRUST_PROXY (the default)', () => {
  it('X-Forwarded-Proto is ignored: no Secure cookie over plain http', async () => {
    const owner = direct.gateway.demo.dashboard!;
    const signedIn = await new DashboardClient(direct.url, { 'x-forwarded-proto': 'https' }).signIn(owner.email, owner.password);
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.getSetCookie().join('\n')).not.toMatch(/Secure/);
  });

  it('X-Forwarded-For is ignored: failures under ever new forwarded addresses all count against the connection\'s', async () => {
    const owner = direct.gateway.demo.dashboard!;
    expect(await failFrom(direct, (i) => `203.0.113.${i + 1}`, MAX_FAILURES_PER_ADDRESS)).toEqual(Array(MAX_FAILURES_PER_ADDRESS).fill(401));
    expect((await new DashboardClient(direct.url, { 'x-forwarded-for': '198.51.100.20' }).signIn(owner.email, owner.password)).status).toBe(429);
  });
});
