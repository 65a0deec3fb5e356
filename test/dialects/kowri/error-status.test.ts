// KOWRI_ERROR_STATUS=provider: every refusal but a server fault answers HTTP 200, as Kowri's servers
// do, still in the envelope with its statusCode; nothing is written by a refused call.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../../harness.js';
import { createInvoice, demoSet, kowriCall, rawCall, writeCounts } from './client.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startGateway({ env: { KOWRI_ERROR_STATUS: 'provider' } });
});
afterAll(async () => t.close());

it('bad input, bad credentials and an unknown operation answer 200 with success false and their statusCode', async () => {
  const before = await writeCounts(t);
  const cases: Array<[Promise<{ status: number; body: any }>, string]> = [
    [createInvoice(t, { merchantOrderId: 'p-1', amount: '12.345' }), 'INVALID_REQUEST'],
    [rawCall(t, 'createInvoice', '{"amount":', { appId: demoSet(t).appId }), 'INVALID_REQUEST'],
    [kowriCall(t, 'listPayOptions', {}, { ...demoSet(t), secret: 'kws_wrong' }), 'UNAUTHORIZED'],
    [kowriCall(t, 'noSuchOperation', {}), 'NOT_FOUND'],
  ];
  for (const [call, statusCode] of cases) {
    const response = await call;
    expect(response.status, statusCode).toBe(200);
    expect(response.body, statusCode).toMatchObject({ success: false, statusCode, result: null });
  }
  expect(await writeCounts(t)).toBe(before);
  expect((await createInvoice(t, { merchantOrderId: 'p-2', amount: '1' })).body.success).toBe(true);
});
