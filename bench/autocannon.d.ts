// Just enough types for the autocannon API the bench uses (the package ships none,
// and @types/autocannon is not a dependency).
declare module 'autocannon' {
  namespace autocannon {
    interface Histogram {
      average: number;
      mean: number;
      stddev: number;
      min: number;
      max: number;
      total: number;
      p50: number;
      p90: number;
      p97_5: number;
      p99: number;
    }
    interface Options {
      url: string;
      method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
      headers?: Record<string, string>;
      body?: string;
      connections?: number;
      /** Seconds. */
      duration?: number;
      /** Fire the requests from this many worker threads instead of the calling thread. */
      workers?: number;
      warmup?: { connections?: number; duration?: number };
      /** Seconds before a request counts as timed out. */
      timeout?: number;
      /** A module path in workers mode: `module.exports = (client) => …`, called for each client. */
      setupClient?: string;
      /** Anything else is passed through to the workers (bench/slow-responses.cjs reads `slowResponses`). */
      [extra: string]: unknown;
    }
    interface Result {
      duration: number;
      errors: number;
      timeouts: number;
      non2xx: number;
      '2xx': number;
      statusCodeStats: Record<string, { count: number }>;
      requests: Histogram & { sent: number };
      latency: Histogram & { totalCount: number };
    }
  }
  function autocannon(options: autocannon.Options): Promise<autocannon.Result>;
  export = autocannon;
}
