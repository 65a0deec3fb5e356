import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { StoredEvent } from '../app/ports/persistence.js';

export interface Metrics {
  registry: Registry;
  observeRequest(route: string, method: string, status: number, seconds: number): void;
  observeEvents(events: StoredEvent): void;
  /** One webhook attempt: its HTTP status, or null when no answer came. */
  observeDelivery(statusCode: number | null): void;
}

const FINAL = new Set(['payment_request.succeeded', 'payment_request.cancelled', 'payment_request.expired', 'payment_request.failed']);

/** Prometheus metrics of one process: HTTP traffic by route and status, requests by final status. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'posgate_' });
  const requests = new Counter({ name: 'posgate_http_requests_total', help: 'HTTP requests by route, method and status', labelNames: ['route', 'method', 'status'], registers: [registry] });
  const latency = new Histogram({
    name: 'posgate_http_request_duration_seconds', help: 'HTTP request latency by route, method and status',
    labelNames: ['route', 'method', 'status'], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
    registers: [registry],
  });
  const finals = new Counter({ name: 'posgate_payment_requests_final_total', help: 'Payment requests that reached a final status', labelNames: ['status', 'livemode'], registers: [registry] });
  const attempts = new Counter({ name: 'posgate_webhook_attempts_total', help: 'Webhook delivery attempts by outcome', labelNames: ['outcome'], registers: [registry] });
  return {
    registry,
    observeDelivery(statusCode) {
      const outcome = statusCode === null ? 'no_answer' : statusCode >= 200 && statusCode < 300 ? 'delivered' : String(statusCode);
      attempts.inc({ outcome });
    },
    observeRequest(route, method, status, seconds) {
      const labels = { route, method, status: String(status) };
      requests.inc(labels);
      latency.observe(labels, seconds);
    },
    observeEvents(event) {
      if (FINAL.has(event.type)) finals.inc({ status: event.type.slice('payment_request.'.length), livemode: String(event.livemode) });
    },
  };
}
