// Centrapay-format webhooks end to end: a native endpoint made with format "centrapay" gets paid,
// refund-initiated and refund-completed (nothing else), each with an ES256 JWT that verifies against
// the JWKS fetched over HTTP; key rotation through the admin API; a native endpoint of the same
// merchant still gets Standard Webhooks. Real HTTP, real storage (SQLite, and PostgreSQL in its project).
import { createHash, createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { verifySignature } from '../../../src/delivery/signing.js';
import { webhookFormats } from '../../../src/dialects/dialect.js';
import { DIALECTS } from '../../../src/dialects/registry.js';
import { ADMIN_TOKEN, startGateway, type TestGateway } from '../../harness.js';
import { startReceiver, type Received, type Receiver } from '../../support/receiver.js';
import { useGateway } from './client.js';

const DAY_MS = 24 * 3600 * 1000;
const TYPES = ['payment-request:paid', 'payment-request:refund-initiated', 'payment-request:refund-completed'];

/** The gateway's app clock, moved by hand (the 7-day retention of a rotated-out key runs on it). */
const clock = { offsetMs: 0, now: () => Date.now() + clock.offsetMs };
let t: TestGateway;
const receivers: Receiver[] = [];
useGateway((gateway) => { t = gateway; }, { clock });
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.close();
  for (const e of (await t.api('GET', '/v1/webhook-endpoints')).body.data) await t.api('DELETE', `/v1/webhook-endpoints/${e.id}`);
});

interface Jwk extends JsonWebKey { kid: string }

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

async function endpoint(r: Receiver, format?: string): Promise<{ id: string; secret: string }> {
  const res = await t.api('POST', '/v1/webhook-endpoints', { body: format ? { url: r.url, format } : { url: r.url } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(res.body.format).toBe(format ?? 'native');
  return res.body;
}

/** The JWKS as a receiver gets it: no credentials at all. */
async function jwks(gateway: TestGateway = t): Promise<{ keys: Jwk[]; cacheControl: string | null }> {
  const res = await fetch(`${gateway.url}/centrapay/.well-known/jwks.json`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { keys: Jwk[] };
  return { keys: body.keys, cacheControl: res.headers.get('cache-control') };
}

/** A receiver's check: the kid's key, the ES256 signature, the exact body's hash, our audience and a 5-minute lifetime. */
function verifyJwt(token: string, body: string, keys: Jwk[], audience: string): { ok: boolean; why?: string; header?: any; claims?: any } {
  const [h, p, s, ...rest] = token.split('.');
  if (!h || !p || !s || rest.length > 0) return { ok: false, why: 'not a compact JWT' };
  const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  const jwk = keys.find((k) => k.kid === header.kid);
  if (header.alg !== 'ES256' || !jwk) return { ok: false, why: `alg ${header.alg}, kid ${header.kid}`, header, claims };
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  if (!verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'))) return { ok: false, why: 'signature', header, claims };
  if (claims.request_body_sha256 !== createHash('sha256').update(body, 'utf8').digest('hex')) return { ok: false, why: 'body hash', header, claims };
  if (claims.aud !== audience) return { ok: false, why: `aud ${claims.aud}`, header, claims };
  const now = Math.floor(Date.now() / 1000);
  if (claims.exp !== claims.iat + 300 || claims.iat > now + 5 || claims.exp < now) return { ok: false, why: 'lifetime', header, claims };
  return { ok: true, header, claims };
}

const origin = (r: Receiver) => new URL(r.url).origin;
const kidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString('utf8')).kid as string;
const about = (r: Receiver, requestId: string) => r.received.filter((x) => x.json?.metadata?.paymentRequestId === requestId || x.json?.data?.object?.paymentRequestId === requestId || x.json?.data?.object?.id === requestId);

/** Created through the Centrapay API, paid by the sandbox patron, 5.00 of it refunded through Centrapay, then delivered. */
async function paidAndRefunded(): Promise<string> {
  const { apiKey, configId } = t.gateway.demo.centrapay as { apiKey: string; configId: string };
  const cp = (path: string, body: unknown) => t.api('POST', `/centrapay/api${path}`, { key: null, headers: { 'x-api-key': apiKey }, body });
  const created = await cp('/payment-requests', { configId, value: { amount: '1050', currency: 'NZD' } });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  const id = created.body.id as string;
  const paid = await t.api('POST', `/v1/sandbox/payment-requests/${id}/pay`, { body: { outcome: 'approve' } });
  expect(paid.status, JSON.stringify(paid.body)).toBe(200);
  const refund = await cp(`/payment-requests/${id}/refund`, { value: { amount: '500', currency: 'NZD' }, externalRef: 'r1' });
  expect(refund.status, JSON.stringify(refund.body)).toBe(200);
  await t.gateway.tick();
  return id;
}

describe('centrapay-format webhooks', () => {
  it('a centrapay endpoint gets exactly paid, refund-initiated and refund-completed, each signed with a key of the JWKS', async () => {
    const cpReceiver = await receiver();
    const nativeReceiver = await receiver();
    const cpEndpoint = await endpoint(cpReceiver, 'centrapay');
    const nativeEndpoint = await endpoint(nativeReceiver);
    const id = await paidAndRefunded();

    const got = about(cpReceiver, id);
    expect(got.map((r) => r.json.type).sort()).toStrictEqual([...TYPES].sort());
    expect(cpReceiver.received, 'nothing but the three types reaches the centrapay endpoint').toHaveLength(3);
    const { keys, cacheControl } = await jwks();
    expect(cacheControl).toMatch(/max-age=\d+/);
    for (const r of got) {
      const token = String(r.headers.authorization);
      expect(token.startsWith('Bearer'), 'the bare JWT, no scheme').toBe(false);
      const check = verifyJwt(token, r.body, keys, origin(cpReceiver));
      expect(check.ok, `${r.json.type}: ${check.why}`).toBe(true);
      expect(check.header).toStrictEqual({ alg: 'ES256', typ: 'JWT', kid: keys[0]!.kid });
      expect(verifyJwt(token, r.body.replace('"test":true', '"test":false'), keys, origin(cpReceiver)).why).toBe('body hash');
      expect(r.headers['webhook-signature'], 'no Standard Webhooks headers on a centrapay delivery').toBeUndefined();
      expect(Object.keys(r.json)).toStrictEqual(['id', 'type', 'metadata', 'accountId', 'test', 'createdAt']);
      expect(r.json).toMatchObject({ accountId: t.gateway.demo.merchantId, test: true, createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) });
    }
    const byType = Object.fromEntries(got.map((r) => [r.json.type, r.json]));
    expect(byType['payment-request:paid'].metadata).toMatchObject({ type: 'paid', value: { amount: '1050', currency: 'NZD' }, paymentRequestId: id });
    const initiated = byType['payment-request:refund-initiated'];
    const completed = byType['payment-request:refund-completed'];
    expect(initiated.metadata).toMatchObject({ type: 'refund', value: { amount: '500', currency: 'NZD' }, paymentRequestId: id });
    expect(completed.metadata, "refund-completed carries the refund's refund-initiated activity").toStrictEqual(initiated.metadata);
    expect(new Set(got.map((r) => r.json.id)).size).toBe(3);

    // the native endpoint of the same merchant: every event, Standard Webhooks as before
    const native = about(nativeReceiver, id);
    expect(native.map((r) => r.json.type)).toEqual(expect.arrayContaining(['payment_request.created', 'payment_request.succeeded', 'refund.created', 'refund.succeeded']));
    for (const r of native) {
      expect(r.headers.authorization).toBeUndefined();
      expect(verifySignature({
        id: String(r.headers['webhook-id']), timestamp: String(r.headers['webhook-timestamp']), body: r.body,
        signatureHeader: String(r.headers['webhook-signature']), secret: nativeEndpoint.secret,
      }), r.json.type).toBe(true);
    }

    // created went nowhere for the centrapay endpoint: not even queued (Centrapay's webhooks are
    // paid and refund ones), so no attempt logged, nothing pending, never retried
    const createdEvent = native.find((r) => r.json.type === 'payment_request.created') as Received;
    const attempts = await t.api('GET', `/v1/events/${createdEvent.json.id}/deliveries`);
    expect(attempts.body.data.map((a: any) => a.endpointId)).toStrictEqual([nativeEndpoint.id]);
    const rows = await t.query<{ event_id: string; status: string }>(`select event_id, status from deliveries where endpoint_id = '${cpEndpoint.id}'`);
    expect(rows.find((row) => row.event_id === createdEvent.json.id)).toBeUndefined();
    expect(rows.map((row) => row.status)).toStrictEqual(['delivered', 'delivered', 'delivered']);
    await t.gateway.tick();
    expect(cpReceiver.received).toHaveLength(3);
  });

  it('a format no dialect has is refused, naming the formats there are (centrapay among them)', async () => {
    const r = await receiver();
    const res = await t.api('POST', '/v1/webhook-endpoints', { body: { url: r.url, format: 'no-such-format' } });
    expect(res.status).toBe(400);
    const formats = webhookFormats(DIALECTS);
    expect(formats).toContain('centrapay');
    for (const format of formats) expect(JSON.stringify(res.body)).toContain(format);
  });

  it('the JWKS is public and holds P-256 public keys only; the private key is sealed at rest and never logged', async () => {
    const { keys } = await jwks();
    expect(keys.length).toBeGreaterThanOrEqual(1);
    for (const key of keys) {
      expect(Object.keys(key).sort()).toStrictEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    }
    const settings = await t.query<{ key: string; value: string }>("select key, value from settings where key like 'webhook_signing_keys%'");
    expect(settings.length).toBeGreaterThanOrEqual(1);
    for (const row of settings) expect(row.value).not.toMatch(/PRIVATE KEY|MII/);
    expect(t.logs()).not.toMatch(/PRIVATE KEY/);
  });

  it('rotation: the new kid is published at once but signs only after a JWKS cache lifetime; the old one signs until then, then stays published for 7 days (app clock); only the admin token rotates', async () => {
    const cached = await jwks(); // what a receiver holds in its cache at the moment of the rotation
    const before = cached.keys.map((k) => k.kid);
    const maxAgeMs = Number(/max-age=(\d+)/.exec(cached.cacheControl ?? '')?.[1]) * 1000;
    expect(maxAgeMs).toBeGreaterThan(0);
    const refused = await t.api('POST', '/admin/v1/webhook-signing-keys/rotate', { body: {} }); // the merchant's secret key
    expect(refused.status).toBe(401);
    expect((await jwks()).keys.map((k) => k.kid)).toStrictEqual(before);

    const rotatedAt = clock.now();
    const rotated = await t.api('POST', '/admin/v1/webhook-signing-keys/rotate', { key: ADMIN_TOKEN, body: {} });
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    const kid = rotated.body.kid as string;
    expect(before).not.toContain(kid);
    const signsFrom = Date.parse(rotated.body.signsFrom);
    expect(signsFrom - rotatedAt, 'the new key signs once a JWKS cached before the rotation has expired, and not much later').toBeGreaterThan(maxAgeMs);
    expect(signsFrom - rotatedAt).toBeLessThan(maxAgeMs + 5 * 60_000);
    // published at once, newest first, the old one beside it
    expect((await jwks()).keys.map((k) => k.kid).slice(0, 2)).toStrictEqual([kid, before[0]]);

    // right after the rotation: still the old key, so the cached JWKS verifies every delivery
    const r = await receiver();
    await endpoint(r, 'centrapay');
    const early = about(r, await paidAndRefunded());
    expect(early).toHaveLength(3);
    for (const x of early) {
      expect(kidOf(String(x.headers.authorization))).toBe(before[0]);
      expect(verifyJwt(String(x.headers.authorization), x.body, cached.keys, origin(r)).ok, 'verifies with the JWKS cached before the rotation').toBe(true);
    }

    // just before the switch the old key still signs; once the cache lifetime (and its margin) passed, the new one
    clock.offsetMs += signsFrom - clock.now() - 1000;
    const cachedLater = await jwks(); // a receiver refreshed its cache since: it holds the new kid too
    const last = about(r, await paidAndRefunded());
    for (const x of last) expect(kidOf(String(x.headers.authorization))).toBe(before[0]);
    clock.offsetMs += 2000;
    const late = about(r, await paidAndRefunded());
    expect(late).toHaveLength(3);
    for (const x of late) {
      expect(kidOf(String(x.headers.authorization))).toBe(kid);
      expect(verifyJwt(String(x.headers.authorization), x.body, cachedLater.keys, origin(r)).ok, 'verifies with any JWKS fetched a cache lifetime ago').toBe(true);
    }
    // the new key is first and the old one still there while its last tokens (5 minutes) are valid, and long after
    clock.offsetMs += 5 * 60_000 + 60_000;
    expect((await jwks()).keys.map((k) => k.kid).slice(0, 2)).toStrictEqual([kid, before[0]]);
    const rotationAge = () => clock.now() - rotatedAt;
    clock.offsetMs += 7 * DAY_MS - 60_000 - rotationAge();
    expect((await jwks()).keys.map((k) => k.kid), 'still there just before 7 days').toContain(before[0]);
    clock.offsetMs += 2 * 60_000;
    expect((await jwks()).keys.map((k) => k.kid), 'gone after 7 days').toStrictEqual([kid]);
  });

  it('two rotations at once both take effect: two new kids, one current, the other still published', async () => {
    const [a, b] = await Promise.all([1, 2].map(() => t.api('POST', '/admin/v1/webhook-signing-keys/rotate', { key: ADMIN_TOKEN, body: {} })));
    expect([a!.status, b!.status]).toStrictEqual([200, 200]);
    expect(a!.body.kid).not.toBe(b!.body.kid);
    const kids = (await jwks()).keys.map((k) => k.kid);
    expect(kids).toEqual(expect.arrayContaining([a!.body.kid, b!.body.kid]));
    expect([a!.body.kid, b!.body.kid]).toContain(kids[0]);
  });
});

describe('signing key made on first use', () => {
  it('requests racing for the first key (PostgreSQL: in parallel transactions) agree on one', async () => {
    const fresh = await startGateway();
    try {
      const seen = await Promise.all([jwks(fresh), jwks(fresh), jwks(fresh), jwks(fresh)]);
      expect(new Set(seen.map((j) => j.keys.map((k) => k.kid).join())).size).toBe(1);
      expect(seen[0]!.keys).toHaveLength(1);
      const rows = await fresh.query<{ key: string }>("select key from settings where key like 'webhook_signing_keys%'");
      expect(rows.map((row) => row.key)).toStrictEqual(['webhook_signing_keys']);
    } finally {
      await fresh.close();
    }
  });
});
