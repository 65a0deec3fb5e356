// Making an invoice (createInvoice, and payNow's first half): a GHS payment request on the app's
// terminal whose reference is the merchantOrderId, with Kowri's own fields in a dialect record.
import type { Work } from '../../app/unit-of-work.js';
import { createPaymentRequest, loadCurrent } from '../../app/use-cases/payment-requests.js';
import { DomainError } from '../../core/errors.js';
import { sumMinor } from '../../core/money.js';
import type { PaymentRequest } from '../../core/payment-request.js';
import { fingerprint } from '../shared/idempotency.js';
import { CURRENCY } from './amounts.js';
import type { KowriCaller } from './credentials.js';
import { invoiceOf, saveInvoice, saveReturn, type Invoice, type InvoiceItem } from './records.js';
import { plainInvoice } from './render.js';
import type { CreateInvoiceInput } from './schemas.js';

/** Kowri invoices stay payable this long (Kowri documents no expiry; posgate's requests need one). */
export const INVOICE_TTL_SECONDS = 24 * 3600;

export const returnUrlOf = (publicUrl: string, token: string) => `${publicUrl}/kowri/webpos/return/${token}`;

type InvoiceFields = Omit<CreateInvoiceInput, 'requestId' | 'appReference' | 'secret'>;

/** The amount: as sent, or Σ subTotal of the items, each subTotal = unitPrice × quantity exactly. */
export function amountOf(input: Pick<InvoiceFields, 'amount' | 'invoiceItems'>): number {
  const items = input.invoiceItems ?? [];
  for (const [index, item] of items.entries()) {
    if (BigInt(item.unitPrice) * BigInt(item.quantity) !== BigInt(item.subTotal))
      throw new DomainError('line_items_mismatch', `invoiceItems.${index}.subTotal must be unitPrice × quantity exactly.`, `invoiceItems.${index}.subTotal`);
  }
  if (items.length === 0) {
    if (input.amount === undefined) throw new DomainError('parameter_missing', 'amount or invoiceItems is required.', 'amount');
    return input.amount;
  }
  const total = sumMinor(items.map((item) => item.subTotal));
  if (total === null) throw new DomainError('amount_invalid', 'The invoice items add up to more than the largest amount.', 'invoiceItems');
  if (input.amount !== undefined && input.amount !== total)
    throw new DomainError('line_items_mismatch', 'amount must equal the sum of the invoice items\' subTotal.', 'amount');
  return total;
}

function itemsOf(input: InvoiceFields): InvoiceItem[] | null {
  if (!input.invoiceItems) return null;
  return input.invoiceItems.map((item) => ({
    code: item.code ?? null, name: item.name, description: item.description ?? null, imgUrl: item.imgUrl === undefined || item.imgUrl === '' ? null : item.imgUrl, // "": no image
    unitPrice: item.unitPrice, quantity: item.quantity, subTotal: item.subTotal,
  }));
}

/** The per-request callback URL (metadata webhookUrl), checked as a URL. */
export function webhookUrlOf(input: Pick<InvoiceFields, 'metadata'>): string | undefined {
  const entry = input.metadata?.find((m) => m.key === 'webhookUrl');
  if (!entry) return undefined;
  if (!URL.canParse(entry.value) || !/^https?:$/.test(new URL(entry.value).protocol))
    throw new DomainError('parameter_invalid', 'metadata webhookUrl must be an http(s) URL.', 'metadata');
  return entry.value;
}

/** A new invoice, or the one this merchantOrderId already names (any body: Kowri returns the existing invoice). */
export async function makeInvoice(unit: Work, who: KowriCaller, input: InvoiceFields & { merchantOrderId: string }, publicUrl: string): Promise<{ request: PaymentRequest; invoice: Invoice }> {
  const amount = amountOf(input);
  const items = itemsOf(input);
  const token = input.callbackUrl ? unit.app.ids.secret('', 24) : null;
  const { request, replayedByReference } = await createPaymentRequest(unit, who.caller, {
    amount, currency: CURRENCY, terminalId: who.app.terminalId, reference: input.merchantOrderId,
    description: input.description ?? input.reference,
    lineItems: items?.map((item) => ({ name: item.name, ...(item.code ? { sku: item.code } : {}), quantity: item.quantity, unitAmount: item.unitPrice })),
    webhookUrl: webhookUrlOf(input), redirectUrl: token ? returnUrlOf(publicUrl, token) : undefined,
    allowConcurrent: true, expiresInSeconds: INVOICE_TTL_SECONDS,
  }, fingerprint({ kowriMerchantOrderId: input.merchantOrderId }));
  if (replayedByReference) {
    const current = (await loadCurrent(unit, who.caller, request.id)).request; // as of now: an overdue one has expired
    return { request: current, invoice: (await invoiceOf(unit.tx, request.id)) ?? plainInvoice(current, who.app.serviceCode) };
  }
  const invoice: Invoice = {
    merchantOrderId: input.merchantOrderId, reference: input.reference ?? null, description: input.description ?? null, invoiceItems: items,
    trustedNum: input.trustedNum ?? null, metadata: input.metadata ?? [], callbackUrl: input.callbackUrl ?? null, appId: who.appId,
    serviceCode: who.app.serviceCode, attempts: [],
  };
  await saveInvoice(unit.tx, request.id, invoice, request.createdAt);
  if (token) await saveReturn(unit.tx, token, request.id, request.createdAt);
  return { request, invoice };
}
