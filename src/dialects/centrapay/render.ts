// Centrapay's shapes, rendered from posgate's one stored request (no second state store).
import { amounts } from '../../core/amounts.js';
import { isActive, type PaymentRequest } from '../../core/payment-request.js';
import { isPreAuth, type CentrapayFields } from './fields.js';

/** What the POS sees as an asset type: Centrapay's sandbox currency assets. */
export const assetTypeOf = (currency: string, livemode: boolean) => `centrapay.${currency.toLowerCase()}.${livemode ? 'main' : 'test'}`;
/** The asset type in words, as an Asset Total's `description`. */
const assetDescriptionOf = (currency: string, livemode: boolean) => `Centrapay ${currency}${livemode ? '' : ' (test)'}`;

export const SHORT_CODE_PREFIX = 'CP-';
export const shortCodeOf = (request: Pick<PaymentRequest, 'shortCode'>) => `${SHORT_CODE_PREFIX}${request.shortCode}`;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const money = (amount: number, currency: string) => ({ amount: String(amount), currency });

export type CentrapayStatus = 'new' | 'paid' | 'cancelled' | 'expired';

export function statusOf(request: PaymentRequest): CentrapayStatus {
  switch (request.status) {
    case 'succeeded':
      return 'paid';
    case 'cancelled':
    case 'failed':
      return 'cancelled';
    case 'expired':
      return request.statusReason === 'authorization_expired' ? 'cancelled' : 'expired';
    default:
      return 'new';
  }
}

const CANCELLATION_REASONS: Record<string, string> = {
  cancelled_by_merchant: 'CANCELLED_BY_MERCHANT',
  voided: 'CANCELLED_BY_MERCHANT',
  released: 'CANCELLED_BY_MERCHANT',
  cancelled_by_patron: 'CANCELLED_BY_PATRON',
  declined_by_merchant: 'DECLINED_BY_MERCHANT',
  declined: 'PAYMENT_DECLINED',
  age_restriction: 'PAYMENT_DECLINED',
  payment_failed: 'PAYMENT_FAILED',
  authorization_expired: 'PAYMENT_REQUEST_EXPIRED',
  expired: 'PAYMENT_REQUEST_EXPIRED',
};

export function cancellationReasonOf(request: PaymentRequest): string | null {
  const status = statusOf(request);
  if (status !== 'cancelled' && status !== 'expired') return null;
  return CANCELLATION_REASONS[request.statusReason ?? ''] ?? 'CANCELLED_BY_MERCHANT';
}


export function preAuthStatusOf(request: PaymentRequest, fields: CentrapayFields): 'authorized' | 'released' | null {
  if (!isPreAuth(fields)) return null;
  if (request.status === 'authorized') return 'authorized';
  return request.amountAuthorized > 0 ? 'released' : null;
}

export interface RenderContext {
  publicUrl: string;
  merchantName: string;
  /** Centrapay's own fields of the request (fields.ts). */
  fields: CentrapayFields;
}

export function renderPaymentRequest(request: PaymentRequest, context: RenderContext) {
  const data = context.fields;
  const amount = request.amount ?? 0;
  // paidBy is what the patron paid and the merchant keeps; remainingAmount what is still due (core/amounts)
  const { paid, due } = amounts(request);
  const assetType = assetTypeOf(request.currency, request.livemode);
  const text = (key: string) => (typeof data[key] === 'string' ? (data[key] as string) : null);
  return {
    id: request.id,
    shortCode: shortCodeOf(request),
    url: `${context.publicUrl}/pay/${request.id}`,
    value: money(amount, request.currency),
    // Centrapay's model: remainingAmount and basketAmount are bignumbers (cents as a string), not Monetary
    remainingAmount: String(due),
    basketAmount: request.basketAmount === null ? null : String(request.basketAmount),
    paymentOptions: [{ assetType, amount: String(amount) }],
    merchantId: request.merchantId,
    merchantName: context.merchantName,
    configId: text('configId'),
    status: statusOf(request),
    liveness: request.livemode ? 'main' : 'test',
    cancellationReason: cancellationReasonOf(request),
    preAuth: isPreAuth(data),
    preAuthStatus: preAuthStatusOf(request, data),
    preAuthExpiresAt: isPreAuth(data) ? iso(request.authorizationExpiresAt) : null,
    // a condition still waiting when its request ended waits for nothing: Centrapay calls it void
    merchantConditions: request.conditions.map((c) => (isActive(request.status) || !c.status.startsWith('awaiting') ? c : { ...c, status: 'void' })),
    conditionsEnabled: request.conditionsEnabled ?? false,
    // Centrapay's Paid By model: one Asset Total per asset type paid with (posgate's sandbox asset: one)
    paidBy: paid > 0 ? { assetTotals: [{ type: assetType, description: assetDescriptionOf(request.currency, request.livemode), total: money(paid, request.currency) }] } : null,
    externalRef: request.externalRef,
    invoiceRef: text('invoiceRef'),
    purchaseOrderRef: text('purchaseOrderRef'),
    terminalId: text('terminalId'),
    deviceId: text('deviceId'),
    operatorId: text('operatorId'),
    barcode: text('barcode'),
    lineItems: Array.isArray(data.lineItems) ? data.lineItems : [],
    patronNotPresent: request.patronNotPresent,
    partialAllowed: request.partialAllowed,
    expirySeconds: typeof data.expirySeconds === 'number' ? data.expirySeconds : Math.round((request.expiresAt - request.createdAt) / 1000),
    createdAt: iso(request.createdAt),
    updatedAt: iso(request.updatedAt),
    expiresAt: iso(request.expiresAt),
  };
}

/** The fields of Centrapay's request summary (its example answer of GET …/{id}/summary). */
export const SUMMARY_FIELDS = [
  'id', 'url', 'merchantName', 'value', 'createdAt', 'expiresAt', 'paymentOptions', 'partialAllowed', 'basketAmount', 'remainingAmount', 'status', 'lineItems', 'liveness',
] as const;

export type RenderedPaymentRequest = ReturnType<typeof renderPaymentRequest>;
export type PaymentRequestSummary = Pick<RenderedPaymentRequest, (typeof SUMMARY_FIELDS)[number]>;

/** A request's summary: those fields of the request as GET renders it, with the same values. */
export function summaryOf(rendered: RenderedPaymentRequest): PaymentRequestSummary {
  return Object.fromEntries(SUMMARY_FIELDS.map((field) => [field, rendered[field]])) as PaymentRequestSummary;
}
