// A CLIQ payment by its reference or its payment_code, as of now; one the caller may not see, or
// one not made through CLIQ, is not found.
import type { App, Caller } from '../../app/context.js';
import { getPaymentRequest, listCurrentPaymentRequests } from '../../app/use-cases/payment-requests.js';
import { DomainError } from '../../core/errors.js';
import type { PaymentRequest } from '../../core/payment-request.js';
import { paymentOf, requestOfCode, type CliqPayment } from './fields.js';

export interface Found {
  request: PaymentRequest;
  payment: CliqPayment;
}

export async function findPayment(app: App, caller: Caller, by: { reference?: string; paymentCode?: string }): Promise<Found> {
  const what = by.reference !== undefined ? `reference ${by.reference}` : `payment_code ${by.paymentCode}`;
  const notFound = new DomainError('not_found', `No payment with ${what}.`, by.reference !== undefined ? 'reference' : 'payment_code', { kind: 'payment' });
  let request: PaymentRequest | undefined;
  if (by.reference !== undefined) {
    [request] = (await listCurrentPaymentRequests(app, caller, { reference: by.reference }, { limit: 1 })).items;
  } else {
    const id = await requestOfCode(app.db.read, by.paymentCode ?? '');
    request = id ? await getPaymentRequest(app, caller, id).catch((error: unknown) => {
      if (error instanceof DomainError && error.code === 'not_found') return undefined;
      throw error;
    }) : undefined;
  }
  const payment = request ? await paymentOf(app.db.read, request.id) : null;
  if (!request || !payment) throw notFound;
  return { request, payment };
}
