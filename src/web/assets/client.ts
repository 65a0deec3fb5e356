// Shared browser code of the pages (window.posgate): exact money text from integer minor units,
// amounts typed by the patron, JSON calls with problem+json errors, the long-poll loop, countdowns.
// Plain ES2017, no template literals (this file is itself one), no eval: it runs under script-src 'self'.
export const CLIENT_JS = String.raw`(function () {
  'use strict';
  var P = {};
  var MAX_AMOUNT = 1000000000000;

  /** Integer minor units -> exact decimal text with exactly 'exponent' decimals. */
  P.minorToDecimal = function (minor, exponent) {
    var negative = minor < 0;
    var digits = String(Math.abs(minor));
    while (digits.length < exponent + 1) digits = '0' + digits;
    var text = exponent === 0 ? digits : digits.slice(0, digits.length - exponent) + '.' + digits.slice(digits.length - exponent);
    return negative ? '-' + text : text;
  };

  /** Money for people: Intl formats the exact decimal text with the currency's own exponent. */
  P.formatMoney = function (minor, currency, exponent) {
    if (minor === null || minor === undefined) return '';
    var decimal = P.minorToDecimal(minor, exponent);
    try {
      return new Intl.NumberFormat(P.locale, { style: 'currency', currency: currency, minimumFractionDigits: exponent, maximumFractionDigits: exponent }).format(decimal);
    } catch (e) {
      return decimal + ' ' + currency;
    }
  };

  /** A decimal text such as an exchange rate, in a currency (no float: Intl takes the string as is). */
  P.formatDecimal = function (text, currency, exponent) {
    try {
      return new Intl.NumberFormat(P.locale, { style: 'currency', currency: currency, minimumFractionDigits: exponent, maximumFractionDigits: exponent }).format(text);
    } catch (e) {
      return text + ' ' + currency;
    }
  };

  /**
   * What the patron typed, in major units ("12.5"), -> integer minor units, exactly: more decimals
   * than the currency has is refused, never rounded. Returns { minor } or { error }.
   */
  P.parseMajor = function (text, exponent) {
    var t = String(text === undefined || text === null ? '' : text).trim().replace(/\s/g, '');
    // a lone comma is a decimal comma, except where three decimals make "1,500" read as a thousand too
    if (t.indexOf('.') < 0 && (t.match(/,/g) || []).length === 1) {
      if (exponent >= 3) return { error: 'Use a dot for the decimals (e.g. 1.500): a comma is ambiguous in this currency.' };
      t = t.replace(',', '.');
    }
    var m = /^(\d*)(?:\.(\d*))?$/.exec(t);
    if (!m || (m[1] === '' && (m[2] === undefined || m[2] === ''))) return { error: 'Enter an amount in numbers, such as 12' + (exponent > 0 ? '.' + '50000000'.slice(0, exponent) : '') + '.' };
    var whole = m[1] || '0';
    var fraction = m[2] || '';
    if (fraction.length > exponent) {
      return { error: exponent === 0 ? 'This currency has no decimals: enter a whole amount.' : 'Use at most ' + exponent + (exponent === 1 ? ' decimal.' : ' decimals.') };
    }
    while (fraction.length < exponent) fraction += '0';
    var digits = (whole + fraction).replace(/^0+/, '');
    if (digits === '') return { error: 'Enter an amount greater than zero.' };
    if (digits.length > 13) return { error: 'That amount is too large.' };
    var minor = parseInt(digits, 10);
    if (minor > MAX_AMOUNT) return { error: 'That amount is too large.' };
    return { minor: minor };
  };

  /** A duration as m:ss (or h:mm:ss). */
  P.duration = function (ms) {
    var total = Math.max(0, Math.ceil(ms / 1000));
    var h = Math.floor(total / 3600);
    var m = Math.floor((total % 3600) / 60);
    var s = total % 60;
    var ss = (s < 10 ? '0' : '') + s;
    if (h > 0) return h + ':' + (m < 10 ? '0' : '') + m + ':' + ss;
    return m + ':' + ss;
  };

  /** A local deadline for a server instant: counted from the server's "now", so a wrong phone clock does not matter. */
  P.deadline = function (atIso, nowIso) {
    var at = typeof atIso === 'number' ? atIso : Date.parse(atIso);
    var now = typeof nowIso === 'number' ? nowIso : Date.parse(nowIso);
    return P.clock() + (at - now);
  };
  P.clock = function () {
    return typeof performance !== 'undefined' && performance.now ? performance.now() : Date.now();
  };

  P.$ = function (selector, root) {
    return (root || document).querySelector(selector);
  };
  P.text = function (el, text) {
    if (el && el.textContent !== text) el.textContent = text;
  };
  P.show = function (el, visible) {
    if (el && el.hidden === !!visible) el.hidden = !visible;
  };
  /** Puts a server-made SVG (QR code, barcode) into 'el' (parsed as HTML: inline SVG needs no namespace). */
  P.setSvg = function (el, svg) {
    if (!el || el.posgateSvg === svg) return;
    el.posgateSvg = svg;
    var template = document.createElement('template');
    template.innerHTML = svg || '';
    el.replaceChildren(template.content);
  };
  P.readJson = function (id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  };

  /** JSON in and out; a problem+json answer rejects with its detail (err.status, err.problem). */
  P.api = function (method, url, body, headers) {
    var init = { method: method, headers: { accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' };
    if (headers) for (var name in headers) init.headers[name] = headers[name];
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (res) {
      return res.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        if (!res.ok) {
          var err = new Error((data && data.detail) || 'The request failed (' + res.status + '). Try again.');
          err.status = res.status;
          err.problem = data;
          throw err;
        }
        return data;
      });
    }, function () {
      var err = new Error('No connection to the server. Check the network and try again.');
      err.status = 0;
      throw err;
    });
  };

  /**
   * The live-update loop: asks for the state newer than what is shown (the server holds the
   * request until something changes), renders it, asks again. Backs off while the server is unreachable.
   */
  P.poll = function (urlFor, onState, options) {
    options = options || {};
    var stopped = false;
    var failures = 0;
    var connection = document.getElementById('connection');
    function loop() {
      if (stopped) return;
      P.api('GET', urlFor(), undefined, options.headers).then(function (state) {
        failures = 0;
        P.show(connection, false);
        onState(state);
        setTimeout(loop, 0);
      }, function (err) {
        if (err.status === 401 || err.status === 403 || err.status === 404) {
          stopped = true;
          if (options.onFatal) options.onFatal(err);
          return;
        }
        failures += 1;
        if (failures > 1) P.show(connection, true);
        setTimeout(loop, Math.min(1000 * failures, 10000));
      });
    }
    loop();
    return { stop: function () { stopped = true; } };
  };

  /** Says something to screen readers through the page's polite live region. */
  P.announce = function (text) {
    var el = document.getElementById('announce');
    if (el) { el.textContent = ''; setTimeout(function () { el.textContent = text; }, 50); }
  };

  P.locale = undefined;
  window.posgate = P;
})();
`;
