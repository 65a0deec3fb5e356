// Refunds: reserved on create, captured or cancelled by the POS (a reservation lapses after 24 h),
// Σ ≤ captured, within 30 days of the payment.
import type { FastifyInstance } from 'fastify';
import type { Caller } from '../../../app/context.js';
import { inTransaction, type Work } from '../../../app/unit-of-work.js';
import { cancelRefund, captureRefund, createRefund, getRefund, listRefunds, type RefundActionIntent } from '../../../app/use-cases/refunds.js';
import type { Refund } from '../../../core/refund.js';
import type { MobilePayDeps } from '../deps.js';
import { ANSWERS as a, PARAMS as d } from '../openapi.js';
import * as p from '../params.js';
import { guidOf, renderRefundDetails } from '../render.js';
import { REFUND_STATUS_NAMES } from '../statuses.js';
import { operation } from '../transport.js';

/** MobilePay refunds a payment for 30 days after it was made. */
export const REFUND_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

export function refundRoutes(m: FastifyInstance, deps: MobilePayDeps): void {
  const { app } = deps;

  operation(m, app, { path: '/refund/create', methods: ['GET', 'POST'], operation: 'refund', doc: { id: 'createRefund', summary: 'Refund a Captured payment, in full or in part (Reserved until refund/capture)', tag: 'PointOfSalesRefunds', params: { amount: d.amount, currencyCode: d.currencyCode.optional().describe("The payment's currency when absent"), paymentId: d.paymentId, refundOrderId: d.refundOrderId }, answer: a.refundId } }, async ({ params, caller }) => {
    const input = p.read({ amount: p.amount, currencyCode: p.currencyCode, paymentId: p.paymentId, refundOrderId: p.refundOrderId }, params);
    const id = p.paymentRequestIdOf(input.paymentId);
    const refund = await inTransaction(app, async (unit) => (await createRefund(unit, caller, id, {
      amount: (currency) => p.minorUnits(input.amount, currency), currency: input.currencyCode, reference: input.refundOrderId, captureMode: 'manual', windowMs: REFUND_WINDOW_MS,
    })).refund);
    return { refundId: guidOf(refund.id) };
  });

  const refundIdIn = (params: Record<string, unknown>) => p.refundIdOf(p.read({ refundId: p.refundId }, params).refundId);

  operation(m, app, { path: '/refund/details', operation: 'refund', doc: { id: 'getRefundDetails', summary: "A refund's details", tag: 'PointOfSalesRefunds', params: { refundId: d.refundId }, answer: a.refundDetails } }, async ({ params, caller }) =>
    renderRefundDetails(await getRefund(app, caller, refundIdIn(params))));

  operation(m, app, { path: '/refunds', operation: 'refund', doc: { id: 'listRefunds', summary: 'The refundIds of a payment', tag: 'PointOfSalesRefunds', params: { paymentId: d.paymentId }, answer: a.refundIds } }, async ({ params, caller }) => {
    const { paymentId } = p.read({ paymentId: p.paymentId }, params);
    const refunds = await listRefunds(app, caller, p.paymentRequestIdOf(paymentId), { limit: 100 });
    return { refundIds: refunds.items.map((refund) => guidOf(refund.id)) };
  });

  /** A capture or cancel repeated on a refund already in its outcome answers success, changing nothing. */
  const act = (change: (unit: Work, caller: Caller, id: string, intent: RefundActionIntent) => Promise<Refund>) =>
    async ({ params, caller }: { params: Record<string, unknown>; caller: Caller }) => {
      const id = refundIdIn(params);
      const refund = await inTransaction(app, (unit) => change(unit, caller, id, { again: true }));
      return { status: REFUND_STATUS_NAMES[refund.status] };
    };

  operation(m, app, { path: '/refund/capture', operation: 'refund-capture', doc: { id: 'captureRefund', summary: 'Capture a Reserved refund', tag: 'PointOfSalesRefunds', params: { refundId: d.refundId }, answer: a.refundStatus } }, act(captureRefund));
  operation(m, app, { path: '/refund/cancel', operation: 'refund-cancel', doc: { id: 'cancelRefund', summary: 'Cancel a refund before it is captured', tag: 'PointOfSalesRefunds', params: { refundId: d.refundId }, answer: a.refundStatus } }, act(cancelRefund));
}
