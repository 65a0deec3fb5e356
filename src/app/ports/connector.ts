import type { PaymentRequest } from '../../core/payment-request.js';
import type { Refund } from '../../core/refund.js';

/**
 * The payment channel behind a request: where money actually moves. The sandbox simulates it.
 * Calls run inside the use case's transaction, so an implementation must not block on the
 * network: a real channel records the instruction (outbox) and answers `pending`.
 */
export interface Connector {
  /** Sends a refund to the channel; `succeeded` settles it at once, `pending` waits for the channel. */
  refund(request: PaymentRequest, refund: Refund): Promise<'succeeded' | 'pending' | 'failed'>;
}
