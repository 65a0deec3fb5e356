// What one API call of each kind costs the database: SQL statements and durable COMMITs, counted
// by bench/sql-counter.ts around one request at a time. The gateway must be in this process and
// idle otherwise (no background loop, no other load), so that everything counted is the call's.
// Used by `npm run bench` (both drivers), `npx tsx bench/statements.ts`, and the test that pins the
// native counts (test/speed/statements.test.ts).
import { countSql, type SqlCount } from './sql-counter.js';

export interface OperationsTarget {
  baseUrl: string;
  /** The demo merchant's test secret key and terminal (native API). */
  secretKey: string;
  terminalId: string;
  /** The demo merchant's Centrapay credentials, for the dialect's rows (left out when absent). */
  centrapay?: { apiKey: string; configId: string };
}

/** The operations measured, in the order printed. */
export const NATIVE_OPERATIONS = ['create', 'pay', 'refund', 'read', 'list'] as const;
export const CENTRAPAY_OPERATIONS = ['centrapay create', 'centrapay pay', 'centrapay refund'] as const;
export type Operation = (typeof NATIVE_OPERATIONS)[number] | (typeof CENTRAPAY_OPERATIONS)[number];

export type OperationCounts = Partial<Record<Operation, SqlCount>>;

async function call(target: string, method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: unknown): Promise<any> {
  const response = await fetch(target + path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`operations: ${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/**
 * One create (native), sandbox pay (approve), partial refund, read and list (the first page), then
 * Centrapay's create, pay and refund; twice, and the second round is the one returned: the first
 * warms what a process reads once (settings, the key cache, a new pool connection).
 */
export async function countOperations(target: OperationsTarget): Promise<OperationCounts> {
  const native = { authorization: `Bearer ${target.secretKey}` };
  let counts: OperationCounts = {};
  for (const round of [1, 2]) {
    counts = {};
    const measure = async <T>(operation: Operation, work: () => Promise<T>): Promise<T> => {
      const { value, count } = await countSql(work);
      counts[operation] = count;
      return value;
    };
    const created = await measure('create', () => call(target.baseUrl, 'POST', '/v1/payment-requests', native, { amount: 1500, currency: 'NZD', terminalId: target.terminalId, allowConcurrent: true }));
    const paid = await measure('pay', () => call(target.baseUrl, 'POST', `/v1/sandbox/payment-requests/${created.id}/pay`, native, { outcome: 'approve' }));
    if (paid.status !== 'succeeded') throw new Error(`operations: the sandbox payment left ${created.id} ${paid.status}, expected succeeded`);
    await measure('refund', () => call(target.baseUrl, 'POST', `/v1/payment-requests/${created.id}/refunds`, native, { amount: 500, reference: `r-${round}` }));
    await measure('read', () => call(target.baseUrl, 'GET', `/v1/payment-requests/${created.id}`, native));
    await measure('list', () => call(target.baseUrl, 'GET', '/v1/payment-requests', native));
    const centrapay = target.centrapay;
    if (!centrapay) continue;
    const cp = { 'x-api-key': centrapay.apiKey };
    const request = await measure('centrapay create', () => call(target.baseUrl, 'POST', '/centrapay/api/payment-requests', cp, { configId: centrapay.configId, value: { amount: '1050', currency: 'NZD' } }));
    await measure('centrapay pay', () => call(target.baseUrl, 'POST', `/centrapay/api/payment-requests/${request.id}/pay`, cp, { assetType: 'centrapay.nzd.test', idempotencyKey: `pay-${round}` }));
    await measure('centrapay refund', () => call(target.baseUrl, 'POST', `/centrapay/api/payment-requests/${request.id}/refund`, cp, { value: { amount: '500', currency: 'NZD' }, externalRef: `refund-${round}` }));
  }
  return counts;
}

/** One line per operation: statements and commits (and round trips, where there are any), one column per set-up. */
export function operationsTable(columns: Array<{ title: string; counts: OperationCounts }>): string {
  const operations = [...NATIVE_OPERATIONS, ...CENTRAPAY_OPERATIONS].filter((op) => columns.some((c) => c.counts[op]));
  const cell = (c: SqlCount | undefined) => (c ? `${c.statements} / ${c.commits}${c.roundTrips > 0 ? ` / ${c.roundTrips}` : ''}` : '–');
  const title = 'statements / commits / round trips';
  const first = Math.max(title.length, ...operations.map((op) => op.length)) + 2;
  const width = Math.max(...columns.map((c) => c.title.length), 12) + 4;
  return [
    `${title.padEnd(first)}${columns.map((c) => c.title.padStart(width)).join('')}`,
    ...operations.map((op) => `${op.padEnd(first)}${columns.map((c) => cell(c.counts[op]).padStart(width)).join('')}`),
  ].join('\n');
}
