// A CLIQ payment's quote renewed: by getupdate when the POS asks, and by the dialect's background
// work (Dialect.periodic) as soon as an open payment's quote runs out, so that a POS waiting for
// its pos_price_update_postback_url hears of the new quote without asking. One renewal per
// expiry: the renewal re-checks, with the request's row held, that the quote it replaces ran out.
import type { App } from '../../app/context.js';
import { merchantNow } from '../../app/time.js';
import { inTransaction, type Work } from '../../app/unit-of-work.js';
import * as pr from '../../core/payment-request.js';
import type { PaymentRequest } from '../../core/payment-request.js';
import { DIALECT, paymentOf, savePayment, type CliqPayment } from './fields.js';
import { queuePriceUpdate } from './postbacks.js';
import { awaitsConfirmation, newQuote } from './quote.js';

const BATCH = 100;

/**
 * A new quote for the payment (rate, address, invoice and expiry), saved; one that replaces a quote
 * that ran out is announced to the payment's pos_price_update_postback_url.
 */
export async function renewQuote(unit: Work, request: PaymentRequest, payment: CliqPayment, now: number): Promise<CliqPayment> {
  const expired = now >= payment.quote.expiresAt;
  const next: CliqPayment = { ...payment, quote: await newQuote(unit, request, now) };
  await savePayment(unit.tx, request.id, next, now, false);
  if (expired) await queuePriceUpdate(unit, request, next, now);
  return next;
}

/** Renews the quote of one payment if it is still open and its quote ran out (at its merchant's clock); says whether it did. */
async function renewIfRanOut(app: App, id: string): Promise<boolean> {
  return inTransaction(app, async (unit) => {
    const request = await unit.tx.lockPaymentRequest(id);
    if (!request) return false;
    const now = await merchantNow(app, unit.tx, request.merchantId, request.livemode);
    // an overdue payment is the expiry sweep's; one no longer payable keeps its last quote
    if (pr.expireIfDue(request, now) || !pr.canApply(request.status, 'engage')) return false;
    const payment = await paymentOf(unit.tx, request.id);
    // renewed meanwhile (getupdate, another process), or kept for a transaction awaiting confirmation
    if (!payment || now < payment.quote.expiresAt || awaitsConfirmation(payment)) return false;
    await renewQuote(unit, request, payment, now);
    return true;
  });
}

/**
 * The dialect's background work: every open CLIQ payment whose quote ran out gets a new one, and its
 * price update postback. Reads the open payments a page at a time (and each merchant's clock once);
 * a renewal that fails is tried again on the next run.
 */
export async function renewExpiredQuotes(app: App): Promise<number> {
  const clocks = new Map<string, number>();
  const nowOf = async (request: PaymentRequest) => {
    const key = `${request.merchantId}:${request.livemode}`;
    if (!clocks.has(key)) clocks.set(key, await merchantNow(app, app.db.read, request.merchantId, request.livemode));
    return clocks.get(key) as number;
  };
  let renewed = 0;
  let failure: unknown = null;
  for (let afterId: string | undefined; ;) {
    const page = await app.db.read.listPayableRequestsOf(DIALECT, { limit: BATCH, ...(afterId === undefined ? {} : { afterId }) });
    const payments = await app.db.read.listDialectRecords(DIALECT, 'payment', page.items.map((request) => request.id));
    const renewable = payments.map((record) => [record.key, record.data as unknown as CliqPayment] as const).filter(([, payment]) => !awaitsConfirmation(payment));
    const quoteEnds = new Map(renewable.map(([id, payment]) => [id, payment.quote.expiresAt]));
    for (const request of page.items) {
      const ends = quoteEnds.get(request.id);
      if (ends === undefined || (await nowOf(request)) < ends) continue;
      // one that fails (a request held, the channel away) does not stop the others
      const done = await renewIfRanOut(app, request.id).catch((error: unknown) => {
        failure ??= error;
        return false;
      });
      if (done) renewed++;
    }
    if (!page.hasMore || page.items.length === 0) break;
    afterId = page.items[page.items.length - 1]!.id;
  }
  if (failure !== null) throw failure; // reported by the background loop; the rest was done
  return renewed;
}
