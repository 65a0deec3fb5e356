// The customer display in the browser: idle (check-in QR), active (amount and pay QR), outcome;
// switches without a reload as the long-poll reports the terminal's requests.
export const DISPLAY_JS = String.raw`(function () {
  'use strict';
  var P = window.posgate;
  var $ = P.$;
  var main = document.getElementById('display');
  if (!main) return;
  var terminalId = main.getAttribute('data-terminal-id');
  var key = new URLSearchParams(location.search).get('token') || '';
  var state = P.readJson('initial-state');
  var box = $('[data-testid=display-state]');
  var screens = { idle: $('#screen-idle'), active: $('#screen-active'), outcome: $('#screen-outcome') };

  function money(r, minor) {
    return minor === null ? 'Amount to follow' : P.formatMoney(minor, r.currency, r.exponent);
  }

  function render() {
    var s = state.state;
    var before = box.getAttribute('data-state');
    box.setAttribute('data-state', s);
    P.show(screens.idle, s === 'idle');
    P.show(screens.active, s === 'active');
    P.show(screens.outcome, s !== 'idle' && s !== 'active');
    var r = state.request;
    if (s === 'active' && r) {
      P.text($('[data-testid=amount]'), money(r, r.amount));
      if (state.payQrSvg) P.setSvg($('[data-testid=pay-qr]'), state.payQrSvg);
      P.text($('[data-testid=short-code]'), r.shortCode);
      var part = r.amountReceived > 0 && r.remaining !== null;
      P.show($('#display-progress'), part);
      P.text($('#display-progress'), part ? 'Paid so far ' + money(r, r.amountReceived) + ', still to pay ' + money(r, r.remaining) : '');
    }
    if (s !== 'idle' && s !== 'active' && r) {
      P.text($('[data-testid=outcome]'), state.message);
      P.text($('[data-testid=outcome-amount]'), money(r, r.amount));
    }
    if (before !== s) {
      if (s === 'active' && r) P.announce('Please pay ' + money(r, r.amount));
      else if (s !== 'idle') P.announce(state.message);
    }
  }

  function apply(next) {
    if (!next) return;
    state = next;
    render();
  }

  render();
  P.poll(function () {
    return '/display/' + encodeURIComponent(terminalId) + '/state?version=' + encodeURIComponent(state.version) + '&waitSeconds=25';
  }, apply, {
    headers: { authorization: 'Bearer ' + key },
    onFatal: function (err) {
      var c = document.getElementById('connection');
      P.text(c, err.message);
      P.show(c, true);
    },
  });
})();
`;
