// What every fault scenario checks afterwards, straight from the database: every acknowledged
// operation is there, none was applied twice, the running totals stay within each other, and every
// committed event reached the test's webhook receiver (at least once, always under its own id).
import { runCli } from '../../src/cli/program.js';
import { REFUND_RESERVING_STATUSES } from '../../src/core/refund.js';
import type { Receiver } from '../support/receiver.js';
import type { LoadReport } from './load.js';

export type Query = <T = any>(text: string) => Promise<T[]>;

interface RequestRow {
  id: string;
  status: string;
  amount: number;
  amount_authorized: number;
  amount_captured: number;
  amount_refunded: number;
  reference: string | null;
}

/** Returns one line per broken guarantee (empty: all hold). */
export async function checkInvariants(query: Query, report: LoadReport): Promise<string[]> {
  const problems: string[] = [];
  const requests = new Map<string, RequestRow>();
  for (const r of await query<RequestRow>('select id, status, amount, amount_authorized, amount_captured, amount_refunded, reference from payment_requests')) {
    requests.set(r.id, { ...r, amount: Number(r.amount), amount_authorized: Number(r.amount_authorized), amount_captured: Number(r.amount_captured), amount_refunded: Number(r.amount_refunded) });
  }
  const refunds = await query<{ id: string; payment_request_id: string; amount: number; reference: string; status: string }>('select id, payment_request_id, amount, reference, status from refunds');
  const events = await query<{ object_id: string; type: string; sequence: number }>('select object_id, type, sequence from events');

  // Σ captures ≤ authorized and Σ refunds ≤ captured, the totals agreeing with the refund rows
  // (those that hold their amount: a failed, cancelled or expired refund gave it back)
  const refundedByRequest = new Map<string, number>();
  for (const f of refunds.filter((r) => (REFUND_RESERVING_STATUSES as readonly string[]).includes(r.status))) refundedByRequest.set(f.payment_request_id, (refundedByRequest.get(f.payment_request_id) ?? 0) + Number(f.amount));
  for (const r of requests.values()) {
    if (r.amount_captured > r.amount_authorized) problems.push(`${r.id}: captured ${r.amount_captured} > authorized ${r.amount_authorized}`);
    if (r.amount_refunded > r.amount_captured) problems.push(`${r.id}: refunded ${r.amount_refunded} > captured ${r.amount_captured}`);
    const rows = refundedByRequest.get(r.id) ?? 0;
    if (rows > r.amount_captured) problems.push(`${r.id}: refund rows sum to ${rows} > captured ${r.amount_captured}`);
  }

  // every acknowledged operation is there, exactly once
  const ackedRefunds = new Map<string, number>();
  for (const ack of report.acknowledged) {
    const r = requests.get(ack.requestId);
    if (!r) {
      problems.push(`acknowledged ${ack.kind} of ${ack.requestId}: no such request in the database`);
      continue;
    }
    if (ack.kind === 'create' && (r.reference !== ack.reference || r.amount !== ack.amount)) problems.push(`${r.id}: created as ${ack.reference}/${ack.amount}, stored as ${r.reference}/${r.amount}`);
    if (ack.kind === 'capture' && r.amount_captured !== ack.amount) problems.push(`${r.id}: capture of ${ack.amount} acknowledged, ${r.amount_captured} captured`);
    if (ack.kind === 'cancel' && r.status !== 'cancelled') problems.push(`${r.id}: cancel acknowledged, status ${r.status}`);
    if (ack.kind === 'refund') {
      const row = refunds.find((f) => f.id === ack.objectId);
      if (!row || Number(row.amount) !== ack.amount || row.reference !== ack.reference) problems.push(`${r.id}: refund ${ack.objectId} of ${ack.amount} acknowledged, stored as ${JSON.stringify(row)}`);
      ackedRefunds.set(r.id, (ackedRefunds.get(r.id) ?? 0) + 1);
    }
  }
  for (const [id, count] of ackedRefunds) {
    const stored = refunds.filter((f) => f.payment_request_id === id).length;
    if (stored !== count) problems.push(`${id}: ${count} refunds acknowledged, ${stored} stored`);
  }

  // no transition applied twice: each object's events are numbered 1..n, and each kind happens once
  const byObject = new Map<string, { sequences: number[]; types: string[] }>();
  for (const e of events) {
    const entry = byObject.get(e.object_id) ?? { sequences: [], types: [] };
    entry.sequences.push(Number(e.sequence));
    entry.types.push(e.type);
    byObject.set(e.object_id, entry);
  }
  for (const [id, { sequences, types }] of byObject) {
    sequences.sort((a, b) => a - b);
    if (sequences.some((s, i) => s !== i + 1)) problems.push(`${id}: event sequence ${sequences.join(',')}`);
    const repeated = types.filter((t, i) => types.indexOf(t) !== i);
    if (repeated.length > 0) problems.push(`${id}: events ${repeated.join(', ')} more than once`);
  }
  return problems;
}

/** The committed events that have not reached the receiver yet. */
export async function undelivered(query: Query, receiver: Receiver): Promise<string[]> {
  const received = new Set(receiver.received.map((r) => String(r.headers['webhook-id'])));
  const events = await query<{ id: string }>('select id from events');
  return events.map((e) => e.id).filter((id) => !received.has(id));
}

/** `posgate verify` against the same database: every running total agrees with its rows. */
export async function verifyExitCode(env: Record<string, string>): Promise<{ code: number; output: string }> {
  let output = '';
  const io = { stdout: (text: string) => void (output += text), stderr: (text: string) => void (output += text), env };
  return { code: await runCli(['node', 'posgate', 'verify'], io), output };
}
