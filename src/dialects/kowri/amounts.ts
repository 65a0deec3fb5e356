// GHS amounts as Kowri sends them: major units (cedis) with at most 2 decimals, as a JSON number or
// a string, converted exactly to pesewas by core/money.ts (no float arithmetic on the way).
import { z } from 'zod';
import { currencyExponent, decimalToMinor, MAX_AMOUNT, minorToDecimal } from '../../core/money.js';

export const CURRENCY = 'GHS';
const EXPONENT = currencyExponent(CURRENCY);

/**
 * A number's own decimal text: JavaScript prints the shortest text that reads back as the same
 * number, which is the literal the POS wrote for any amount of up to 15 digits (1.005 stays
 * "1.005" and is refused; 1e21 prints as "1e+21" and is refused).
 */
function textOf(value: string | number): string {
  return typeof value === 'number' ? String(value) : value.trim();
}

/** Pesewas from a Kowri amount, or null when it is not an exact, positive amount of at most 2 decimals. */
export function pesewasOf(value: string | number): number | null {
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return decimalToMinor(textOf(value), EXPONENT);
}

const MESSAGE = 'an amount in cedis with at most 2 decimals, as a number or a string, more than 0 (e.g. 12.50 or "12.50")';

/** What the OpenAPI document says of an amount (meta only: the transform is the check). */
const TEXT_PATTERN = '^\\s*[0-9]+(?:\\.[0-9]{1,2})?\\s*$';
const MAX_CEDIS = MAX_AMOUNT / 10 ** EXPONENT;

/** A zod field for a positive GHS amount, parsed to pesewas. */
export const Cedis = z.union([z.string().max(32).meta({ pattern: TEXT_PATTERN }), z.number().meta({ exclusiveMinimum: 0, maximum: MAX_CEDIS })]).transform((value, context) => {
  const minor = pesewasOf(value);
  if (minor === null) {
    context.addIssue({ code: 'custom', message: MESSAGE });
    return z.NEVER;
  }
  return minor;
}).meta({ description: `GHS: ${MESSAGE}, at most ${MAX_CEDIS}` });

/** "7.50": two decimals, as Kowri's callbacks and payment status show amounts. */
export const twoDecimals = (pesewas: number): string => minorToDecimal(pesewas, EXPONENT);

/**
 * 10000, 12.5: an amount as a JSON number of cedis, as Kowri's pay options show minAmount and
 * maxAmount: money.ts's exact decimal text, read as the number it spells (exact for every amount
 * of up to 15 digits, which MAX_AMOUNT is).
 */
export const cedisNumber = (pesewas: number): number => Number(minorToDecimal(pesewas, EXPONENT));

/** "7", "7.5", "10.34": an invoice's amounts as Kowri renders them (no trailing zeros). */
export function plainDecimal(pesewas: number): string {
  const text = twoDecimals(pesewas);
  return text.replace(/\.?0+$/, '');
}
