// Response code 96 (system malfunction) when the database is away: a KPAY POS gets its envelope
// with 96 and HTTP 503 + Retry-After, never a hang or a bare 500, and nothing is half done.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../../harness.js';
import { PG_URL } from '../../postgres.js';
import { startTcpProxy, type TcpProxy } from '../../faults/tcp-proxy.js';
import { create, requery } from './client.js';

let proxy: TcpProxy;
let t: TestGateway;

beforeAll(async () => {
  proxy = await startTcpProxy(Number(new URL(PG_URL).port || 5432), new URL(PG_URL).hostname);
  t = await startGateway({ env: { DATABASE_URL: proxy.url(PG_URL), DATABASE_CONNECT_TIMEOUT_MS: '1000', DATABASE_QUERY_TIMEOUT_MS: '2000' } });
});

afterAll(async () => {
  await t?.close();
  await proxy?.close();
});

it('answers 96 with 503 and Retry-After while PostgreSQL cannot be reached, then serves again', async () => {
  const made = await create(t, { reference: 'sys-1', amount: '5000' });
  expect(made.body.responseCode).toBe('09');

  proxy.stall(); // every connection, open or new, gets no answer: the database is away
  for (const call of [() => create(t, { reference: 'sys-2', amount: '5000' }), () => requery(t, 'sys-1')]) {
    const answer = await call();
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('2');
    expect(answer.body).toMatchObject({ responseCode: '96', data: null });
    expect(answer.body.responseMessage).toMatch(/\S/);
  }

  proxy.resume();
  // the pool drops the dead connections and makes new ones: the next calls are answered again
  let again = await requery(t, 'sys-1');
  for (let i = 0; i < 20 && again.status !== 200; i++) again = await requery(t, 'sys-1');
  expect(again.body).toMatchObject({ responseCode: '09', data: { reference: 'sys-1' } });
  // the refused create left nothing behind
  expect((await requery(t, 'sys-2')).body.responseCode).toBe('25');
});
