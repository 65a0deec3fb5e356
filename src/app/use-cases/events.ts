// Reading the event log: a caller sees its own merchant and mode, a terminal key its own terminal.
import { loadPaymentRequest } from '../access.js';
import type { App, Caller } from '../context.js';
import type { EventPage, Page, StoredEvent } from '../ports/persistence.js';

export interface EventQuery {
  objectId?: string;
  type?: string;
  /** Only this request's events and its refunds' events. */
  paymentRequestId?: string;
}

export async function listEvents(app: App, caller: Caller, query: EventQuery, page: EventPage): Promise<Page<StoredEvent>> {
  if (query.paymentRequestId) await loadPaymentRequest(app.db.read, caller, query.paymentRequestId);
  return app.db.read.listEvents({ ...query, merchantId: caller.merchantId, livemode: caller.livemode, terminalId: caller.terminalId ?? undefined, source: caller.source }, page);
}
