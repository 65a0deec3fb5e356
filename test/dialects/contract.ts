// The contract every dialect passes (design.md: one contract suite per interface). A dialect's
// test file describes how to call it (DialectClient); this suite checks what every dialect owes:
// no credentials, no entry; bad input refused with nothing written; amounts exact both ways; and a
// status name rendered from the core's one stored state for every canonical state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVE_STATUSES } from '../../src/core/payment-request.js';
import type { App } from '../../src/app/context.js';
import { parseDialectSettings } from '../../src/dialects/dialect.js';
import { DIALECTS } from '../../src/dialects/registry.js';
import { registeredRoutes } from './registered-routes.js';
import { startGateway, type TestGateway } from '../harness.js';

export interface DialectResponse {
  status: number;
  body: unknown;
}

/** The canonical states (and reasons) a request can be in, driven through the native sandbox. */
export const CANONICAL_CASES = [
  'created', 'pending', 'authorized', 'succeeded', 'cancelled_by_merchant', 'cancelled_by_patron',
  'declined', 'expired', 'authorization_expired', 'voided',
] as const;
export type CanonicalCase = (typeof CANONICAL_CASES)[number];

export interface CreateOptions {
  /** The request waits for a capture (MobilePay always does; Centrapay with preAuth). */
  manualCapture?: boolean;
}

export interface DialectClient {
  /** A call that needs credentials, sent with none / with wrong ones. */
  withoutCredentials(): Promise<DialectResponse>;
  withWrongCredentials(): Promise<DialectResponse>;
  /** Headers that authenticate a call where the dialect reads its credentials from headers before routing ({} where it reads them from the body). */
  authHeaders(): Record<string, string>;
  /** Whether a response is the dialect's own error envelope (not native problem+json). */
  isRefusal(response: DialectResponse): boolean;
  /** Creates a request on the demo terminal for `amount` in the dialect's own amount text; returns the dialect's id. */
  create(amount: string, options?: CreateOptions): Promise<string>;
  /** The amount and status as the dialect renders them. */
  read(id: string): Promise<{ amount: string; status: string }>;
  /** Amount texts the dialect accepts: [as sent, integer minor units, as rendered back]. */
  amounts: ReadonlyArray<readonly [sent: string, minor: number, rendered: string]>;
  /** Calls that must be refused with a 4xx in the dialect's envelope and change nothing. */
  badInputs: ReadonlyArray<{ name: string; call(): Promise<DialectResponse> }>;
  /** The name the dialect renders for each canonical case. */
  statusNames: Readonly<Record<CanonicalCase, string>>;
}

export interface DialectUnderTest {
  name: string;
  /** Whether a request can wait for its capture in this dialect (an authorized state exists): the cases that need one run only then. */
  supportsManualCapture: boolean;
  client(t: TestGateway): Promise<DialectClient> | DialectClient;
}

/** Every table a write can touch: a refused call must leave all of them as they were. */
async function writeCounts(t: TestGateway): Promise<string> {
  const tables = ['payment_requests', 'refunds', 'events', 'deliveries', 'idempotency_keys', 'patrons', 'dialect_credentials'];
  const counts = await Promise.all(tables.map(async (table) => `${table}=${(await t.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table}`))[0]?.n}`));
  const versions = await t.query<{ v: number | string | null }>('SELECT SUM(version) AS v FROM payment_requests');
  return `${counts.join(' ')} versions=${versions[0]?.v ?? 0}`;
}

export function runDialectContract(dialect: DialectUnderTest): void {
  describe(`dialect contract: ${dialect.name}`, () => {
    let t: TestGateway;
    let client: DialectClient;
    beforeAll(async () => {
      t = await startGateway();
      client = await dialect.client(t);
    });
    afterAll(async () => t.close());

    const nativeIdOf = async (id: string) => (await t.api('POST', '/v1/sandbox/resolve', { body: { ref: id } })).body.id as string;
    const native = async (id: string) => (await t.api('GET', `/v1/payment-requests/${id}`)).body;
    const pay = (id: string, outcome: string) => t.api('POST', `/v1/sandbox/payment-requests/${id}/pay`, { body: { outcome } });
    const advancePast = async (at: string) => {
      const clock = (await t.api('GET', '/v1/sandbox/clock')).body;
      const seconds = Math.ceil((Date.parse(at) - Date.parse(clock.now)) / 1000) + 1;
      await t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds: Math.max(seconds, 1) } });
    };
    /** Leaves nothing active on the terminal, so the next case may start (one active payment per PoS). */
    const settle = async (id: string) => {
      const request = await native(id);
      if ((ACTIVE_STATUSES as readonly string[]).includes(request.status)) await t.api('POST', `/v1/payment-requests/${id}/cancel`);
    };

    it('refuses a call without credentials, and with wrong ones, in its own envelope', async () => {
      for (const response of [await client.withoutCredentials(), await client.withWrongCredentials()]) {
        expect([401, 403]).toContain(response.status);
        expect(client.isRefusal(response)).toBe(true);
      }
    });

    it('refuses every bad input with a 4xx in its own envelope, and writes nothing', async () => {
      expect(client.badInputs.length).toBeGreaterThan(0);
      const before = await writeCounts(t);
      for (const bad of client.badInputs) {
        const response = await bad.call();
        expect(response.status, bad.name).toBeGreaterThanOrEqual(400);
        expect(response.status, bad.name).toBeLessThan(500);
        expect(client.isRefusal(response), bad.name).toBe(true);
      }
      expect(await writeCounts(t)).toBe(before);
    });

    it('refuses a path it cannot read (a malformed percent-encoding, an over-long parameter, a NUL, an empty parameter) in its own envelope too', async () => {
      // met by the router before any route runs, or by the server's hooks before any of the dialect's reads the store
      const registered = DIALECTS.find((d) => d.name === dialect.name)!;
      expect(registered.prefix, 'the dialect is registered under a prefix').toBeTruthy();
      const context = { app: {} as App, publicUrl: 'http://posgate.invalid', settings: parseDialectSettings([registered], {}).get(registered.name), adminToken: null, dialects: DIALECTS, webhookFormats: [], secretlessWebhookFormats: [] };
      const routes = await registeredRoutes((fastify) => registered.mount(fastify, context));
      const methodOf = (route: (typeof routes)[number]) => [route.method].flat()[0] as string;
      // a route with a parameter, the bad value in its place (its other parameters filled in); else any route, the NUL in its query
      const withParam = routes.find((route) => route.url.includes('/:'));
      const inParam = (value: string) => withParam!.url.replace(/:[A-Za-z]+/, value).replace(/:[A-Za-z]+/g, 'x');
      const first = routes.find((route) => methodOf(route) !== 'HEAD')!;
      const calls: [string, string][] = [
        ['GET', `${registered.prefix}/%E0%A4%A`],
        ['GET', `${registered.prefix}/%zz`],
        ...(withParam ? [[methodOf(withParam), inParam('x'.repeat(1001))], [methodOf(withParam), inParam('a%00b')], [methodOf(withParam), inParam('')]] as [string, string][] : []),
        [methodOf(first), `${first.url.replace(/:[A-Za-z]+/g, 'x')}?nul=a%00b`],
      ];
      for (const [method, path] of calls) {
        const call = `${method} ${path.slice(0, 80)}`;
        const response = await fetch(`${t.url}${path}`, { method });
        const text = await response.text();
        if (path.includes('//') || path.endsWith('/')) expect(response.status, `${call}: an empty segment names nothing`).toBe(404);
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // the dialect's envelope may not be JSON; isRefusal says
        }
        expect(response.status, call).toBeGreaterThanOrEqual(400);
        expect(response.status, call).toBeLessThan(500);
        expect(client.isRefusal({ status: response.status, body }), `${call}: ${text.slice(0, 200)}`).toBe(true);
      }
    });

    it('answers a path of its own asked with a method it does not take with 405 naming the ones it does (Allow), in its own envelope', async () => {
      const registered = DIALECTS.find((d) => d.name === dialect.name)!;
      const context = { app: {} as App, publicUrl: 'http://posgate.invalid', settings: parseDialectSettings([registered], {}).get(registered.name), adminToken: null, dialects: DIALECTS, webhookFormats: [], secretlessWebhookFormats: [] };
      // HEAD too, where a GET brings it (Fastify's exposeHeadRoutes): Allow names every method the path answers
      const routes = await registeredRoutes((fastify) => registered.mount(fastify, context));
      const route = routes.find((r) => !r.url.includes('*') && ![r.method].flat().includes('HEAD'))!;
      const path = route.url.replace(/:[A-Za-z]+/g, 'x');
      const methods = routes.filter((r) => r.url === route.url).flatMap((r) => [r.method].flat());
      const response = await fetch(`${t.url}${path}`, { method: 'PATCH', headers: client.authHeaders() });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // the dialect's envelope may not be JSON; isRefusal says
      }
      expect(response.status, `PATCH ${path}: ${text.slice(0, 200)}`).toBe(405);
      expect((response.headers.get('allow') ?? '').split(', ').sort()).toEqual([...new Set(methods)].sort());
      expect(client.isRefusal({ status: response.status, body })).toBe(true);
    });

    it('converts amounts exactly: the core stores integer minor units and the dialect renders them back', async () => {
      for (const [sent, minor, rendered] of client.amounts) {
        const id = await client.create(sent);
        const nativeId = await nativeIdOf(id);
        expect((await native(nativeId)).amount, sent).toBe(minor);
        expect((await client.read(id)).amount, sent).toBe(rendered);
        await settle(nativeId);
      }
    });

    const drive: Record<CanonicalCase, (id: string) => Promise<void>> = {
      created: async () => undefined,
      pending: async (id) => {
        const chosen = await t.api('POST', `/pay/${id}/method`, { key: null, body: { channel: 'card' } });
        expect(chosen.status).toBe(200);
      },
      authorized: async (id) => void (await pay(id, 'approve')),
      succeeded: async (id) => {
        await pay(id, 'approve');
        if ((await native(id)).status === 'authorized') await t.api('POST', `/v1/payment-requests/${id}/capture`, { body: {} });
      },
      cancelled_by_merchant: async (id) => void (await t.api('POST', `/v1/payment-requests/${id}/cancel`)),
      cancelled_by_patron: async (id) => void (await pay(id, 'cancel')),
      declined: async (id) => void (await pay(id, 'decline')),
      expired: async (id) => advancePast((await native(id)).expiresAt),
      authorization_expired: async (id) => {
        await pay(id, 'approve');
        await advancePast((await native(id)).authorizationExpiresAt);
      },
      voided: async (id) => {
        await drive.succeeded(id);
        await t.api('POST', `/v1/payment-requests/${id}/void`);
      },
    };
    const EXPECTED: Record<CanonicalCase, [status: string, reason?: string]> = {
      created: ['created'], pending: ['pending'], authorized: ['authorized'], succeeded: ['succeeded'],
      cancelled_by_merchant: ['cancelled', 'cancelled_by_merchant'], cancelled_by_patron: ['cancelled', 'cancelled_by_patron'],
      declined: ['failed', 'declined'], expired: ['expired', 'expired'], authorization_expired: ['expired', 'authorization_expired'], voided: ['cancelled', 'voided'],
    };

    const needsCapture = (state: CanonicalCase) => state === 'authorized' || state === 'authorization_expired';
    for (const state of CANONICAL_CASES.filter((s) => dialect.supportsManualCapture || !needsCapture(s))) {
      it(`renders its own status name for a request that is ${state.replace(/_/g, ' ')}`, async () => {
        const id = await client.create('10.00', { manualCapture: needsCapture(state) });
        const nativeId = await nativeIdOf(id);
        await drive[state](nativeId);
        const [status, reason] = EXPECTED[state];
        expect(await native(nativeId)).toMatchObject({ status, ...(reason ? { statusReason: reason } : {}) });
        expect((await client.read(id)).status).toBe(client.statusNames[state]);
        await settle(nativeId);
      });
    }
  });
}
