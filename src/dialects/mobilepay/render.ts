// Answers in the wrapper's shapes: amounts as two-decimal strings, GUID ids, MobilePay status names.
import { currencyExponent, minorToDecimal } from '../../core/money.js';
import type { PaymentRequest } from '../../core/payment-request.js';
import type { Refund } from '../../core/refund.js';
import { uuidOfId } from '../../core/uuid-ids.js';
import type { Store, Terminal } from '../../app/ports/persistence.js';
import { paymentStatusOf, REFUND_STATUS_NAMES } from './statuses.js';

/** How often a POS should poll a status: MobilePay's rule of at most one poll per second. */
export const POLL_DELAY_MS = 1000;

export const guidOf = (id: string) => uuidOfId(id) as string;
export const money = (minor: number | null, currency: string) => (minor === null ? null : minorToDecimal(minor, currencyExponent(currency)));

export function renderPaymentDetails(request: PaymentRequest, terminal: Terminal) {
  return {
    paymentId: guidOf(request.id),
    posId: terminal.posId,
    terminalId: terminal.name,
    orderId: request.externalRef,
    amount: money(request.amount, request.currency),
    currencyCode: request.currency,
    status: paymentStatusOf(request),
    reservedAmount: money(request.amountAuthorized, request.currency),
    capturedAmount: money(request.amountCaptured, request.currency),
    refundedAmount: money(request.amountRefunded, request.currency),
    userMinimumAge: request.minimumAge,
    customerToken: null,
    customerReceiptToken: null,
    loyaltyIds: [],
    pollDelayInMs: POLL_DELAY_MS,
  };
}

export function renderRefundDetails(refund: Refund) {
  return {
    refundId: guidOf(refund.id),
    paymentId: guidOf(refund.paymentRequestId),
    refundOrderId: refund.reference,
    amount: money(refund.amount, refund.currency),
    currencyCode: refund.currency,
    status: REFUND_STATUS_NAMES[refund.status],
    pollDelayInMs: POLL_DELAY_MS,
  };
}

/** A 15-digit beacon id, stable for a PoS (MobilePay prints it under the QR sticker). */
function beaconIdOf(posId: string): string {
  return (BigInt(`0x${posId.replace(/-/g, '')}`) % 10n ** 15n).toString().padStart(15, '0');
}

export function renderPosInformation(terminal: Terminal) {
  return {
    beaconId: terminal.posId === null ? null : beaconIdOf(terminal.posId),
    merchantPosId: terminal.name,
    name: terminal.name,
    posId: terminal.posId,
    requirePaymentBeforeCheckin: false,
    storeId: guidOf(terminal.storeId),
    supportedBeaconTypes: ['QR'],
    callbackAlias: null,
  };
}

export function renderStore(store: Store, brandName: string) {
  return { storeId: guidOf(store.id), storeName: store.name, brandName };
}
