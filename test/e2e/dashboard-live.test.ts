// The payments list's live stream (/dashboard/payment-requests/changes) lasts only as long as the
// session that opened it: signed out, its user disabled, or idle past the limit (test clock), the
// stream ends and sends nothing more, though it was open when the session ended.
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/system/clock.js';
import { dashboard } from '../../src/web/dashboard/index.js';
import { SESSION_IDLE_MS } from '../../src/app/use-cases/sessions.js';
import { createUser, newPassword } from '../../src/app/use-cases/users.js';
import { inTransaction } from '../../src/app/unit-of-work.js';
import { createBody, startGateway, type TestGateway } from '../harness.js';
import { DashboardClient } from '../support/dashboard-client.js';

let t: TestGateway;
const clock = new ManualClock(Date.UTC(2026, 2, 10, 9));
const streams: AbortController[] = [];
beforeAll(async () => {
  t = await startGateway({ clock });
});
afterAll(async () => {
  for (const stream of streams) stream.abort();
  await t?.close();
});

interface Live {
  /** Everything the stream has sent so far. */
  text(): string;
  /** Resolves once the server has ended the stream; rejects after `ms` if it has not. */
  ended(ms?: number): Promise<void>;
  /** Resolves once the stream has sent `needle`; rejects after `ms` if it has not. */
  sent(needle: string, ms?: number): Promise<void>;
}

/** Opens the live stream (of the gateway at `baseUrl`) as a browser signed in with `client`'s cookies would. */
async function openLive(client: DashboardClient, baseUrl = t.url): Promise<Live> {
  const abort = new AbortController();
  streams.push(abort);
  const cookie = [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  const response = await fetch(`${baseUrl}/dashboard/payment-requests/changes`, { headers: { accept: 'text/event-stream', cookie }, signal: abort.signal });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  let text = '';
  let done = false;
  const waiters = new Set<() => void>();
  const reading = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body!) {
        text += decoder.decode(chunk as Uint8Array, { stream: true });
        for (const wake of waiters) wake();
      }
    } catch {
      // aborted by the test
    }
    done = true;
    for (const wake of waiters) wake();
  })();
  void reading;
  const until = (ready: () => boolean, ms: number, what: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!ready()) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`${what} within ${ms} ms; the stream sent: ${JSON.stringify(text)}`));
      }, ms);
      waiters.add(check);
      check();
    });
  const live: Live = {
    text: () => text,
    ended: (ms = 5000) => until(() => done, ms, 'the stream did not end'),
    sent: (needle, ms = 5000) => until(() => text.includes(needle), ms, `the stream did not send ${needle}`),
  };
  await live.sent(': connected');
  return live;
}

async function createRequest(): Promise<string> {
  const created = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true }) });
  expect(created.status).toBe(201);
  return created.body.id;
}

async function signedInStaff(email: string): Promise<{ client: DashboardClient; userId: string }> {
  const password = await newPassword('a staff password of mine');
  const { user } = await inTransaction(t.gateway.app, (unit) => createUser(unit, { merchantId: t.gateway.demo.merchantId, email, role: 'staff', password }));
  const client = new DashboardClient(t.url);
  expect((await client.signIn(email, 'a staff password of mine')).status).toBe(303);
  await client.get('/dashboard/payment-requests');
  return { client, userId: user.id };
}

describe('the live stream ends with its session', () => {
  it('sends changes while the session is open; after sign-out it ends and sends no more', async () => {
    const { client } = await signedInStaff('live-signout@example.com');
    const live = await openLive(client);
    const before = await createRequest();
    await live.sent(before);
    expect((await client.post('/dashboard/logout', {})).location).toBe('/dashboard/login');
    const after = await createRequest();
    await live.ended();
    expect(live.text()).not.toContain(after);
  });

  it('ends, sending nothing more, when an owner disables its user', async () => {
    const { client, userId } = await signedInStaff('live-disabled@example.com');
    const live = await openLive(client);
    const owner = new DashboardClient(t.url);
    const demo = t.gateway.demo.dashboard!;
    expect((await owner.signIn(demo.email, demo.password)).status).toBe(303);
    await owner.get('/dashboard/users');
    expect((await owner.post(`/dashboard/users/${userId}/disable`, {})).status).toBe(303);
    const after = await createRequest();
    await live.ended();
    expect(live.text()).not.toContain(after);
  });

  it('ends, sending nothing more, once the session has been idle past the limit (test clock): the stream itself does not keep it alive', async () => {
    const { client } = await signedInStaff('live-idle@example.com');
    const live = await openLive(client);
    clock.advance(SESSION_IDLE_MS - 60_000);
    const early = await createRequest();
    await live.sent(early);
    clock.advance(60_000);
    const after = await createRequest();
    await live.ended();
    expect(live.text()).not.toContain(after);
    expect((await client.get('/dashboard')).status).toBe(303);
  });

  it('ends at its next heartbeat once the session is gone, though no event comes', async () => {
    // the same dashboard over the same app, with a short heartbeat: the stream's own setting
    const server = Fastify();
    await dashboard(server, { app: t.gateway.app, sources: ['native'], publicUrl: t.url, liveHeartbeatMs: 50 });
    const url = await server.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { client } = await signedInStaff('live-heartbeat@example.com');
      const live = await openLive(client, url);
      await live.sent(': heartbeat'); // open while the session is
      expect((await client.post('/dashboard/logout', {})).location).toBe('/dashboard/login');
      await live.ended(2000);
      expect(live.text()).not.toContain('event: change');
    } finally {
      await server.close();
    }
  });
});
