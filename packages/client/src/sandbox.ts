// sandbox: acting as the patron and moving the test clock (test-mode keys only).
import type { RequestOptions, Transport } from './transport.js';
import type { CheckIn, CheckInParams, CreatePatronParams, Patron, PaymentRequest, Refund, RefundOutcomeParams, SandboxPayParams, TestClock } from './types.js';

const id = (value: string) => encodeURIComponent(value);

export class Sandbox {
  constructor(private readonly transport: Transport) {}

  /** Pays (or declines, cancels, fails) as the patron; an amount below what is due is a partial payment. */
  pay(paymentRequestId: string, params: SandboxPayParams, options?: RequestOptions): Promise<PaymentRequest> {
    return this.transport.request({ method: 'POST', path: `/v1/sandbox/payment-requests/${id(paymentRequestId)}/pay`, body: params }, options);
  }

  checkIn(terminalId: string, params: CheckInParams = {}, options?: RequestOptions): Promise<CheckIn> {
    return this.transport.request({ method: 'POST', path: `/v1/sandbox/terminals/${id(terminalId)}/check-in`, body: params }, options);
  }

  createPatron(params: CreatePatronParams = {}, options?: RequestOptions): Promise<Patron> {
    return this.transport.request({ method: 'POST', path: '/v1/sandbox/patrons', body: params }, options);
  }

  retrievePatron(patronId: string, options?: RequestOptions): Promise<Patron> {
    return this.transport.request({ method: 'GET', path: `/v1/sandbox/patrons/${id(patronId)}` }, options);
  }

  retrieveClock(options?: RequestOptions): Promise<TestClock> {
    return this.transport.request({ method: 'GET', path: '/v1/sandbox/clock' }, options);
  }

  /** Moves the test clock forward and runs what falls due (expiries, webhook retries). */
  advanceClock(seconds: number, options?: RequestOptions): Promise<TestClock> {
    return this.transport.request({ method: 'POST', path: '/v1/sandbox/clock/advance', body: { seconds } }, options);
  }

  /** Settles a refund the sandbox channel left pending (a crypto return): succeeded or failed. */
  refundOutcome(refundId: string, params: RefundOutcomeParams, options?: RequestOptions): Promise<Refund> {
    return this.transport.request({ method: 'POST', path: `/v1/sandbox/refunds/${id(refundId)}/outcome`, body: params }, options);
  }

  /** The payment request behind any id or reference any dialect returned. */
  resolve(ref: string, options?: RequestOptions): Promise<{ id: string }> {
    return this.transport.request({ method: 'POST', path: '/v1/sandbox/resolve', body: { ref } }, options);
  }
}
