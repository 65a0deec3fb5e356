// A CLIQ call's fields, from a JSON or a form body alike: each one checked by name, the first
// problem refused with a message that names the field. The amount converts exactly or is refused.
import { DomainError } from '../../core/errors.js';
import { currencyExponent, decimalToMinor, isSupportedCurrency, MAX_AMOUNT, minorToDecimal } from '../../core/money.js';

export type Params = Record<string, unknown>;

/** The body as one object of fields (a form, or a JSON object). */
export function paramsOf(body: unknown): Params {
  if (body === undefined || body === null || body === '') throw new DomainError('parameter_missing', 'The body is required: a JSON object or a form (application/x-www-form-urlencoded).', 'body');
  if (typeof body !== 'object' || Array.isArray(body)) throw new DomainError('invalid_json', 'The body must be one object of fields: a JSON object or a form.', 'body');
  return body as Params;
}

/** Refuses a field this call does not take (a typo would otherwise be silently ignored). */
export function onlyKnown(params: Params, known: readonly string[], extra?: RegExp): void {
  for (const name of Object.keys(params)) {
    if (!known.includes(name) && !extra?.test(name)) throw new DomainError('unknown_field', `Unknown field ${name}: this call takes ${known.join(', ')}${extra ? ' and personal_* fields' : ''}.`, name);
  }
}

/** A text field: absent or empty is undefined; anything but text is refused. */
export function optionalText(params: Params, name: string, max = 255): string | undefined {
  const value = params[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new DomainError('parameter_invalid', `${name} must be a string.`, name);
  if (value.length > max) throw new DomainError('parameter_invalid', `${name} must be at most ${max} characters.`, name);
  return value;
}

export function requiredText(params: Params, name: string, max = 255): string {
  const value = optionalText(params, name, max);
  if (value === undefined) throw new DomainError('parameter_missing', `${name} is required.`, name);
  return value;
}

/** The text a hash is computed over: the field as sent, or '' when it was not. */
export const hashText = (params: Params, name: string): string => (typeof params[name] === 'string' ? (params[name] as string) : '');

/** What a customer pays in (`requested_asset`): crypto assets posgate counts, never a settlement asset. */
export const REQUESTED_ASSETS: readonly string[] = ['BTC'];

/**
 * A settlement asset: a currency posgate supports (ISO 4217). posgate's money table also counts
 * BTC (in satoshi), but BTC is what the customer pays, not what the merchant settles in: refused.
 */
export function settlementAsset(params: Params): string {
  const asset = requiredText(params, 'asset', 8);
  if (REQUESTED_ASSETS.includes(asset))
    throw new DomainError('currency_invalid', `The asset not allow for POS create payment: ${asset} is not a settlement asset (it is what the customer pays, requested_asset); settle in a currency such as USD or EUR.`, 'asset');
  if (!/^[A-Z]{3}$/.test(asset) || !isSupportedCurrency(asset))
    throw new DomainError('currency_invalid', `The asset not allow for POS create payment: ${asset} is not a settlement asset (a currency code such as USD or EUR).`, 'asset');
  return asset;
}

/** An amount of `asset` in its major units ("12.50"), exactly: too many decimals, zero, a sign or not a number is refused. */
export function amountOf(params: Params, asset: string, name = 'amount'): number {
  const text = requiredText(params, name, 32);
  const exponent = currencyExponent(asset);
  const example = minorToDecimal(1250 * 10 ** Math.max(exponent - 2, 0), exponent);
  if (!/^\d+(\.\d+)?$/.test(text)) throw new DomainError('amount_invalid', `${name} must be a positive decimal number of ${asset}, such as "${example}" (got "${text}").`, name);
  if ((text.split('.')[1] ?? '').length > exponent) throw new DomainError('amount_invalid', `${name} "${text}" has more than the ${exponent} decimals ${asset} has.`, name);
  const minor = decimalToMinor(text, exponent);
  if (minor === null) throw new DomainError('amount_invalid', `${name} must be more than 0 and at most ${minorToDecimal(MAX_AMOUNT, exponent)} ${asset} (got "${text}").`, name);
  return minor;
}

/** A URL posgate may POST to later (http or https). */
export function optionalUrl(params: Params, name: string): string | undefined {
  const value = optionalText(params, name, 2048);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DomainError('parameter_invalid', `${name} must be an absolute http or https URL.`, name);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new DomainError('parameter_invalid', `${name} must be an absolute http or https URL.`, name);
  return value;
}

/** The customer's details a create may carry (`personal_name`, `personal_email`, …). */
export const PERSONAL = /^personal_[a-z0-9_]{1,40}$/;

export function personalFields(params: Params): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const name of Object.keys(params).filter((n) => PERSONAL.test(n))) {
    const value = optionalText(params, name, 256);
    if (value !== undefined) fields[name] = value;
  }
  return fields;
}

/** The cart as sent: CLIQ's text, or a JSON list. */
export function cartItems(params: Params): unknown {
  const value = params.cart_items;
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return optionalText(params, 'cart_items', 4000);
  if (Array.isArray(value) && value.length <= 100 && JSON.stringify(value).length <= 8000) return value;
  throw new DomainError('parameter_invalid', 'cart_items must be text ("name,desc,qty,unit_price" per item) or a list of at most 100 items.', 'cart_items');
}

/** Exactly one of reference and payment_code (the seed's words when neither is sent). */
export function oneReference(params: Params): { reference?: string; paymentCode?: string; value: string; name: string } {
  const reference = optionalText(params, 'reference', 64);
  const paymentCode = optionalText(params, 'payment_code', 64);
  if (reference === undefined && paymentCode === undefined) throw new DomainError('parameter_missing', 'Payment Reference or Payment Code is required', 'reference');
  if (reference !== undefined && paymentCode !== undefined)
    throw new DomainError('parameter_invalid', 'Send only one of reference or payment_code: the hash includes the one sent.', 'payment_code');
  return reference !== undefined ? { reference, value: reference, name: 'reference' } : { paymentCode, value: paymentCode as string, name: 'payment_code' };
}
