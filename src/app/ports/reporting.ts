// The reporting read port: aggregates computed by the database (SUM, COUNT, GROUP BY) so that a
// report over many requests never loads them. Sums are exact integers of minor units.

/** A day of a report: its name (YYYY-MM-DD in the merchant's time zone) and its bounds [from, to) in ms. */
export interface ReportDay {
  date: string;
  from: number;
  to: number;
}

export interface SettlementQuery {
  merchantId: string;
  livemode: boolean;
  /** Consecutive days, oldest first; each row falls in the day whose bounds hold its time. */
  days: readonly ReportDay[];
}

/** One day × currency × channel × terminal. `channel` is null when no channel is recorded. */
export interface SettlementRow {
  date: string;
  currency: string;
  channel: string | null;
  terminalId: string;
  /** Requests that succeeded that day, and the amount they captured. */
  count: number;
  gross: number;
  /** Refunds (voids included) that succeeded that day, of requests that had succeeded. */
  refunded: number;
}

/** Requests created in a span, by currency and status: what the overview counts. */
export interface ActivityRow {
  currency: string;
  status: string;
  count: number;
  /** Σ amount captured. */
  captured: number;
}

export interface ReportingReads {
  settlementRows(query: SettlementQuery): Promise<SettlementRow[]>;
  /** Requests created in [from, to), by currency and status. */
  activity(merchantId: string, livemode: boolean, from: number, to: number): Promise<ActivityRow[]>;
}
