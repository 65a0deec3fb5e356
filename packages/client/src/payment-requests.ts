// paymentRequests and refunds: the calls a POS makes for a sale.
import { PosgateError } from './errors.js';
import type { RequestOptions, Transport } from './transport.js';
import {
  FINAL_STATUSES, type CancelParams, type CaptureParams, type CreatePaymentRequestParams, type CreateRefundParams,
  type ListPaymentRequestsParams, type Page, type PaymentRequest, type ReadyParams, type Refund,
} from './types.js';

const PR = '/v1/payment-requests';
const id = (value: string) => encodeURIComponent(value);

/** Follows `nextCursor` across pages, yielding each item: `for await (const x of list(...))`. */
export async function* paginate<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    yield* page.data;
    cursor = page.hasMore && page.nextCursor ? page.nextCursor : undefined;
  } while (cursor);
}

export interface WaitOptions {
  /** Give up after this long (default 5 minutes): a PosgateError with code `timeout`. */
  timeoutMs?: number;
  /** Stops waiting at once (the long-poll in flight too): the call rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Tries after the first of each read (default: the client's). */
  maxRetries?: number;
}

/** Where a wait ends: the final statuses, and the one that waits for the caller's own capture. */
const WAIT_ENDS_AT: readonly PaymentRequest['status'][] = [...FINAL_STATUSES, 'authorized'];

export class PaymentRequests {
  constructor(private readonly transport: Transport, private readonly now: () => number) {}

  create(params: CreatePaymentRequestParams, options?: RequestOptions): Promise<PaymentRequest> {
    return this.transport.request({ method: 'POST', path: PR, body: params }, options);
  }

  retrieve(paymentRequestId: string, options?: RequestOptions): Promise<PaymentRequest> {
    return this.transport.request({ method: 'GET', path: `${PR}/${id(paymentRequestId)}` }, options);
  }

  /** By the code a patron reads out (any case, dashes optional). */
  retrieveByShortCode(shortCode: string, options?: RequestOptions): Promise<PaymentRequest> {
    return this.transport.request({ method: 'GET', path: `/v1/short-codes/${id(shortCode)}` }, options);
  }

  /** Newest first, every page: `for await (const request of posgate.paymentRequests.list({ status: 'pending' }))`. */
  list(params: ListPaymentRequestsParams = {}, options?: RequestOptions): AsyncGenerator<PaymentRequest> {
    return paginate((cursor) => this.transport.request<Page<PaymentRequest>>({ method: 'GET', path: PR, query: { ...params, cursor } }, options));
  }

  cancel(paymentRequestId: string, params: CancelParams = {}, options?: RequestOptions): Promise<PaymentRequest> {
    return this.transport.request({ method: 'POST', path: `${PR}/${id(paymentRequestId)}/cancel`, body: params }, options);
  }

  capture(paymentRequestId: string, params: CaptureParams = {}, options?: RequestOptions): Promise<PaymentRequest> {
    return this.transport.request({ method: 'POST', path: `${PR}/${id(paymentRequestId)}/capture`, body: params }, options);
  }

  ready(paymentRequestId: string, params: ReadyParams, options?: RequestOptions): Promise<PaymentRequest> {
    return this.transport.request({ method: 'POST', path: `${PR}/${id(paymentRequestId)}/ready`, body: params }, options);
  }

  void(paymentRequestId: string, options?: RequestOptions): Promise<PaymentRequest> {
    return this.transport.request({ method: 'POST', path: `${PR}/${id(paymentRequestId)}/void`, body: {} }, options);
  }

  /**
   * Resolves once the request is final (succeeded, cancelled, expired, failed), or authorized (a
   * manual capture: the patron has paid, and nothing more happens until the POS captures or
   * cancels), by long-polling (`waitSeconds`): the server answers as soon as the status changes.
   */
  async waitUntilFinal(paymentRequestId: string, options: WaitOptions = {}): Promise<PaymentRequest> {
    const deadline = this.now() + (options.timeoutMs ?? 300_000);
    const { signal, maxRetries } = options;
    let request = await this.retrieve(paymentRequestId, { signal, maxRetries });
    while (!WAIT_ENDS_AT.includes(request.status)) {
      const left = deadline - this.now();
      if (left <= 0) {
        throw new PosgateError({ message: `${paymentRequestId} is still ${request.status} after ${options.timeoutMs ?? 300_000} ms`, code: 'timeout', status: 0, body: request });
      }
      const waitSeconds = Math.max(1, Math.min(60, Math.ceil(left / 1000)));
      request = await this.transport.request<PaymentRequest>(
        { method: 'GET', path: `${PR}/${id(paymentRequestId)}`, query: { waitSeconds, unlessStatus: request.status } },
        // the call's own timeout leaves room for the server's wait
        { timeoutMs: waitSeconds * 1000 + 30_000, signal, maxRetries },
      );
    }
    return request;
  }
}

export class Refunds {
  constructor(private readonly transport: Transport) {}

  create(paymentRequestId: string, params: CreateRefundParams, options?: RequestOptions): Promise<Refund> {
    return this.transport.request({ method: 'POST', path: `${PR}/${id(paymentRequestId)}/refunds`, body: params }, options);
  }

  retrieve(refundId: string, options?: RequestOptions): Promise<Refund> {
    return this.transport.request({ method: 'GET', path: `/v1/refunds/${id(refundId)}` }, options);
  }

  /** A request's refunds, oldest first, every page. */
  list(paymentRequestId: string, options?: RequestOptions): AsyncGenerator<Refund> {
    return paginate((cursor) => this.transport.request<Page<Refund>>({ method: 'GET', path: `${PR}/${id(paymentRequestId)}/refunds`, query: { cursor } }, options));
  }

  capture(refundId: string, options?: RequestOptions): Promise<Refund> {
    return this.transport.request({ method: 'POST', path: `/v1/refunds/${id(refundId)}/capture`, body: {} }, options);
  }

  cancel(refundId: string, options?: RequestOptions): Promise<Refund> {
    return this.transport.request({ method: 'POST', path: `/v1/refunds/${id(refundId)}/cancel`, body: {} }, options);
  }
}
