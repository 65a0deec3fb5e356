// The load every fault scenario runs under: workers that each drive one payment request after
// another through create → pay → (capture) → refund, or create → cancel, spread over the posgate
// processes, every call with its own Idempotency-Key and retried with the same key and body until
// it is acknowledged, as a careful POS would. What the gateway acknowledged is recorded, to be
// checked against the database afterwards (./invariants.ts); what it must never answer (a 500, a
// 503 without Retry-After, no answer within the request timeout) is recorded as a violation.
import { randomUUID } from 'node:crypto';

/** Longer than any answer posgate may take; a call still unanswered then is a hang. */
export const REQUEST_TIMEOUT_MS = 15_000;
const RETRY_PAUSE_MS = 150;
/** A call not acknowledged after this long (retries included) is given up: the scenario has failed. */
const CALL_DEADLINE_MS = 40_000;
/** The status of a call given up by abandon(). */
const ABANDONED = -1;

/** Answers after which the same call is tried again: the gateway asked for it, or has not decided yet. */
const RETRY = new Set(['503 service_unavailable', '409 idempotency_in_progress', '409 conflict']);

export interface Acknowledged {
  kind: 'create' | 'pay' | 'capture' | 'refund' | 'cancel';
  requestId: string;
  amount: number;
  reference?: string;
  /** The object the acknowledgement named (the request, or the refund). */
  objectId: string;
}

export interface LoadReport {
  acknowledged: Acknowledged[];
  violations: string[];
  /** Answers by outcome ("201", "503 service_unavailable", "fetch failed", …). */
  outcomes: Map<string, number>;
  /** Flows completed end to end. */
  flows: number;
  /** The longest any one answer took (ms). */
  slowestMs: number;
}

export interface LoadTarget {
  urls: () => string[];
  secretKey: string;
  terminalId: string;
}

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

export function startLoad(target: LoadTarget, options: { workers?: number } = {}) {
  const report: LoadReport = { acknowledged: [], violations: [], outcomes: new Map(), flows: 0, slowestMs: 0 };
  let stopping = false;
  /** Set by abandon(): calls stop retrying (a fault that does not end), which is no violation. */
  let abandoning = false;
  let calls = 0;

  const count = (outcome: string) => report.outcomes.set(outcome, (report.outcomes.get(outcome) ?? 0) + 1);

  /** One call, repeated with the same key until the gateway gives a final answer. */
  async function call(path: string, body: unknown): Promise<{ status: number; body: any }> {
    const key = randomUUID();
    const deadline = Date.now() + CALL_DEADLINE_MS;
    for (let tries = 0; ; tries++) {
      if (abandoning) return { status: ABANDONED, body: null };
      if (Date.now() > deadline) {
        report.violations.push(`POST ${path}: not acknowledged within ${CALL_DEADLINE_MS} ms`);
        return { status: 0, body: null };
      }
      const urls = target.urls();
      const url = urls[calls++ % urls.length]!;
      const started = Date.now();
      let status: number;
      let parsed: any;
      let retryAfter: string | null;
      let retryReplayed = false;
      try {
        const response = await fetch(url + path, {
          method: 'POST',
          headers: { authorization: `Bearer ${target.secretKey}`, 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        status = response.status;
        retryAfter = response.headers.get('retry-after');
        retryReplayed = tries > 0 && response.headers.get('idempotent-replayed') === 'true';
        const text = await response.text();
        report.slowestMs = Math.max(report.slowestMs, Date.now() - started);
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = text;
        }
      } catch (error) {
        const name = (error as Error).name;
        if (name === 'TimeoutError' || name === 'AbortError') report.violations.push(`POST ${path}: no answer within ${Date.now() - started} ms`);
        else report.violations.push(`POST ${path} to ${url}: ${(error as Error).message} (${String((error as { cause?: unknown }).cause)})`);
        count('fetch failed');
        await pause(RETRY_PAUSE_MS);
        continue;
      }
      const outcome = status < 300 ? String(status) : `${status} ${parsed?.code}`;
      count(outcome);
      // a retry answered from the key: an earlier attempt had taken effect without the load knowing
      if (status < 300 && retryReplayed) count('replayed on retry');
      if (status >= 500 && status !== 503) report.violations.push(`POST ${path}: ${status} ${JSON.stringify(parsed)}`);
      if (status === 503 && !retryAfter) report.violations.push(`POST ${path}: 503 without Retry-After`);
      if (status === 503 || RETRY.has(outcome)) {
        await pause(RETRY_PAUSE_MS);
        continue;
      }
      return { status, body: parsed };
    }
  }

  function expectStatus(what: string, answer: { status: number; body: any }, ...statuses: number[]): boolean {
    if (statuses.includes(answer.status)) return true;
    if (answer.status === ABANDONED) return false;
    report.violations.push(`${what}: expected ${statuses.join(' or ')}, got ${answer.status} ${JSON.stringify(answer.body)}`);
    return false;
  }

  async function flow(n: number): Promise<void> {
    const manual = n % 3 === 1;
    const cancelled = n % 5 === 4;
    const amount = 1000 + n;
    const reference = `load-${randomUUID()}`;
    const created = await call('/v1/payment-requests', {
      amount, currency: 'NZD', terminalId: target.terminalId, reference, allowConcurrent: true, captureMode: manual ? 'manual' : 'automatic',
    });
    if (!expectStatus('create', created, 201)) return;
    const id = created.body.id as string;
    report.acknowledged.push({ kind: 'create', requestId: id, amount, reference, objectId: id });
    if (cancelled) {
      const cancel = await call(`/v1/payment-requests/${id}/cancel`, {});
      if (expectStatus('cancel', cancel, 200)) report.acknowledged.push({ kind: 'cancel', requestId: id, amount: 0, objectId: id });
      return;
    }
    const paid = await call(`/v1/sandbox/payment-requests/${id}/pay`, { outcome: 'approve' });
    if (!expectStatus('pay', paid, 200)) return;
    report.acknowledged.push({ kind: 'pay', requestId: id, amount, objectId: id });
    let captured = amount;
    if (manual) {
      captured = amount - 100;
      const capture = await call(`/v1/payment-requests/${id}/capture`, { amount: captured });
      if (!expectStatus('capture', capture, 200)) return;
      report.acknowledged.push({ kind: 'capture', requestId: id, amount: captured, objectId: id });
    }
    for (const [i, part] of [Math.floor(captured / 3), Math.floor(captured / 4)].entries()) {
      const refundReference = `${reference}-r${i}`;
      const refund = await call(`/v1/payment-requests/${id}/refunds`, { amount: part, reference: refundReference });
      if (!expectStatus('refund', refund, 201, 200)) return;
      report.acknowledged.push({ kind: 'refund', requestId: id, amount: part, reference: refundReference, objectId: refund.body.id });
    }
  }

  let next = 0;
  const workers = Array.from({ length: options.workers ?? 6 }, async () => {
    while (!stopping) {
      await flow(next++);
      report.flows++;
    }
  });

  return {
    report,
    /** Acknowledged operations so far. */
    acknowledged: () => report.acknowledged.length,
    /** Lets every worker finish the flow it is in, then resolves with the report. */
    async stop(): Promise<LoadReport> {
      stopping = true;
      await Promise.all(workers);
      return report;
    },
    /** Stops at once: calls still being retried give up (what they did not get acknowledged is not counted). */
    async abandon(): Promise<LoadReport> {
      abandoning = true;
      return this.stop();
    },
  };
}

/** Resolves once `condition()` holds, polling; rejects after `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await condition()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await pause(100);
  }
}
