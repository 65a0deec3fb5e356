// A POS on a flaky network voids a paid request ("status unknown after retries → void"); the
// channel does not answer the void's refund in time (503, the void kept in flight), then answers
// again: the POS's retry of the void takes the void in flight as its own and answers its refund
// activity, the money returned once. A further void is ALREADY_REFUNDED, as Centrapay documents.
import { expect, it } from 'vitest';
import type { TestGateway } from '../../harness.js';
import { refundIdsAsked, scriptedChannel } from '../../support/scripted-channel.js';
import { demoClient, expectRefused, nativeRequest, paidRequest, useGateway } from './client.js';

const channel = scriptedChannel();

let t: TestGateway;
useGateway((gateway) => { t = gateway; }, { connector: channel.connector });

it('a void retried after its 503 answers the refund activity; the money goes back once', async () => {
  const cp = demoClient(t);
  const pr = await paidRequest(cp, '1000');
  channel.away = true;
  const first = await cp.void(pr.id);
  channel.away = false;
  expect(first.status).toBe(503);
  const retried = await cp.void(pr.id);
  expect(retried.status, JSON.stringify(retried.body)).toBe(200);
  expect(retried.body).toMatchObject({ type: 'refund', value: { amount: '1000', currency: 'NZD' }, paymentRequestId: pr.id });
  expect(await nativeRequest(t, pr.id)).toMatchObject({ status: 'cancelled', amountRefunded: 1000 });
  expect(refundIdsAsked(channel).size).toBe(1);
  expectRefused(await cp.void(pr.id), 403, 'ALREADY_REFUNDED');
});
