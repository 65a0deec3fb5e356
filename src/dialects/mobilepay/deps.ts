import type { App } from '../../app/context.js';

export interface MobilePayDeps {
  app: App;
  /** Base URL patrons and POS reach (read per request: known once listening). */
  readonly publicUrl: string;
  /** A payment not Reserved this long after it started is CancelledByMobilePay. */
  paymentTimeoutSeconds: number;
}
