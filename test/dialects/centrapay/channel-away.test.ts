// A POS on a flaky network voids a paid request ("status unknown after retries → void"); the
// channel does not answer the void's refund in time (503, the void kept in flight), then answers
// again: the POS's retry of the void takes the void in flight as its own and answers its refund
// activity, the money returned once. A further void is ALREADY_REFUNDED, as Centrapay documents.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Connector } from '../../../src/app/ports/connector.js';
import { createSandboxConnector } from '../../../src/connectors/sandbox/connector.js';
import { startGateway, type TestGateway } from '../../harness.js';
import { demoClient, expectRefused, nativeRequest, paidRequest } from './client.js';

const sandbox = createSandboxConnector();
const seen = new Map<string, string>();
const refundsAsked = new Set<string>();
let away = false;
async function once<T extends string>(id: string, answer: () => Promise<T>): Promise<T> {
  if (away) throw new Error('channel timeout');
  if (!seen.has(id)) seen.set(id, await answer());
  return seen.get(id) as T;
}
const channel: Connector = {
  channels: (request) => sandbox.channels(request),
  instructions: (request, choice, amount, now) => sandbox.instructions(request, choice, amount, now),
  authorize: (request, payment, id) => once(id, () => sandbox.authorize(request, payment, id)),
  capture: (request, amount, options, id) => once(id, () => sandbox.capture(request, amount, options, id)),
  release: (_request, id) => once(id, async () => 'released').then(() => undefined),
  refund: (_request, _refund, id) => { refundsAsked.add(id); return once(id, async () => 'succeeded'); },
};

let t: TestGateway;
beforeAll(async () => { t = await startGateway({ connector: channel }); });
afterAll(async () => t?.close());

it('a void retried after its 503 answers the refund activity; the money goes back once', async () => {
  const cp = demoClient(t);
  const pr = await paidRequest(cp, '1000');
  away = true;
  const first = await cp.void(pr.id);
  away = false;
  expect(first.status).toBe(503);
  const retried = await cp.void(pr.id);
  expect(retried.status, JSON.stringify(retried.body)).toBe(200);
  expect(retried.body).toMatchObject({ type: 'refund', value: { amount: '1000', currency: 'NZD' }, paymentRequestId: pr.id });
  expect(await nativeRequest(t, pr.id)).toMatchObject({ status: 'cancelled', amountRefunded: 1000 });
  expect(refundsAsked.size).toBe(1);
  expectRefused(await cp.void(pr.id), 403, 'ALREADY_REFUNDED');
});
