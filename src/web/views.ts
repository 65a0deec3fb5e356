// What the patron-facing pages may see of a request, a terminal's display and a sandbox patron:
// integer minor units with the currency's exponent (formatted in the browser), never a merchant
// id, key, metadata, reference or webhook URL.
import type { LineItem, PaymentRequest } from '../core/payment-request.js';
import * as pr from '../core/payment-request.js';
import { amounts } from '../core/amounts.js';
import { currencyExponent } from '../core/money.js';
import type { DisplayView, PatronPage, PublicView } from '../app/use-cases/patron-side.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** A phone number as the page shows it back: only the last four digits. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length <= 4) return phone;
  return `${phone.startsWith('+') ? '+' : ''}${'•'.repeat(digits.length - 4)}${digits.slice(-4)}`;
}

/** The chosen channel's instructions, minus what a bystander with the link should not read. */
export function publicMethodDetails(details: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!details) return null;
  if (details.channel === 'mobile_money' && typeof details.phone === 'string') {
    const masked = maskPhone(details.phone);
    const prompt = typeof details.prompt === 'string' ? details.prompt.split(details.phone).join(masked) : details.prompt;
    return { ...details, phone: masked, prompt };
  }
  return { ...details };
}

function publicLineItems(items: LineItem[] | null) {
  return items?.map((item) => ({
    name: item.name,
    quantity: item.quantity,
    unitAmount: item.unitAmount,
    discountAmount: item.discountAmount ?? 0,
    total: pr.lineItemTotal(item),
    restricted: item.restricted ?? false,
  })) ?? [];
}

/** The amounts the pages show: `remaining` is what is outstanding (amount − received), whatever the status. */
function publicAmounts(request: PaymentRequest) {
  const { outstanding: remaining, overpaid: overpaidAmount } = amounts(request);
  return {
    amount: request.amount,
    currency: request.currency,
    exponent: currencyExponent(request.currency),
    amountReceived: request.amountReceived,
    remaining,
    overpaid: request.overpaid || overpaidAmount > 0,
    overpaidAmount,
  };
}

export type StatusKey = 'waiting' | 'paid' | 'expired' | 'cancelled' | 'declined' | 'failed';

/** What the patron reads about a status: one of the words the pages promise, and a little more. */
export function statusInfo(request: Pick<PaymentRequest, 'status' | 'statusReason' | 'amountReceived' | 'amount'>): { key: StatusKey; text: string } {
  switch (request.status) {
    case 'prepared':
      return { key: 'waiting', text: 'Waiting for payment: the merchant is still adding up the amount' };
    case 'created':
    case 'pending':
      return { key: 'waiting', text: request.amountReceived > 0 ? 'Waiting for payment: part paid' : 'Waiting for payment' };
    case 'authorized':
      return { key: 'paid', text: 'Paid: the merchant completes the payment' };
    case 'succeeded':
      return { key: 'paid', text: 'Paid. Thank you!' };
    case 'expired':
      return { key: 'expired', text: request.statusReason === 'authorization_expired' ? 'Expired: the merchant did not complete the payment in time' : 'Expired: this payment request ran out of time' };
    case 'cancelled':
      if (request.statusReason === 'voided') return { key: 'cancelled', text: 'Cancelled: the merchant voided the payment' };
      return { key: 'cancelled', text: request.statusReason === 'cancelled_by_patron' ? 'Cancelled by the patron' : 'Cancelled by the merchant' };
    case 'failed':
      if (request.statusReason === 'age_restriction') return { key: 'declined', text: 'Declined: age-restricted items' };
      if (request.statusReason === 'declined') return { key: 'declined', text: 'Declined' };
      return { key: 'failed', text: 'Failed: the payment did not go through' };
  }
}

/** The pay page's state: GET /pay/:id/state and the page's first render. */
export function publicState(view: PublicView) {
  const r = view.request;
  return {
    id: r.id,
    object: 'pay_page_state' as const,
    livemode: r.livemode,
    merchant: { name: view.merchant.name },
    description: r.description,
    shortCode: r.shortCode,
    ...publicAmounts(r),
    lineItems: publicLineItems(r.lineItems),
    status: r.status,
    statusReason: r.statusReason,
    statusKey: statusInfo(r).key,
    statusText: statusInfo(r).text,
    partialAllowed: r.partialAllowed,
    basketAmount: r.basketAmount,
    expiresAt: iso(r.expiresAt),
    now: iso(view.now),
    paymentMethod: r.paymentMethod,
    paymentMethodDetails: publicMethodDetails(r.methodDetails),
    allowedMethods: view.channels,
    redirectUrl: r.redirectUrl,
    version: r.version,
  };
}
export type PublicState = ReturnType<typeof publicState>;

export const DISPLAY_STATES = ['idle', 'active', 'paid', 'declined', 'cancelled', 'expired', 'failed'] as const;
export type DisplayState = (typeof DISPLAY_STATES)[number];

/** What the customer display shows for a request (or idle for none). */
export function displayStateOf(request: PaymentRequest | null): DisplayState {
  if (!request) return 'idle';
  switch (request.status) {
    case 'prepared':
    case 'created':
    case 'pending':
      return 'active';
    case 'authorized':
    case 'succeeded':
      return 'paid';
    case 'failed':
      return request.statusReason === 'declined' || request.statusReason === 'age_restriction' ? 'declined' : 'failed';
    case 'cancelled':
      return 'cancelled';
    case 'expired':
      return 'expired';
  }
}

const DISPLAY_MESSAGES: Record<DisplayState, string> = {
  idle: 'Welcome',
  active: 'Scan to pay',
  paid: 'Paid. Thank you!',
  declined: 'Payment declined',
  cancelled: 'Payment cancelled',
  expired: 'Payment expired',
  failed: 'Payment failed',
};

/** What a display long-poll waits to see move on: the state, the request and its version. */
export function displayVersion(request: PaymentRequest | null): string {
  return request ? `${displayStateOf(request)}:${request.id}:${request.version}` : 'idle';
}

/** The display's state: GET /display/:terminalId/state. `payQrSvg` only while a request is active. */
export function displayState(view: DisplayView, links: { payUrl: string | null; payQrSvg: string | null }) {
  const state = displayStateOf(view.request);
  const r = view.request;
  return {
    object: 'display_state' as const,
    state,
    message: DISPLAY_MESSAGES[state],
    version: displayVersion(r),
    terminal: { id: view.terminal.id, name: view.terminal.name },
    merchant: { name: view.merchant.name },
    now: iso(view.now),
    request: r
      ? {
          id: r.id,
          livemode: r.livemode,
          ...publicAmounts(r),
          status: r.status,
          statusReason: r.statusReason,
          statusText: statusInfo(r).text,
          shortCode: r.shortCode,
          lineItems: publicLineItems(r.lineItems),
          expiresAt: iso(r.expiresAt),
          payUrl: links.payUrl,
        }
      : null,
    payQrSvg: state === 'active' ? links.payQrSvg : null,
  };
}
export type DisplayStateJson = ReturnType<typeof displayState>;

/** A request pushed to a patron as of `now`: past its expiry it shows as expired even before the sweep. */
function asOf(request: PaymentRequest, now: number): PaymentRequest {
  return pr.expireIfDue(request, now)?.request ?? request;
}

/** What a patron page long-poll waits to see move on: the code, and each request's version and status. */
export function patronVersion(view: PatronPage): string {
  return `${view.code.code}|${view.requests.map((r) => asOf(r, view.now)).map((r) => `${r.id}@${r.version}:${r.status}`).join(',')}`;
}

/** The sandbox patron page's state: GET /patron/:id/state. */
export function patronState(view: PatronPage, merchantName: string, codeImages: { qrSvg: string; barcodeSvg: string }) {
  const requests = view.requests.map((request) => {
    const current = asOf(request, view.now);
    return {
      id: current.id,
      ...publicAmounts(current),
      description: current.description,
      status: current.status,
      statusReason: current.statusReason,
      statusText: statusInfo(current).text,
      actionable: (current.status === 'created' || current.status === 'pending') && current.amount !== null && !current.livemode,
      expiresAt: iso(current.expiresAt),
      version: current.version,
    };
  });
  return {
    object: 'patron_page_state' as const,
    patron: { id: view.patron.id, name: view.patron.name },
    merchant: { name: merchantName },
    code: view.code.code,
    codeExpiresAt: iso(view.code.expiresAt),
    now: iso(view.now),
    qrSvg: codeImages.qrSvg,
    barcodeSvg: codeImages.barcodeSvg,
    requests,
    version: patronVersion(view),
  };
}
export type PatronStateJson = ReturnType<typeof patronState>;
