// The dashboard's doors: where a signed-out browser is sent, sign-in (one answer for every wrong
// pair), the session cookie's attributes, inactivity expiry on the test clock, rate limiting per
// account, CSRF on every form, sign-out, and roles.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/system/clock.js';
import { MAX_FAILURES_PER_ACCOUNT, SESSION_IDLE_MS } from '../../src/app/use-cases/sessions.js';
import { startGateway, type TestGateway } from '../harness.js';
import { DashboardClient } from '../support/dashboard-client.js';

let t: TestGateway;
const clock = new ManualClock(Date.UTC(2026, 2, 10, 9));
let owner: { email: string; password: string };

beforeAll(async () => {
  t = await startGateway({ clock });
  owner = t.gateway.demo.dashboard!;
});
afterAll(async () => t?.close());

describe('signed out', () => {
  it('/ leads to the dashboard, and every dashboard page to the sign-in form', async () => {
    const client = new DashboardClient(t.url);
    const root = await client.get('/');
    expect(root.status).toBe(302);
    expect(root.location).toBe('/dashboard');
    for (const path of ['/dashboard', '/dashboard/payment-requests?status=succeeded', '/dashboard/reports', '/dashboard/no-such-page']) {
      const answer = await client.get(path);
      expect(answer.status, path).toBe(303);
      expect(answer.location, path).toBe(`/dashboard/login?next=${encodeURIComponent(path)}`);
    }
    const form = await client.get('/dashboard/login');
    expect(form.status).toBe(200);
    expect(form.text).toMatch(/<input id="email" name="email" type="email"/);
    expect(form.text).toMatch(/<input id="password" name="password" type="password"/);
  });

  it('a form posted without a session changes nothing and leads to the sign-in form', async () => {
    const client = new DashboardClient(t.url);
    const answer = await client.post('/dashboard/users', { email: 'x@example.com', role: 'owner', _csrf: 'anything' });
    expect(answer.status).toBe(303);
    expect(answer.location).toBe('/dashboard/login');
    expect(Number((await t.query(`select count(*) as n from users where email = 'x@example.com'`))[0].n)).toBe(0);
  });
});

describe('sign-in', () => {
  it('the demo owner signs in; the session cookie is httpOnly and SameSite=Strict, and not Secure over http', async () => {
    const client = new DashboardClient(t.url);
    const answer = await client.signIn(owner.email, owner.password);
    expect(answer.status).toBe(303);
    expect(answer.location).toBe('/dashboard');
    const cookie = answer.headers.getSetCookie().find((line) => line.startsWith('posgate_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toMatch(/Secure/);
    // each cookie set once: the session, and the sign-in form's CSRF cookie cleared
    const names = answer.headers.getSetCookie().map((line) => line.slice(0, line.indexOf('=')));
    expect(names.sort()).toStrictEqual(['posgate_login_csrf', 'posgate_session']);
    const page = await client.get('/dashboard');
    expect(page.status).toBe(200);
    expect(page.text).toContain(owner.email);
    // the token is kept hashed: the cookie's value is nowhere in the database
    const token = client.cookies.get('posgate_session')!;
    const sessions = await t.query<{ id_hash: string }>('select id_hash from sessions');
    expect(sessions.some((s) => s.id_hash === token)).toBe(false);
  });

  it('a wrong password and an unknown email get the same answer, and no session', async () => {
    const wrong = await new DashboardClient(t.url).signIn(owner.email, 'not-the-password-at-all');
    const unknown = await new DashboardClient(t.url).signIn('nobody@example.com', 'not-the-password-at-all');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const message = (text: string) => /<p class="error-box" role="alert">([^<]+)<\/p>/.exec(text)?.[1];
    expect(message(wrong.text)).toBe('That email and password do not match an account.');
    expect(message(unknown.text)).toBe(message(wrong.text));
    for (const answer of [wrong, unknown]) expect(answer.headers.getSetCookie().some((line) => line.startsWith('posgate_session='))).toBe(false);
  });

  it('a sign-in form without its CSRF token signs no one in', async () => {
    const client = new DashboardClient(t.url);
    await client.get('/dashboard/login');
    const answer = await client.post('/dashboard/login', { email: owner.email, password: owner.password, _csrf: 'forged' });
    expect(answer.status).toBe(403);
    expect(answer.headers.getSetCookie().some((line) => line.startsWith('posgate_session='))).toBe(false);
  });

  it('the password never reaches a log or a URL', async () => {
    expect(t.logs()).not.toContain(owner.password);
  });

  it('a session ends after inactivity (test clock); use keeps it alive', async () => {
    const client = new DashboardClient(t.url);
    await client.signIn(owner.email, owner.password);
    clock.advance(SESSION_IDLE_MS - 60_000);
    expect((await client.get('/dashboard')).status).toBe(200);
    clock.advance(SESSION_IDLE_MS - 60_000);
    expect((await client.get('/dashboard')).status).toBe(200);
    clock.advance(SESSION_IDLE_MS);
    const after = await client.get('/dashboard');
    expect(after.status).toBe(303);
    expect(after.location).toMatch(/^\/dashboard\/login/);
  });

  it('sign-out ends the session on the server', async () => {
    const client = new DashboardClient(t.url);
    await client.signIn(owner.email, owner.password);
    const token = client.cookies.get('posgate_session')!;
    await client.get('/dashboard');
    expect((await client.post('/dashboard/logout', {})).location).toBe('/dashboard/login');
    // the old cookie, replayed, opens nothing
    const replay = new DashboardClient(t.url);
    replay.cookies.set('posgate_session', token);
    expect((await replay.get('/dashboard')).status).toBe(303);
  });
});

describe('roles and CSRF', () => {
  let viewer: { email: string; password: string };

  it('an owner creates a viewer (password shown once), who reads but cannot manage users', async () => {
    const client = new DashboardClient(t.url);
    await client.signIn(owner.email, owner.password);
    await client.get('/dashboard/users');
    const created = await client.post('/dashboard/users', { email: 'Viewer@Example.com', role: 'viewer' });
    expect(created.status).toBe(200);
    const password = /<code class="mono" id="new-password">([^<]+)<\/code>/.exec(created.text)![1]!;
    viewer = { email: 'viewer@example.com', password };
    expect(t.logs()).not.toContain(password);
    const as = new DashboardClient(t.url);
    expect((await as.signIn(viewer.email, viewer.password)).status).toBe(303);
    expect((await as.get('/dashboard/payment-requests')).status).toBe(200);
    expect((await as.get('/dashboard/users')).status).toBe(403);
    expect((await as.post('/dashboard/users', { email: 'sneaky@example.com', role: 'owner' })).status).toBe(403);
    expect(Number((await t.query(`select count(*) as n from users where email = 'sneaky@example.com'`))[0].n)).toBe(0);
  });

  it('a form without its CSRF token, or with another session\'s, changes nothing', async () => {
    const client = new DashboardClient(t.url);
    await client.signIn(owner.email, owner.password);
    await client.get('/dashboard/users');
    const other = new DashboardClient(t.url);
    await other.signIn(owner.email, owner.password);
    await other.get('/dashboard/users');
    for (const csrf of ['', 'forged', other.csrf]) {
      const answer = await client.post('/dashboard/users', { email: `csrf${csrf.length}@example.com`, role: 'owner', _csrf: csrf });
      expect(answer.status).toBe(403);
    }
    expect(Number((await t.query(`select count(*) as n from users where email like 'csrf%'`))[0].n)).toBe(0);
  });

  it('a disabled user is signed out at once and cannot sign in again', async () => {
    const as = new DashboardClient(t.url);
    await as.signIn(viewer.email, viewer.password);
    const client = new DashboardClient(t.url);
    await client.signIn(owner.email, owner.password);
    const users = await client.get('/dashboard/users');
    const id = new RegExp(`/dashboard/users/(usr_[0-9A-Za-z]+)/disable`).exec(users.text)![1]!;
    expect((await client.post(`/dashboard/users/${id}/disable`, {})).status).toBe(303);
    expect((await as.get('/dashboard')).status).toBe(303);
    expect((await new DashboardClient(t.url).signIn(viewer.email, viewer.password)).status).toBe(401);
  });

  it('an owner cannot disable itself, whether the address names it by id or by email (in any case)', async () => {
    // an owner of its own, so that a failure here leaves the other tests' owner signed in
    const { createUser, newPassword } = await import('../../src/app/use-cases/users.js');
    const { inTransaction } = await import('../../src/app/unit-of-work.js');
    const password = await newPassword('an owner of my own here');
    const { user } = await inTransaction(t.gateway.app, (unit) => createUser(unit, { merchantId: t.gateway.demo.merchantId, email: 'self@example.com', role: 'owner', password }));
    const client = new DashboardClient(t.url);
    expect((await client.signIn('self@example.com', 'an owner of my own here')).status).toBe(303);
    await client.get('/dashboard/users');
    for (const named of [user.id, 'self@example.com', 'Self@Example.COM']) {
      const answer = await client.post(`/dashboard/users/${encodeURIComponent(named)}/disable`, {});
      expect(answer.status, named).toBe(400);
      expect(answer.text, named).toContain('You cannot disable yourself');
    }
    expect((await t.query<{ disabled_at: unknown }>(`select disabled_at from users where email = 'self@example.com'`))[0]!.disabled_at).toBeNull();
    expect(Number((await t.query(`select count(*) as n from audit_log where action = 'user.disable' and object_id = '${user.id}'`))[0].n)).toBe(0);
    expect((await client.get('/dashboard')).status).toBe(200);
  });
});

describe('rate limit', () => {
  it(`after ${MAX_FAILURES_PER_ACCOUNT} failures an account refuses even its right password until the window ends`, async () => {
    const client = new DashboardClient(t.url);
    await client.get('/dashboard');
    const users = await t.gateway.app.db.read.listUsers(t.gateway.demo.merchantId);
    expect(users.length).toBeGreaterThan(0);
    // a user of its own, so that the other tests' owner is not locked out
    const { createUser, newPassword } = await import('../../src/app/use-cases/users.js');
    const { inTransaction } = await import('../../src/app/unit-of-work.js');
    const password = await newPassword('correct horse battery');
    await inTransaction(t.gateway.app, (unit) => createUser(unit, { merchantId: t.gateway.demo.merchantId, email: 'locked@example.com', role: 'staff', password }));
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT; i++) expect((await new DashboardClient(t.url).signIn('locked@example.com', `wrong-password-${i}`)).status).toBe(401);
    const limited = await new DashboardClient(t.url).signIn('locked@example.com', 'correct horse battery');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    clock.advance(15 * 60_000);
    expect((await new DashboardClient(t.url).signIn('locked@example.com', 'correct horse battery')).status).toBe(303);
  });
});
