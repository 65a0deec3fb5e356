// Prometheus metrics of one process: what an operator graphs and pages on. Counters are fed by the
// server, the delivery worker, the change feed and the unit of work; gauges of shared state (the
// webhook backlog, the database pool) are read when /metrics is scraped.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { StoredEvent } from '../app/ports/persistence.js';

/** An API surface as the metrics name it: a dialect's name and where its routes live. */
export interface ApiSurface {
  name: string;
  /** URL prefix of its routes ('' for the native API: /v1 and /admin/v1). */
  prefix: string;
}

export interface WebhookBacklog {
  /** Pending deliveries whose attempt is due now. */
  due: number;
  /** Pending deliveries waiting for a later retry. */
  waiting: number;
  /** When the oldest due delivery was queued (epoch ms), null when none is due. */
  oldestDueCreatedAt: number | null;
}

export interface PoolUse {
  /** What the pool serves (requests, background work). */
  name: string;
  max: number;
  total: number;
  idle: number;
  waiting: number;
}

export interface MetricSources {
  /** The API surfaces (the dialect registry): requests are counted per API. */
  apis?: readonly ApiSurface[];
  /** Read at each scrape. */
  webhookBacklog?: () => Promise<WebhookBacklog>;
  /** The database pools now (PostgreSQL; SQLite has no pool). */
  pool?: () => PoolUse[];
  now?: () => number;
}

export interface Metrics {
  registry: Registry;
  /** `path`: the URL path, which names the API of a request no route matched. */
  observeRequest(route: string, method: string, status: number, seconds: number, path?: string): void;
  observeEvents(events: StoredEvent): void;
  /** One webhook attempt: its HTTP status (null when no answer came), how long it took, and how long since it was queued. */
  observeDelivery(statusCode: number | null, attemptMs?: number, sinceQueuedMs?: number): void;
  /** A transaction retried from scratch after losing a race (a conflict or a unique violation). */
  observeTransactionRetry(reason: string): void;
}

const FINAL = new Set(['payment_request.succeeded', 'payment_request.cancelled', 'payment_request.expired', 'payment_request.failed']);

/** What money an event moved: the stage it reached and the amount (minor units), or null. */
function moneyOf(event: StoredEvent): { status: string; amount: number } | null {
  const data = event.data as unknown as Record<string, unknown>;
  const amount = (field: string) => (typeof data[field] === 'number' ? (data[field] as number) : 0);
  if (event.type === 'payment_request.authorized') return { status: 'authorized', amount: amount('amountAuthorized') };
  if (event.type === 'payment_request.succeeded') return { status: 'captured', amount: amount('amountCaptured') };
  if (event.type === 'refund.succeeded') return { status: 'refunded', amount: amount('amount') };
  return null;
}

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 7200];

export function createMetrics(sources: MetricSources = {}): Metrics {
  const registry = new Registry();
  const now = sources.now ?? Date.now;
  collectDefaultMetrics({ register: registry, prefix: 'posgate_' });
  const requests = new Counter({ name: 'posgate_http_requests_total', help: 'HTTP requests by route, method and status', labelNames: ['route', 'method', 'status'], registers: [registry] });
  const latency = new Histogram({
    name: 'posgate_http_request_duration_seconds', help: 'HTTP request latency by route, method and status',
    labelNames: ['route', 'method', 'status'], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
    registers: [registry],
  });
  const perApi = new Counter({ name: 'posgate_api_requests_total', help: 'Requests per API surface (native, and each provider dialect) and status class; "other": pages, health, docs', labelNames: ['api', 'class'], registers: [registry] });
  const finals = new Counter({ name: 'posgate_payment_requests_final_total', help: 'Payment requests that reached a final status', labelNames: ['status', 'livemode'], registers: [registry] });
  const money = new Counter({ name: 'posgate_money_minor_units_total', help: 'Money moved, in minor units of its currency, by stage (authorized, captured, refunded)', labelNames: ['currency', 'status', 'livemode'], registers: [registry] });
  const attempts = new Counter({ name: 'posgate_webhook_attempts_total', help: 'Webhook delivery attempts by outcome', labelNames: ['outcome'], registers: [registry] });
  const attemptSeconds = new Histogram({ name: 'posgate_webhook_attempt_duration_seconds', help: 'How long one webhook attempt took (connect, send, answer)', labelNames: ['outcome'], buckets: SECONDS, registers: [registry] });
  const deliveredAfter = new Histogram({ name: 'posgate_webhook_delivery_latency_seconds', help: 'From a webhook being queued (its commit) to its delivery (a 2xx answer), retries included', buckets: SECONDS, registers: [registry] });
  const retries = new Counter({ name: 'posgate_transaction_retries_total', help: 'Transactions run again from scratch after losing a race with another writer', labelNames: ['reason'], registers: [registry] });

  const apis = [...(sources.apis ?? [])].sort((a, b) => b.prefix.length - a.prefix.length); // the longest prefix wins
  const native = apis.find((api) => api.prefix === '');
  const apiOf = (route: string): string => {
    for (const api of apis) if (api.prefix !== '' && (route === api.prefix || route.startsWith(`${api.prefix}/`))) return api.name;
    if (native && /^\/(admin\/)?v1(\/|$)/.test(route)) return native.name;
    return 'other';
  };
  // every API appears from the first scrape (at 0), so a rate of a quiet dialect is 0, not absent
  for (const api of [...apis.map((a) => a.name), 'other']) for (const cls of ['2xx', '4xx', '5xx']) perApi.inc({ api, class: cls }, 0);
  for (const reason of ['conflict', 'unique']) retries.inc({ reason }, 0);

  const backlog = sources.webhookBacklog;
  if (backlog) {
    let last: Promise<WebhookBacklog | null> | null = null;
    // one query per scrape for the three gauges. The database away (a restart) fails that query, and
    // must not fail the scrape: the pool and request metrics are what an outage is read by. The
    // gauges then keep their last values, and posgate_webhook_backlog_up says they are stale.
    const read = () => (last ??= backlog().catch(() => null).finally(() => setImmediate(() => (last = null))));
    new Gauge({ name: 'posgate_webhook_backlog_up', help: 'Whether the last scrape could read the webhook backlog (0: the database did not answer; the backlog gauges are stale)', registers: [registry], async collect() { this.set((await read()) === null ? 0 : 1); } });
    const backlogGauge = (name: string, help: string, value: (read: WebhookBacklog) => number) =>
      new Gauge({ name, help, registers: [registry], async collect() { const found = await read(); if (found) this.set(value(found)); } });
    backlogGauge('posgate_webhook_backlog_due', 'Webhook deliveries due now and not yet sent (all processes)', (b) => b.due);
    backlogGauge('posgate_webhook_backlog_waiting', 'Webhook deliveries waiting for a later retry (all processes)', (b) => b.waiting);
    backlogGauge('posgate_webhook_backlog_oldest_age_seconds', 'Age of the oldest webhook delivery that is due and not yet sent (0: none)',
      (b) => (b.oldestDueCreatedAt === null ? 0 : Math.max(0, (now() - b.oldestDueCreatedAt) / 1000)));
  }
  const pool = sources.pool;
  if (pool) {
    const gauge = (name: string, help: string, pick: (use: PoolUse) => number) =>
      new Gauge({ name, help, labelNames: ['pool'], registers: [registry], collect() { for (const use of pool()) this.set({ pool: use.name }, pick(use)); } });
    gauge('posgate_db_pool_max', 'Database connections this process may open (DATABASE_POOL_SIZE)', (u) => u.max);
    gauge('posgate_db_pool_connections', 'Database connections open', (u) => u.total);
    gauge('posgate_db_pool_in_use', 'Database connections checked out by a request or a background task', (u) => u.total - u.idle);
    gauge('posgate_db_pool_waiting', 'Requests waiting for a free database connection', (u) => u.waiting);
  }

  return {
    registry,
    observeDelivery(statusCode, attemptMs, sinceQueuedMs) {
      const outcome = statusCode === null ? 'no_answer' : statusCode >= 200 && statusCode < 300 ? 'delivered' : String(statusCode);
      attempts.inc({ outcome });
      if (attemptMs !== undefined) attemptSeconds.observe({ outcome: outcome === 'delivered' ? 'delivered' : 'failed' }, attemptMs / 1000);
      if (outcome === 'delivered' && sinceQueuedMs !== undefined) deliveredAfter.observe(Math.max(0, sinceQueuedMs) / 1000);
    },
    observeRequest(route, method, status, seconds, path) {
      const labels = { route, method, status: String(status) };
      requests.inc(labels);
      latency.observe(labels, seconds);
      perApi.inc({ api: apiOf(route === 'unmatched' && path ? path : route), class: `${Math.floor(status / 100)}xx` });
    },
    observeEvents(event) {
      if (FINAL.has(event.type)) finals.inc({ status: event.type.slice('payment_request.'.length), livemode: String(event.livemode) });
      const moved = moneyOf(event);
      const currency = (event.data as { currency?: unknown }).currency;
      if (moved && moved.amount > 0 && typeof currency === 'string') money.inc({ currency, status: moved.status, livemode: String(event.livemode) }, moved.amount);
    },
    observeTransactionRetry(reason) {
      retries.inc({ reason });
    },
  };
}
