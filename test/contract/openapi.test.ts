// The OpenAPI document says everything the server does: walked as a running gateway serves it,
// checked against real answers, and kept equal to the checked-in copy the client is generated from.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode } from '../../src/core/errors.js';
import { DIALECTS } from '../../src/dialects/registry.js';
import { NATIVE_STATUS } from '../../src/http/error-statuses.js';
import { HTTP_METHODS } from '../../src/http/openapi.js';
import { DOCUMENT_PATH } from '../../scripts/openapi.js';
import { toy } from '../dialects/toy/toy-dialect.js';
import { ADMIN_TOKEN, createBody, startGateway, type ApiResponse, type TestGateway } from '../harness.js';

let t: TestGateway;
let doc: any;

beforeAll(async () => {
  t = await startGateway();
  doc = (await t.api('GET', '/openapi.json', { key: null })).body;
});
afterAll(async () => {
  await t?.close();
});

interface Op { path: string; method: string; op: any }
const operations = (): Op[] =>
  Object.entries(doc.paths as Record<string, any>).flatMap(([path, item]) => HTTP_METHODS.filter((m) => item[m]).map((method) => ({ path, method, op: item[method] })));

/** The codes the document says an operation answers with under a status. */
function documentedCodes(op: any, status: number): string[] {
  const schema = op.responses?.[String(status)]?.content?.['application/problem+json']?.schema;
  return schema?.allOf?.[1]?.properties?.code?.enum ?? [];
}

/** Two templated paths one URL could match (`/a/{x}` and `/a/b`, `/a/{x}/c` and `/a/b/{y}`). */
function ambiguous(a: string, b: string): boolean {
  const sa = a.split('/');
  const sb = b.split('/');
  if (sa.length !== sb.length || a === b) return false;
  const param = (s: string) => /^\{[^}]+\}$/.test(s);
  return sa.every((s, i) => s === sb[i] || param(s) || param(sb[i]!)) && !sa.every((s, i) => s === sb[i] || (param(s) && param(sb[i]!)));
}

describe('the native OpenAPI document', () => {
  it('names this gateway in servers and holds only the native and admin APIs', () => {
    expect(doc.servers).toEqual([{ url: t.url, description: 'This gateway' }]);
    for (const path of Object.keys(doc.paths)) expect(path, path).toMatch(/^\/(v1|admin\/v1)\//);
    expect(operations().length).toBeGreaterThanOrEqual(50);
  });

  it('gives every operation a stable camelCase operationId, unique in the document', () => {
    const ids = operations().map(({ path, method, op }) => {
      expect(op.operationId, `${method} ${path}`).toMatch(/^[a-z][A-Za-z0-9]+$/);
      return op.operationId;
    });
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('documents a schema for every success status of every operation', () => {
    for (const { path, method, op } of operations()) {
      const successes = Object.keys(op.responses).filter((s) => s.startsWith('2'));
      expect(successes.length, `${method} ${path}`).toBeGreaterThan(0);
      for (const status of successes) {
        const content = op.responses[status].content ?? {};
        expect(Object.keys(content).length, `${method} ${path} ${status}`).toBeGreaterThan(0);
        for (const [type, media] of Object.entries<any>(content)) expect(media.schema, `${method} ${path} ${status} ${type}`).toBeTruthy();
      }
    }
  });

  it('documents every error response as problem+json with the Problem schema, each code under its own status', () => {
    for (const { path, method, op } of operations()) {
      const label = `${method} ${path}`;
      const errors = Object.keys(op.responses).filter((s) => /^[45]/.test(s));
      for (const status of ['401', '500', '503']) expect(errors, label).toContain(status);
      if (op.requestBody) expect(errors, label).toEqual(expect.arrayContaining(['400', '413', '415']));
      for (const status of errors) {
        const content = op.responses[status].content;
        expect(Object.keys(content), `${label} ${status}`).toEqual(['application/problem+json']);
        expect(content['application/problem+json'].schema.allOf[0].$ref).toBe('#/components/schemas/Problem');
        const codes = documentedCodes(op, Number(status));
        expect(codes.length, `${label} ${status}`).toBeGreaterThan(0);
        for (const code of codes) expect(NATIVE_STATUS[code as ErrorCode], `${label}: ${code}`).toBe(Number(status));
      }
      expect(op['x-errors'], label).toBeUndefined();
    }
  });

  it('describes request bodies as strictly as the server checks them', () => {
    for (const { path, method, op } of operations()) {
      const schema = op.requestBody?.content?.['application/json']?.schema;
      // its body is the options of the dialect its path names, each checked by that dialect's schema
      if (op.operationId === 'adminIssueCredentials') continue;
      if (schema?.type === 'object') expect(schema.additionalProperties, `${method} ${path}`).toBe(false);
    }
    const list = doc.paths['/v1/payment-requests'].get.parameters;
    expect(list.find((p: any) => p.name === 'cursor').schema.pattern).toBeTruthy();
    const currency = doc.paths['/v1/payment-requests'].post.requestBody.content['application/json'].schema.properties.currency;
    expect(currency.enum).toContain('NZD');
    expect(currency.enum).not.toContain('XXX');
    expect(doc.paths['/v1/short-codes/{code}'].get.parameters[0].schema.pattern).toBeTruthy();
  });

  it("types an event's type as the enum of the types an event can have (those the events list filters by)", () => {
    const filter = doc.paths['/v1/events'].get.parameters.find((p: any) => p.name === 'type').schema.enum;
    expect(filter).toContain('payment_request.succeeded');
    // a client switches on it: a typo or a type it does not handle is then a compile error, not a silent miss
    expect(doc.components.schemas.Event.properties.type.enum).toEqual(filter);
  });

  it('marks a body required exactly where the server refuses a request without one (it reads none as {})', async () => {
    // a gateway of its own: the optional ones run (a signing key is rotated, a patron made)
    const fresh = await startGateway();
    try {
      const optional: string[] = [];
      for (const { path, method, op } of operations()) {
        if (!op.requestBody) continue;
        const pathParams = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
        const answer = await fresh.api(method.toUpperCase(), path.replace(/\{[^}]+\}/g, 'nothing'), { key: path.startsWith('/admin/') ? ADMIN_TOKEN : undefined });
        const refusedForBody = answer.status === 400 && !pathParams.includes(answer.body.param);
        expect(refusedForBody, `${method} ${path}: ${answer.status} ${answer.body?.code} ${answer.body?.param}`).toBe(op.requestBody.required);
        if (!refusedForBody) expect(answer.status, `${method} ${path}`).toBeLessThan(500);
        if (!op.requestBody.required) optional.push(op.operationId);
      }
      expect(optional).toEqual(expect.arrayContaining(['cancelPaymentRequest', 'capturePaymentRequest', 'voidPaymentRequest', 'cancelRefund', 'redeliverEvent']));
      expect(optional).not.toContain('createPaymentRequest');
    } finally {
      await fresh.close();
    }
  });

  it('has no ambiguous paths', () => {
    const paths = Object.keys(doc.paths);
    const pairs = paths.flatMap((a, i) => paths.slice(i + 1).filter((b) => ambiguous(a, b)).map((b) => `${a} ~ ${b}`));
    expect(pairs).toEqual([]);
    // the check itself finds what it is for
    expect(ambiguous('/v1/payment-requests/short-code/{code}', '/v1/payment-requests/{id}/events')).toBe(true);
  });

  it('lists under some operation every code the use cases answer with', () => {
    const documented = new Set(operations().flatMap(({ op }) => Object.keys(op.responses).flatMap((s) => documentedCodes(op, Number(s)))));
    const thrown = new Set<string>();
    for (const dir of ['src/app', 'src/app/use-cases', 'src/core', 'src/connectors/sandbox']) {
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
        for (const match of readFileSync(join(dir, file), 'utf8').matchAll(/DomainError\('([a-z_]+)'/g)) thrown.add(match[1]!);
      }
    }
    // thrown only where no native operation reaches: the patron's pages (test_mode_only there) and dialect-only use cases
    const elsewhere = new Set(['already_refunded', 'condition_already_set']);
    const missing = [...thrown].filter((code) => !documented.has(code) && !elsewhere.has(code));
    expect(missing).toEqual([]);
    expect(thrown.size).toBeGreaterThan(20);
    for (const code of thrown) expect(ERROR_CODES).toContain(code);
  });

  it('documents the status and code of real answers', async () => {
    const check = (res: ApiResponse, method: string, path: string) => {
      const op = doc.paths[path][method];
      expect(op.responses[String(res.status)], `${method} ${path} → ${res.status}`).toBeTruthy();
      if (res.status >= 400) expect(documentedCodes(op, res.status), `${method} ${path}`).toContain(res.body.code);
    };
    const PR = '/v1/payment-requests';
    const body = createBody(t, { reference: 'contract-1', allowConcurrent: true });
    const created = await t.api('POST', PR, { body });
    expect(created.status).toBe(201);
    check(created, 'post', PR);
    const replayed = await t.api('POST', PR, { body });
    expect(replayed.status).toBe(200);
    check(replayed, 'post', PR);
    check(await t.api('POST', PR, { body: { ...body, reference: 'contract-2', colour: 'red' } }), 'post', PR);
    check(await t.api('POST', PR, { body: createBody(t) }), 'post', PR);
    check(await t.api('POST', PR, { body: createBody(t) }), 'post', PR); // terminal_busy
    check(await t.api('GET', `${PR}?cursor=not-a-cursor!`), 'get', PR);
    check(await t.api('GET', `/v1/short-codes/${created.body.shortCode.slice(0, -1)}${created.body.shortCode.endsWith('2') ? '3' : '2'}`), 'get', '/v1/short-codes/{code}');
    check(await t.api('GET', `/v1/short-codes/${created.body.shortCode}`), 'get', '/v1/short-codes/{code}');
    const paid = await t.api('POST', `/v1/sandbox/payment-requests/${created.body.id}/pay`, { body: { outcome: 'approve' } });
    check(paid, 'post', '/v1/sandbox/payment-requests/{id}/pay');
    check(await t.api('POST', `${PR}/${created.body.id}/capture`, { body: {} }), 'post', `${PR}/{id}/capture`);
    const refund = await t.api('POST', `${PR}/${created.body.id}/refunds`, { body: { amount: 100, reference: 'r1' } });
    expect(refund.status).toBe(201);
    check(refund, 'post', `${PR}/{id}/refunds`);
    const events = await t.api('GET', `/v1/events?limit=1`);
    check(events, 'get', '/v1/events');
    const redelivered = await t.api('POST', `/v1/events/${events.body.data[0].id}/redeliver`, { body: {} });
    expect(redelivered.status).toBe(202);
    check(redelivered, 'post', '/v1/events/{id}/redeliver');
    check(await t.api('GET', '/v1/refunds/rf_nothing'), 'get', '/v1/refunds/{id}');
    check(await t.api('GET', '/v1/terminals', { key: null }), 'get', '/v1/terminals');
    // a body the schema takes, so the use case answers (the walk below sends {}, refused for itself)
    const byTerminal = await t.api('POST', '/v1/webhook-endpoints', { key: t.terminalKey, body: { url: 'https://example.com/hook' } });
    expect([byTerminal.status, byTerminal.body.code]).toEqual([403, 'permission_denied']);
    check(byTerminal, 'post', '/v1/webhook-endpoints');
  });
});

describe('what each operation answers, walked over the whole document', () => {
  let fresh: TestGateway;
  let liveKey: string;
  beforeAll(async () => {
    // a gateway of its own: the calls below run what they can (a patron is made, a clock read)
    fresh = await startGateway();
    const live = await fresh.api('POST', `/admin/v1/merchants/${fresh.gateway.demo.merchantId}/keys`, { key: ADMIN_TOKEN, body: { mode: 'live' } });
    liveKey = live.body.secretKey;
  });
  afterAll(async () => {
    await fresh?.close();
  });

  /** The operation called with its path parameters naming nothing (a code of the short codes' shape) and, if it takes a body, `{}`. */
  const call = (path: string, method: string, op: any, key: string, query = '') =>
    fresh.api(method.toUpperCase(), path.replace('{code}', 'AAA-AAA-AAA').replace(/\{[^}]+\}/g, 'nothing') + query, { key, body: op.requestBody ? {} : undefined });
  const streams = (op: any) => Boolean(op.responses?.['200']?.content?.['text/event-stream']);

  it('documents the status and code each kind of key gets from every /v1 operation (a terminal key, a live key)', async () => {
    expect(liveKey).toMatch(/^sk_live_/);
    const undocumented: string[] = [];
    for (const { path, method, op } of operations()) {
      if (!path.startsWith('/v1/') || streams(op)) continue; // a stream that opens stays open
      for (const key of [fresh.terminalKey, liveKey, fresh.secretKey]) {
        const res = await call(path, method, op, key);
        const ok = Boolean(op.responses[String(res.status)]) && (res.status < 400 || documentedCodes(op, res.status).includes(res.body.code));
        if (!ok) undocumented.push(`${method} ${path} (${key.slice(0, 8)}…) → ${res.status} ${res.body?.code}`);
      }
    }
    expect(undocumented).toEqual([]);
  });

  it('refuses, on every operation, a query parameter it does not name (400 unknown_field, documented)', async () => {
    const wrong: string[] = [];
    for (const { path, method, op } of operations()) {
      // a body or query parameter the operation requires is checked first: without it, refused for that
      if (op.requestBody?.required || op.parameters?.some((p: any) => p.in === 'query' && p.required)) {
        if (!documentedCodes(op, 400).includes('unknown_field')) wrong.push(`${method} ${path}: unknown_field not documented`);
        continue;
      }
      const res = await call(path, method, op, path.startsWith('/admin/') ? ADMIN_TOKEN : fresh.secretKey, '?notAParameter=1');
      if (res.status !== 400 || res.body.code !== 'unknown_field' || res.body.param !== 'notAParameter') wrong.push(`${method} ${path} → ${res.status} ${res.body?.code} ${res.body?.param}`);
      else if (!documentedCodes(op, 400).includes('unknown_field')) wrong.push(`${method} ${path}: unknown_field not documented`);
    }
    expect(wrong).toEqual([]);
  });

  it('declares the Last-Event-ID header the event stream resumes after', () => {
    const parameters = doc.paths['/v1/events/stream'].get.parameters as { in: string; name: string }[];
    expect(parameters.filter((p) => p.in === 'header').map((p) => p.name.toLowerCase())).toContain('last-event-id');
    expect(parameters.filter((p) => p.in === 'query').map((p) => p.name)).toContain('lastEventId');
  });
});

describe('methods a path does not answer', () => {
  it('get 405 with Allow and a problem body', async () => {
    const res = await t.api('DELETE', '/v1/payment-requests');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, POST');
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 405, code: 'http_method_not_allowed', title: 'Method Not Allowed' });
    expect((await t.api('PUT', '/admin/v1/merchants')).headers.get('allow')).toBe('GET, HEAD, POST');
    // a path nothing answers stays a 404
    const unknown = await t.api('GET', '/v1/no-such-thing');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('route_not_found');
  });
});

describe('the documents of the dialects', () => {
  it('serves a dialect that asks for one its own document, out of the native one', async () => {
    // the toy dialect asks for a document of its own through the dialect contract
    const g = await startGateway({ dialects: [...DIALECTS, { ...toy, openapi: { title: 'toy API', description: 'A dialect of the tests' } }] });
    try {
      const own = await g.api('GET', '/toy/openapi.json', { key: null });
      expect(own.status).toBe(200);
      expect(own.body.info.title).toBe('toy API');
      expect(Object.keys(own.body.paths).sort()).toEqual(['/toy/sales', '/toy/sales/{id}']);
      expect(own.body.servers).toEqual([{ url: g.url, description: 'This gateway' }]);
      const native = (await g.api('GET', '/openapi.json', { key: null })).body;
      expect(Object.keys(native.paths).some((p) => p.startsWith('/toy'))).toBe(false);
    } finally {
      await g.close();
    }
  });

  it('serves the documented dialects their own documents, which Redocly finds no fault in', async () => {
    const documented = DIALECTS.filter((d) => d.openapi);
    // every provider API posgate speaks is JSON over HTTP (MobilePay's XML too, CLIQ's forms too): each has its document
    expect(documented.map((d) => d.name).sort()).toEqual(DIALECTS.filter((d) => d.prefix).map((d) => d.name).sort());
    const dir = mkdtempSync(join(tmpdir(), 'posgate-dialect-docs-'));
    try {
      for (const dialect of documented) {
        const own = await t.api('GET', `${dialect.prefix}/openapi.json`, { key: null });
        expect(own.status, dialect.name).toBe(200);
        const paths = Object.keys(own.body.paths);
        expect(paths.length, dialect.name).toBeGreaterThan(0);
        for (const path of paths) expect(path).toMatch(new RegExp(`^${dialect.prefix}/`));
        for (const item of Object.values<any>(own.body.paths)) for (const m of HTTP_METHODS) if (item[m]) expect(item[m].operationId).toMatch(/^[a-z][A-Za-z0-9]+$/);
        const file = join(dir, `${dialect.name}.json`);
        writeFileSync(file, JSON.stringify(own.body));
        // exits non-zero on an error; its summary counts the warnings
        const out = execFileSync(join('node_modules', '.bin', 'redocly'), ['lint', file, '--format=summary'], { stdio: 'pipe', encoding: 'utf8' });
        expect(out, dialect.name).not.toMatch(/^warning/m);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the checked-in document and the client generated from it', () => {
  const withoutServers = ({ servers: _servers, ...rest }: any) => rest;

  it('packages/client/openapi.json is what the gateway serves (else: npm run openapi)', () => {
    const checkedIn = JSON.parse(readFileSync(DOCUMENT_PATH, 'utf8'));
    expect(withoutServers(doc)).toEqual(withoutServers(checkedIn));
  });

  it("packages/client/src/openapi.ts is openapi-typescript's output for it", () => {
    const dir = mkdtempSync(join(tmpdir(), 'posgate-types-'));
    try {
      const out = join(dir, 'openapi.ts');
      // from the package's folder, as its build runs it (the root's redocly.yaml is Redocly's, not the generator's)
      execFileSync(join('..', '..', 'node_modules', '.bin', 'openapi-typescript'), ['openapi.json', '-o', out], { stdio: 'pipe', cwd: 'packages/client' });
      expect(readFileSync('packages/client/src/openapi.ts', 'utf8')).toBe(readFileSync(out, 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
