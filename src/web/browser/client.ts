// Shared browser code of the pages (window.posgate): exact money text from integer minor units,
// amounts typed by the patron, JSON calls with problem+json errors, the long-poll loop, countdowns.
// No eval and no other origin: it runs under script-src 'self'. MAX_AMOUNT is the server's own
// constant, imported, so the browser refuses exactly what the API refuses.
import { MAX_AMOUNT } from '../../core/money.js';
import type { ApiError, Parsed, PollOptions, Posgate } from './posgate.js';

/** Integer minor units -> exact decimal text with exactly 'exponent' decimals. */
function minorToDecimal(minor: number, exponent: number): string {
  const negative = minor < 0;
  let digits = String(Math.abs(minor));
  while (digits.length < exponent + 1) digits = '0' + digits;
  const text = exponent === 0 ? digits : digits.slice(0, digits.length - exponent) + '.' + digits.slice(digits.length - exponent);
  return negative ? '-' + text : text;
}

function currencyFormat(currency: string, exponent: number): Intl.NumberFormat {
  return new Intl.NumberFormat(P.locale, { style: 'currency', currency, minimumFractionDigits: exponent, maximumFractionDigits: exponent });
}

/** Money for people: Intl formats the exact decimal text with the currency's own exponent. */
function formatMoney(minor: number | null | undefined, currency: string, exponent: number): string {
  if (minor === null || minor === undefined) return '';
  const decimal = minorToDecimal(minor, exponent);
  try {
    // Intl takes the decimal string as is (no float): the DOM lib types only number | bigint
    return currencyFormat(currency, exponent).format(decimal as unknown as number);
  } catch {
    return decimal + ' ' + currency;
  }
}

/** A decimal text such as an exchange rate, in a currency (no float: Intl takes the string as is). */
function formatDecimal(text: string, currency: string, exponent: number): string {
  try {
    return currencyFormat(currency, exponent).format(text as unknown as number);
  } catch {
    return text + ' ' + currency;
  }
}

/**
 * What the patron typed, in major units ("12.5"), -> integer minor units, exactly: more decimals
 * than the currency has is refused, never rounded.
 */
function parseMajor(text: string | null | undefined, exponent: number): Parsed {
  let t = String(text === undefined || text === null ? '' : text).trim().replace(/\s/g, '');
  // a lone comma is a decimal comma, except where three decimals make "1,500" read as a thousand too
  if (t.indexOf('.') < 0 && (t.match(/,/g) || []).length === 1) {
    if (exponent >= 3) return { error: 'Use a dot for the decimals (e.g. 1.500): a comma is ambiguous in this currency.' };
    t = t.replace(',', '.');
  }
  const m = /^(\d*)(?:\.(\d*))?$/.exec(t);
  if (!m || (m[1] === '' && (m[2] === undefined || m[2] === ''))) return { error: 'Enter an amount in numbers, such as 12' + (exponent > 0 ? '.' + '50000000'.slice(0, exponent) : '') + '.' };
  const whole = m[1] || '0';
  let fraction = m[2] || '';
  if (fraction.length > exponent) {
    return { error: exponent === 0 ? 'This currency has no decimals: enter a whole amount.' : 'Use at most ' + exponent + (exponent === 1 ? ' decimal.' : ' decimals.') };
  }
  while (fraction.length < exponent) fraction += '0';
  const digits = (whole + fraction).replace(/^0+/, '');
  if (digits === '') return { error: 'Enter an amount greater than zero.' };
  // more digits than MAX_AMOUNT has cannot be below it (and would lose precision as a number)
  if (digits.length > String(MAX_AMOUNT).length) return { error: 'That amount is too large.' };
  const minor = parseInt(digits, 10);
  if (minor > MAX_AMOUNT) return { error: 'That amount is too large.' };
  return { minor };
}

/** A duration as m:ss (or h:mm:ss). */
function duration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = (s < 10 ? '0' : '') + s;
  if (h > 0) return h + ':' + (m < 10 ? '0' : '') + m + ':' + ss;
  return m + ':' + ss;
}

function clock(): number {
  return typeof performance !== 'undefined' && performance.now ? performance.now() : Date.now();
}

/** A local deadline for a server instant: counted from the server's "now", so a wrong phone clock does not matter. */
function deadline(atIso: string | number, nowIso: string | number): number {
  const at = typeof atIso === 'number' ? atIso : Date.parse(atIso);
  const now = typeof nowIso === 'number' ? nowIso : Date.parse(nowIso);
  return P.clock() + (at - now);
}

// The pages' markup is the server's: a selector that finds nothing is a server bug, not a state.
function $<E extends Element = HTMLElement>(selector: string, root?: ParentNode): E {
  return (root || document).querySelector(selector) as E;
}
function text(el: Element | null, value: string): void {
  if (el && el.textContent !== value) el.textContent = value;
}
function show(el: Element | null, visible: unknown): void {
  const shown = el as HTMLElement | null; // the pages hide and show only HTML elements
  if (shown && shown.hidden === !!visible) shown.hidden = !visible;
}

/** Puts a server-made SVG (QR code, barcode) into 'el' (parsed as HTML: inline SVG needs no namespace). */
function setSvg(el: Element | null, svg: string | null | undefined): void {
  const host = el as (Element & { posgateSvg?: string | null }) | null;
  if (!host || host.posgateSvg === svg) return;
  host.posgateSvg = svg;
  const template = document.createElement('template');
  template.innerHTML = svg || '';
  host.replaceChildren(template.content);
}

function readJson<T>(id: string): T {
  const el = document.getElementById(id);
  return (el ? JSON.parse(el.textContent || '') : null) as T;
}

function apiError(message: string, status: number, problem?: ApiError['problem']): ApiError {
  const err: ApiError = new Error(message);
  err.status = status;
  if (problem !== undefined) err.problem = problem;
  return err;
}

/** JSON in and out; a problem+json answer rejects with its detail (err.status, err.problem). */
function api<T>(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
  const h: Record<string, string> = { accept: 'application/json' };
  const init: RequestInit = { method, headers: h, credentials: 'same-origin', cache: 'no-store' };
  if (headers) for (const name in headers) h[name] = headers[name] as string;
  if (body !== undefined) {
    h['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  return fetch(url, init).then(
    (res) =>
      res.text().then((raw) => {
        let data: (T & { detail?: string }) | null = null;
        try {
          data = raw ? JSON.parse(raw) : null;
        } catch {
          data = null;
        }
        if (!res.ok) throw apiError((data && data.detail) || 'The request failed (' + res.status + '). Try again.', res.status, data);
        return data as T;
      }),
    () => {
      throw apiError('No connection to the server. Check the network and try again.', 0);
    },
  );
}

/**
 * The live-update loop: asks for the state newer than what is shown (the server holds the
 * request until something changes), renders it, asks again. Backs off while the server is unreachable.
 */
function poll<T>(urlFor: () => string, onState: (state: T) => void, options?: PollOptions): { stop(): void } {
  const opts = options || {};
  let stopped = false;
  let failures = 0;
  const connection = document.getElementById('connection');
  function loop(): void {
    if (stopped) return;
    P.api<T>('GET', urlFor(), undefined, opts.headers).then(
      (state) => {
        failures = 0;
        P.show(connection, false);
        onState(state);
        setTimeout(loop, 0);
      },
      (err: ApiError) => {
        if (err.status === 401 || err.status === 403 || err.status === 404) {
          stopped = true;
          if (opts.onFatal) opts.onFatal(err);
          return;
        }
        failures += 1;
        if (failures > 1) P.show(connection, true);
        setTimeout(loop, Math.min(1000 * failures, 10000));
      },
    );
  }
  loop();
  return { stop: () => { stopped = true; } };
}

/** Says something to screen readers through the page's polite live region. */
function announce(value: string): void {
  const el = document.getElementById('announce');
  if (el) {
    el.textContent = '';
    setTimeout(() => { el.textContent = value; }, 50);
  }
}

// the page scripts (and tests) call through window.posgate, so P.* stays replaceable, as before
const P: Posgate = { locale: undefined, minorToDecimal, formatMoney, formatDecimal, parseMajor, duration, deadline, clock, $, text, show, setSvg, readJson, api, poll, announce };
window.posgate = P;
