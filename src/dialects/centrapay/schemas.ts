// Centrapay's request bodies as zod schemas: what validates a call also documents it.
import { z } from 'zod';
import { isSupportedCurrency, parseMinorUnits } from '../../core/money.js';
import type { LineItem as CoreLineItem } from '../../core/payment-request.js';

/** An integer count of cents as a string ("1050"): Centrapay's BigNumber amounts. */
const CENTS = /^\d{1,13}$/;
/** Centrapay's Monetary bound: 0 < amount < 100000000 cents (docs: value.amount). */
export const MONETARY_LIMIT = 100_000_000;
const centsAtMost = (value: string) => CENTS.test(value) && parseMinorUnits(value) !== null;
export const Cents = z.string().regex(CENTS, 'must be a whole number of cents as a string, e.g. "1050"')
  .refine((value) => centsAtMost(value) && (parseMinorUnits(value) ?? 0) > 0, 'must be more than 0 and at most 10^12 cents');
const CentsOrZero = z.string().regex(CENTS, 'must be a whole number of cents as a string').refine(centsAtMost, 'must be at most 10^12 cents');
/** A Monetary amount: cents, more than 0 and less than 100000000. */
const MonetaryAmount = z.string().regex(CENTS, 'must be a whole number of cents as a string, e.g. "1050"')
  .refine((value) => { const cents = parseMinorUnits(value); return cents !== null && cents > 0 && cents < MONETARY_LIMIT; }, 'must be more than 0 and less than 100000000 cents');
export const Currency = z.string().refine(isSupportedCurrency, 'must be an ISO 4217 currency code, e.g. NZD');
export const Monetary = z.object({ amount: MonetaryAmount, currency: Currency });

/** A cent string the schema has already validated, as minor units (core/money's exact parse, never Number()). */
export function centsOf(text: string): number {
  const cents = parseMinorUnits(text);
  if (cents === null) throw new RangeError(`not a validated cent amount: ${text}`);
  return cents;
}

const Text = (max: number) => z.string().min(1).max(max);

export const LineItem = z.looseObject({
  name: Text(200),
  qty: z.string().regex(/^\d{1,9}(\.\d{1,6})?$/, 'must be a decimal string, e.g. "1" or "0.5"'),
  price: CentsOrZero,
  sku: Text(200).optional(),
  tax: z.string().regex(/^\d{1,3}(\.\d{1,4})?$/, 'must be a percent as a decimal string').optional(),
  discount: CentsOrZero.optional(),
  productId: Text(200).optional(),
  restricted: z.boolean().optional(),
  classification: z.looseObject({}).optional(),
});
export type CentrapayLineItem = z.infer<typeof LineItem>;

/** Centrapay line items carry the line's total as `price`; posgate's core sums line totals. */
export function toCoreLineItems(items: CentrapayLineItem[] | undefined): CoreLineItem[] | undefined {
  return items?.map((item) => ({ name: item.name, ...(item.sku ? { sku: item.sku } : {}), quantity: 1, unitAmount: centsOf(item.price), restricted: item.restricted ?? false }));
}

export const CreateBody = z.object({
  configId: Text(100),
  value: Monetary,
  externalRef: Text(128).optional(),
  invoiceRef: Text(128).optional(),
  purchaseOrderRef: Text(128).optional(),
  terminalId: Text(200).optional(),
  deviceId: Text(128).optional(),
  operatorId: Text(128).optional(),
  barcode: Text(255).optional(),
  barcodeType: Text(50).optional(),
  expirySeconds: z.number().int().min(10).max(30 * 24 * 3600).optional(),
  lineItems: z.array(LineItem).max(500).optional(),
  conditionsEnabled: z.boolean().optional(),
  patronNotPresent: z.boolean().optional(),
  partialAllowed: z.boolean().optional(),
  preAuth: z.boolean().optional(),
  basketAmount: Cents.optional(),
  redirectUrl: z.string().max(2000).optional(),
});
export type CreateBody = z.infer<typeof CreateBody>;

export const IdParams = z.object({ id: Text(100) });
export const ConditionParams = z.object({ id: Text(100), conditionId: Text(100) });
export const ShortCodeParams = z.object({ shortCode: Text(40) });
export const ExternalRefParams = z.object({ externalRef: Text(128) });
export const RefPageQuery = z.object({ pageKey: Text(100).optional() });
export const ActivitiesQuery = z.object({ pageKey: z.string().regex(/^\d{1,18}$/, 'must be the nextPageKey of an earlier page').optional(), merchantId: Text(100).optional() });

export const PayBody = z.object({ assetType: Text(100), idempotencyKey: Text(255), amount: Cents.optional() });
export const RefundBody = z.object({
  value: Monetary, externalRef: Text(128), invoiceRef: Text(128).optional(), lineItems: z.array(LineItem).max(500).optional(),
  // Centrapay asks it of a refund against a confirmation; posgate refunds against all that was confirmed
  confirmationIdempotencyKey: Text(255).optional(),
});
export const ConfirmBody = z.object({ idempotencyKey: Text(255), invoiceRef: Text(128), lineItems: z.array(LineItem).min(1).max(500), value: Monetary.optional() });
export type ConfirmBody = z.infer<typeof ConfirmBody>;
export const EmptyBody = z.object({}).optional().describe('No fields: the body may be left out');
