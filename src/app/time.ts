import { DomainError } from '../core/errors.js';
import type { App } from './context.js';
import type { Tx } from './ports/store.js';

/** Time as an object of this merchant and mode sees it: test mode runs on the merchant's test clock. */
export async function merchantNow(app: App, tx: Tx, merchantId: string, livemode: boolean): Promise<number> {
  const now = app.clock.now();
  if (livemode) return now;
  const merchant = await tx.getMerchant(merchantId);
  if (!merchant) throw new DomainError('not_found', `No merchant ${merchantId}.`);
  return now + merchant.testClockOffsetMs;
}
