// Money is an integer count of a currency's minor unit everywhere inside posgate.
// This module owns the exponent table and the only exact conversions to and from decimal text.

const ZERO_DECIMAL = ['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF'];
const THREE_DECIMAL = ['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'];
const FOUR_DECIMAL = ['CLF', 'UYW'];
const TWO_DECIMAL = [
  'AED', 'AFN', 'ALL', 'AMD', 'ANG', 'AOA', 'ARS', 'AUD', 'AWG', 'AZN', 'BAM', 'BBD', 'BDT', 'BGN', 'BMD', 'BND', 'BOB', 'BRL',
  'BSD', 'BTN', 'BWP', 'BYN', 'BZD', 'CAD', 'CDF', 'CHF', 'CNY', 'COP', 'CRC', 'CUP', 'CVE', 'CZK', 'DKK', 'DOP', 'DZD', 'EGP',
  'ERN', 'ETB', 'EUR', 'FJD', 'FKP', 'GBP', 'GEL', 'GHS', 'GIP', 'GMD', 'GTQ', 'GYD', 'HKD', 'HNL', 'HTG', 'HUF', 'IDR', 'ILS',
  'INR', 'IRR', 'JMD', 'KES', 'KGS', 'KHR', 'KPW', 'KYD', 'KZT', 'LAK', 'LBP', 'LKR', 'LRD', 'LSL', 'MAD', 'MDL', 'MGA', 'MKD',
  'MMK', 'MNT', 'MOP', 'MRU', 'MUR', 'MVR', 'MWK', 'MXN', 'MYR', 'MZN', 'NAD', 'NGN', 'NIO', 'NOK', 'NPR', 'NZD', 'PAB', 'PEN',
  'PGK', 'PHP', 'PKR', 'PLN', 'QAR', 'RON', 'RSD', 'RUB', 'SAR', 'SBD', 'SCR', 'SDG', 'SEK', 'SGD', 'SHP', 'SLE', 'SOS', 'SRD',
  'SSP', 'STN', 'SVC', 'SYP', 'SZL', 'THB', 'TJS', 'TMT', 'TOP', 'TRY', 'TTD', 'TWD', 'TZS', 'UAH', 'USD', 'UYU', 'UZS', 'VES',
  'WST', 'XCD', 'YER', 'ZAR', 'ZMW', 'ZWL',
];

/** Minor-unit exponent per currency: ISO 4217, plus BTC counted in satoshi. */
export const CURRENCY_EXPONENTS: Readonly<Record<string, number>> = Object.freeze({
  ...Object.fromEntries(ZERO_DECIMAL.map((c) => [c, 0])),
  ...Object.fromEntries(TWO_DECIMAL.map((c) => [c, 2])),
  ...Object.fromEntries(THREE_DECIMAL.map((c) => [c, 3])),
  ...Object.fromEntries(FOUR_DECIMAL.map((c) => [c, 4])),
  BTC: 8,
});

/** Largest amount accepted anywhere (10^12 minor units): keeps every sum a safe integer. */
export const MAX_AMOUNT = 1_000_000_000_000;

export function isSupportedCurrency(code: string): boolean {
  return Object.prototype.hasOwnProperty.call(CURRENCY_EXPONENTS, code);
}

export function currencyExponent(code: string): number {
  const exponent = Object.hasOwn(CURRENCY_EXPONENTS, code) ? CURRENCY_EXPONENTS[code] : undefined;
  if (exponent === undefined) throw new RangeError(`unsupported currency ${code}`);
  return exponent;
}

/** A valid amount is a whole number of minor units in (0, MAX_AMOUNT]. */
export function isValidAmount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 && value <= MAX_AMOUNT;
}

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * Exact decimal text → minor units, or null when the text is not an exact, positive amount
 * with at most `exponent` decimals (no rounding, ever).
 */
export function decimalToMinor(text: string, exponent: number): number | null {
  const match = DECIMAL.exec(text);
  if (!match) return null;
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  if (fraction.length > exponent) return null;
  const minor = BigInt(whole) * 10n ** BigInt(exponent) + BigInt(fraction.padEnd(exponent, '0') || '0');
  if (minor <= 0n || minor > BigInt(MAX_AMOUNT)) return null;
  return Number(minor);
}

const WHOLE = /^\d+$/;

/**
 * Whole minor units from digit text ("1050": no sign, no decimals, no exponent), exactly:
 * null unless it is an integer in [0, MAX_AMOUNT]. For APIs that send amounts as minor-unit strings.
 */
export function parseMinorUnits(text: string): number | null {
  if (!WHOLE.test(text)) return null;
  const minor = BigInt(text);
  return minor <= BigInt(MAX_AMOUNT) ? Number(minor) : null;
}

/**
 * Σ of whole minor-unit amounts, exactly (BigInt inside, so no partial sum is ever rounded);
 * null when the sum passes MAX_AMOUNT. Each amount must be a safe integer.
 */
export function sumMinor(amounts: Iterable<number>): number | null {
  let sum = 0n;
  for (const amount of amounts) {
    if (!Number.isSafeInteger(amount)) throw new RangeError('amount must be a safe integer');
    sum += BigInt(amount);
  }
  return sum <= BigInt(MAX_AMOUNT) && sum >= -BigInt(MAX_AMOUNT) ? Number(sum) : null;
}

/**
 * Whether `part` is at least `numerator / denominator` of `whole`, exactly: the products are
 * taken in BigInt, so amounts near MAX_AMOUNT times a basis-point factor are never rounded.
 */
export function isAtLeastFraction(part: number, whole: number, numerator: number, denominator: number): boolean {
  for (const value of [part, whole, numerator, denominator]) if (!Number.isSafeInteger(value)) throw new RangeError('operands must be safe integers');
  return BigInt(part) * BigInt(denominator) >= BigInt(whole) * BigInt(numerator);
}

/** Minor units → decimal text with exactly `exponent` decimals ("27.00", "0.00039304", "150"). */
export function minorToDecimal(minor: number, exponent: number): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError('amount must be a safe integer');
  const negative = minor < 0;
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
  const text = exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  return negative ? `-${text}` : text;
}

/** Minor units as people read them: the currency code, then the amount with its decimals and thousands grouped ("NZD 1,234.50"). */
export function formatMoney(minor: number, currency: string): string {
  const text = minorToDecimal(minor, currencyExponent(currency));
  const negative = text.startsWith('-');
  const [whole, fraction] = (negative ? text.slice(1) : text).split('.');
  const grouped = (whole as string).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${currency} ${grouped}${fraction !== undefined ? `.${fraction}` : ''}`;
}

/**
 * How many units of an asset `amountMinor` buys at `priceMinor` (the price of one whole unit, in
 * the same minor units), counted in the asset's own minor units (10^unitExponent of them to the
 * unit): amount × 10^unitExponent ÷ price, exactly in BigInt, rounded `up` (what a payer must
 * send, so the payee never receives less) or `down` (what a payment is worth at most).
 */
export function unitsAtPrice(amountMinor: number, priceMinor: number, unitExponent: number, rounding: 'up' | 'down'): number {
  for (const value of [amountMinor, priceMinor, unitExponent]) if (!Number.isSafeInteger(value) || value < 0) throw new RangeError('operands must be non-negative safe integers');
  if (priceMinor === 0) throw new RangeError('the price must be positive');
  const numerator = BigInt(amountMinor) * 10n ** BigInt(unitExponent);
  const price = BigInt(priceMinor);
  const units = rounding === 'up' ? (numerator + price - 1n) / price : numerator / price;
  if (units > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('the result is not a safe integer');
  return Number(units);
}
