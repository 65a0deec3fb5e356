// Reads shared by the routes: a request rendered with its merchant's name, and its activities.
import type { ReadTx, StoredEvent } from '../../app/ports/persistence.js';
import { requireMerchant } from '../../app/use-cases/merchants.js';
import type { PaymentRequest } from '../../core/payment-request.js';
import { activitiesOf, type Activity } from './activities.js';
import type { CentrapayDeps } from './deps.js';
import { fieldsOf, type CentrapayFields } from './fields.js';
import { renderPaymentRequest } from './render.js';

/** A request has few events; this bounds the read all the same. */
const MAX_EVENTS = 1000;

/** What an answer is rendered from: read in the action's own transaction, so it sees its writes. */
export interface RequestView {
  request: PaymentRequest;
  merchantName: string;
  events: StoredEvent[];
  fields: CentrapayFields;
}

export async function viewOf(tx: ReadTx, request: PaymentRequest): Promise<RequestView> {
  const merchant = await requireMerchant(tx, request.merchantId);
  const events = await tx.listEvents({ merchantId: request.merchantId, livemode: request.livemode, paymentRequestId: request.id }, { limit: MAX_EVENTS });
  return { request, merchantName: merchant.name, events: events.items, fields: await fieldsOf(tx, request.id) };
}

export const renderView = (deps: CentrapayDeps, view: RequestView) =>
  renderPaymentRequest(view.request, { publicUrl: deps.publicUrl, merchantName: view.merchantName, fields: view.fields });

export async function renderRequest(deps: CentrapayDeps, request: PaymentRequest) {
  const merchant = await requireMerchant(deps.app.db.read, request.merchantId);
  return renderPaymentRequest(request, { publicUrl: deps.publicUrl, merchantName: merchant.name, fields: await fieldsOf(deps.app.db.read, request.id) });
}

export const activitiesOfView = (view: RequestView): Activity[] => activitiesOf(view.request, view.events, view.fields);

/** The activity an event made (e.g. the refund.created of one refund). */
export function activityOfEvent(view: RequestView, matches: (event: StoredEvent) => boolean): Activity | null {
  const event = view.events.filter(matches).at(-1);
  return event ? (activitiesOfView(view).find((a) => a.id === event.id) ?? null) : null;
}

/** The newest activity of one of these types: what an action answers with. */
export const latestActivity = (view: RequestView, types: string[]): Activity | null =>
  activitiesOfView(view).filter((a) => types.includes(a.type)).at(-1) ?? null;
