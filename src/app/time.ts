import { DomainError } from '../core/errors.js';
import type { App } from './context.js';
import type { Merchant, ReadTx } from './ports/persistence.js';

/** Time as an object of this merchant and mode sees it: test mode runs on the merchant's test clock. */
export function nowFor(app: App, merchant: Pick<Merchant, 'testClockOffsetMs'>, livemode: boolean): number {
  return app.clock.now() + (livemode ? 0 : merchant.testClockOffsetMs);
}

/** As nowFor, reading the merchant (only test mode needs it). */
export async function merchantNow(app: App, tx: ReadTx, merchantId: string, livemode: boolean): Promise<number> {
  if (livemode) return app.clock.now();
  const merchant = await tx.getMerchant(merchantId);
  if (!merchant) throw new DomainError('not_found', `No merchant ${merchantId}.`);
  return nowFor(app, merchant, livemode);
}
