// The wrapper's parameters: GET query strings, or POST bodies (JSON, XML or a form) with the same
// names. Values arrive as text (or JSON numbers); each is checked here, never rounded.
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { currencyExponent, decimalToMinor, MAX_AMOUNT } from '../../core/money.js';
import { idOfUuid } from '../../core/uuid-ids.js';
import { MOBILEPAY_STATUSES } from './statuses.js';

export const CURRENCIES = ['DKK', 'EUR'] as const;
const AMOUNT_TEXT = /^\d{1,11}(\.\d{1,2})?$/;

/** One text parameter; a JSON number counts as its decimal text. */
const text = (message: string) => z.union([z.string(), z.number()], { error: message }).transform((value) => String(value).trim());
const bounded = (name: string, max: number) => {
  const message = `${name} is required: 1 to ${max} characters.`;
  return text(message).pipe(z.string().min(1, { error: message }).max(max, { error: message }));
};
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' || value === null ? undefined : value), schema.optional());
const guid = (name: string) => text(`${name} is required.`).pipe(z.string().regex(/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i, { error: `${name} must be a GUID.` }))
  .transform((value) => value.replace(/^(.{8})-?(.{4})-?(.{4})-?(.{4})-?(.{12})$/, '$1-$2-$3-$4-$5').toLowerCase());
const amountText = text('amount is required, as a decimal string such as "27.00".');
/** currencyCode as sent (undefined when absent); `currency` defaults it to DKK as the wrapper does. */
const currencyCode = optional(text('currencyCode must be DKK or EUR.').pipe(z.enum(CURRENCIES, { error: 'currencyCode must be DKK or EUR.' })));
const currency = currencyCode.transform((c) => c ?? 'DKK');
const minimumAge = optional(text('userMinimumAge must be a whole number of years from 0 to 99.').pipe(
  z.string().regex(/^\d{1,2}$/, { error: 'userMinimumAge must be a whole number of years from 0 to 99.' }).transform(Number),
));
const status = (name: string) => text(`${name} must be one of ${MOBILEPAY_STATUSES.join(', ')}.`)
  .pipe(z.enum(MOBILEPAY_STATUSES, { error: `${name} must be one of ${MOBILEPAY_STATUSES.join(', ')}.` }));

export const orderId = bounded('orderId', 36);
export const terminalId = bounded('terminalId', 200);
export const posId = guid('posId');
export const storeId = guid('storeId');
export const paymentId = guid('paymentId');
export const refundId = guid('refundId');
export const refundOrderId = bounded('refundOrderId', 36);
export { amountText as amount, currency, currencyCode, minimumAge as userMinimumAge, optional, status };

/** Checks `values` against a schema of parameters: the first problem is a 400 naming its parameter. */
export function read<S extends z.ZodRawShape>(shape: S, values: Record<string, unknown>): z.output<z.ZodObject<S>> {
  const parsed = z.object(shape).safeParse(values);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0] as z.core.$ZodIssue;
  const param = String(issue.path[0] ?? 'body');
  const missing = values[param] === undefined || values[param] === '';
  throw new DomainError(missing ? 'parameter_missing' : 'parameter_invalid', issue.message, param);
}

/** A decimal amount in the currency's minor units: exact, positive, at most 10^10 major units. */
export function minorUnits(value: string, currencyCode: string): number {
  const minor = AMOUNT_TEXT.test(value) ? decimalToMinor(value, currencyExponent(currencyCode)) : null;
  if (minor === null || minor > MAX_AMOUNT)
    throw new DomainError('amount_invalid', `amount must be a positive decimal with at most 2 decimals and at most 10000000000 (got "${value}").`, 'amount');
  return minor;
}

export const paymentRequestIdOf = (guidText: string) => idOfUuid('pr', guidText) as string;
export const refundIdOf = (guidText: string) => idOfUuid('rf', guidText) as string;
