// Settlement reports and the overview's figures, computed by the database through the reporting
// port (SQL aggregates): a report over many requests never loads them. Sums are exact integers.
import { addDays, dateOf, dayCount, daysBetween, parseDate } from '../../core/calendar.js';
import { DomainError } from '../../core/errors.js';
import { minorToDecimal, currencyExponent } from '../../core/money.js';
import type { App } from '../context.js';
import type { SettlementRow } from '../ports/reporting.js';
import type { Merchant } from '../ports/persistence.js';
import { nowFor } from '../time.js';
import { requireMerchant } from './merchants.js';

/** The zone of a merchant's days: its own, else UTC. */
export function zoneOf(merchant: Pick<Merchant, 'timeZone'>): string {
  return merchant.timeZone ?? 'UTC';
}

/** The longest report: a year and a day (a leap year's days, and the day that ends it). */
export const MAX_REPORT_DAYS = 366;

export interface SettlementLine {
  date: string;
  currency: string;
  channel: string;
  terminalId: string;
  count: number;
  gross: number;
  refunded: number;
  net: number;
}

export interface SettlementTotal {
  currency: string;
  count: number;
  gross: number;
  refunded: number;
  net: number;
}

export interface SettlementReport {
  from: string;
  to: string;
  timeZone: string;
  rows: SettlementLine[];
  totals: SettlementTotal[];
}

/** What a channel is called in a report when none was recorded (money refunded on a request that was never paid through one). */
const NO_CHANNEL = 'none';

/** Σ exactly (BigInt), refusing a total that is no longer a safe integer rather than rounding it. */
function exactSum(values: readonly number[]): number {
  const sum = values.reduce((acc, value) => acc + BigInt(value), 0n);
  if (sum > BigInt(Number.MAX_SAFE_INTEGER) || sum < -BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('a report total passed 2^53');
  return Number(sum);
}

function checkRange(from: string, to: string): void {
  if (!parseDate(from)) throw new DomainError('parameter_invalid', `from must be a date YYYY-MM-DD; ${from} is not one.`, 'from');
  if (!parseDate(to)) throw new DomainError('parameter_invalid', `to must be a date YYYY-MM-DD; ${to} is not one.`, 'to');
  if (to <= from) throw new DomainError('parameter_invalid', 'to must be after from (to is exclusive).', 'to');
  // counted, not compared as text: the day 366 after 9999-12-30 is in year 10000, which sorts first
  if (dayCount(from, to) > MAX_REPORT_DAYS) throw new DomainError('parameter_invalid', `A report covers at most ${MAX_REPORT_DAYS} days.`, 'to');
}

function lineOf(row: SettlementRow): SettlementLine {
  return { date: row.date, currency: row.currency, channel: row.channel ?? NO_CHANNEL, terminalId: row.terminalId, count: row.count, gross: row.gross, refunded: row.refunded, net: row.gross - row.refunded };
}

/** Per currency: the rows' sums, so that the rows always add up to the totals exactly. */
function totalsOf(lines: readonly SettlementLine[]): SettlementTotal[] {
  const currencies = [...new Set(lines.map((line) => line.currency))].sort();
  return currencies.map((currency) => {
    const of = lines.filter((line) => line.currency === currency);
    const gross = exactSum(of.map((l) => l.gross));
    const refunded = exactSum(of.map((l) => l.refunded));
    return { currency, count: exactSum(of.map((l) => l.count)), gross, refunded, net: gross - refunded };
  });
}

/**
 * The days [from, to) in the merchant's time zone: `count` and `gross` are the requests that
 * succeeded that day (by when they succeeded), `refunded` the refunds that succeeded that day.
 */
export async function settlementReport(app: App, merchantId: string, livemode: boolean, from: string, to: string): Promise<SettlementReport> {
  checkRange(from, to);
  const merchant = await requireMerchant(app.db.read, merchantId);
  const timeZone = zoneOf(merchant);
  const rows = await app.db.read.settlementRows({ merchantId, livemode, days: daysBetween(from, to, timeZone) });
  const lines = rows.map(lineOf);
  return { from, to, timeZone, rows: lines, totals: totalsOf(lines) };
}

export const CSV_COLUMNS = ['date', 'currency', 'channel', 'terminalId', 'count', 'gross', 'refunded', 'net'] as const;

/** A field as RFC 4180 has it: quoted when it holds a comma, a quote or a line break. */
function csvField(value: string): string {
  // a leading =, +, - or @ would make a spreadsheet read a formula: a quote mark keeps it text
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The rows as RFC 4180 CSV (CRLF line ends), amounts as decimals in major units ("12.34"). */
export function settlementCsv(report: SettlementReport): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of report.rows) {
    const money = (minor: number) => minorToDecimal(minor, currencyExponent(row.currency));
    lines.push([row.date, row.currency, row.channel, row.terminalId, String(row.count), money(row.gross), money(row.refunded), money(row.net)].map(csvField).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

export interface CurrencyFigures {
  currency: string;
  /** Σ captured of the requests that succeeded in the span. */
  volume: number;
  /** Requests that succeeded in the span. */
  count: number;
  refunded: number;
  /** Of the requests created in the span that have ended: how many succeeded, in basis points (null: none ended). */
  successRateBps: number | null;
}

export interface Overview {
  today: string;
  timeZone: string;
  todayFigures: CurrencyFigures[];
  last30: CurrencyFigures[];
  /** Per currency, the 30 days' volume day by day, oldest first (what the chart draws). */
  daily: { currency: string; points: { date: string; volume: number }[] }[];
}

const ENDED = new Set(['succeeded', 'cancelled', 'expired', 'failed']);

async function figures(app: App, merchantId: string, livemode: boolean, report: SettlementReport, span: { from: number; to: number }): Promise<CurrencyFigures[]> {
  const activity = await app.db.read.activity(merchantId, livemode, span.from, span.to);
  const currencies = [...new Set([...report.totals.map((t) => t.currency), ...activity.map((a) => a.currency)])].sort();
  return currencies.map((currency) => {
    const total = report.totals.find((t) => t.currency === currency);
    const of = activity.filter((a) => a.currency === currency && ENDED.has(a.status));
    const ended = exactSum(of.map((a) => a.count));
    const succeeded = exactSum(of.filter((a) => a.status === 'succeeded').map((a) => a.count));
    return {
      currency, volume: total?.gross ?? 0, count: total?.count ?? 0, refunded: total?.refunded ?? 0,
      successRateBps: ended === 0 ? null : Math.floor((succeeded * 10_000) / ended),
    };
  });
}

/** Today and the last 30 days (today included) in the merchant's time zone, by currency. */
export async function overview(app: App, merchantId: string, livemode: boolean): Promise<Overview> {
  const merchant = await requireMerchant(app.db.read, merchantId);
  const timeZone = zoneOf(merchant);
  const today = dateOf(nowFor(app, merchant, livemode), timeZone);
  const tomorrow = addDays(today, 1);
  const start = addDays(today, -29);
  const month = await settlementReport(app, merchantId, livemode, start, tomorrow);
  const todays = { ...month, rows: month.rows.filter((r) => r.date === today) };
  todays.totals = totalsOf(todays.rows);
  const days = daysBetween(start, tomorrow, timeZone);
  const last = days.at(-1)!;
  const daily = month.totals.map(({ currency }) => ({
    currency,
    points: days.map((day) => ({ date: day.date, volume: exactSum(month.rows.filter((r) => r.currency === currency && r.date === day.date).map((r) => r.gross)) })),
  }));
  return {
    today, timeZone,
    todayFigures: await figures(app, merchantId, livemode, todays, { from: last.from, to: last.to }),
    last30: await figures(app, merchantId, livemode, month, { from: days[0]!.from, to: last.to }),
    daily,
  };
}
