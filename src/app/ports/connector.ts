import type { PaymentRequest } from '../../core/payment-request.js';
import type { Refund } from '../../core/refund.js';

/** The payment channel behind a request: where money actually moves. The sandbox simulates it. */
export interface Connector {
  /** Sends a refund to the channel; `succeeded` settles it at once, `pending` waits for the channel. */
  refund(request: PaymentRequest, refund: Refund): Promise<'succeeded' | 'pending' | 'failed'>;
}
