// The sandbox patron's page in the browser: shows the current patron code (a new one when it
// expires or is used) and the requests pushed to the patron, with approve and decline.
export const PATRON_JS = String.raw`(function () {
  'use strict';
  var P = window.posgate;
  var $ = P.$;
  var main = document.getElementById('patron');
  if (!main) return;
  var base = '/patron/' + encodeURIComponent(main.getAttribute('data-patron-id'));
  var state = P.readJson('initial-state');
  var codeDeadline = null;
  var lastRefresh = 0;
  var busy = false;
  var listKey = null;
  var list = $('#requests');

  function money(r, minor) {
    return minor === null ? 'Amount to follow' : P.formatMoney(minor, r.currency, r.exponent);
  }

  function requestItem(r) {
    var li = document.createElement('li');
    li.setAttribute('data-testid', 'request');
    li.setAttribute('data-request-id', r.id);
    li.setAttribute('data-status', r.status);
    var amount = document.createElement('p');
    amount.className = 'request-amount';
    amount.setAttribute('data-testid', 'request-amount');
    amount.textContent = money(r, r.amount);
    li.append(amount);
    if (r.description) {
      var d = document.createElement('p');
      d.className = 'hint';
      d.textContent = r.description;
      li.append(d);
    }
    var status = document.createElement('p');
    status.setAttribute('data-testid', 'request-status');
    status.textContent = r.actionable ? 'Waiting for you to approve' : r.statusText;
    li.append(status);
    if (r.actionable) {
      var actions = document.createElement('div');
      actions.className = 'actions';
      [['approve', 'Approve ' + money(r, r.remaining !== null ? r.remaining : r.amount), 'primary'], ['decline', 'Decline', 'secondary']].forEach(function (a) {
        var b = document.createElement('button');
        b.type = 'button';
        b.className = a[2];
        b.setAttribute('data-action', a[0]);
        b.textContent = a[1];
        b.disabled = busy;
        b.addEventListener('click', function () { decide(r.id, a[0]); });
        actions.append(b);
      });
      li.append(actions);
    }
    return li;
  }

  function render() {
    P.text($('[data-testid=patron-code]'), state.code);
    P.setSvg($('[data-testid=patron-qr]'), state.qrSvg);
    P.setSvg($('[data-testid=patron-barcode]'), state.barcodeSvg);
    codeDeadline = P.deadline(state.codeExpiresAt, state.now);
    var key = JSON.stringify(state.requests) + busy;
    if (key !== listKey) {
      var focused = document.activeElement && document.activeElement.getAttribute && document.activeElement.getAttribute('data-action');
      var focusedId = focused && document.activeElement.closest('[data-request-id]').getAttribute('data-request-id');
      listKey = key;
      list.replaceChildren.apply(list, state.requests.map(requestItem));
      if (focusedId) {
        var again = list.querySelector('[data-request-id="' + focusedId + '"] [data-action="' + focused + '"]');
        if (again) again.focus();
      }
    }
    P.show($('#no-requests'), state.requests.length === 0);
    tick();
  }

  function apply(next) {
    if (!next) return;
    var before = state;
    state = next;
    if (before.code !== state.code) P.announce('Your patron code changed');
    var fresh = state.requests.filter(function (r) {
      return r.actionable && !before.requests.some(function (b) { return b.id === r.id && b.actionable; });
    });
    if (fresh.length) P.announce('New payment request: ' + money(fresh[0], fresh[0].amount));
    render();
  }

  function refresh() {
    lastRefresh = P.clock();
    return P.api('GET', base + '/state').then(apply, function () {});
  }

  function tick() {
    if (codeDeadline === null) return;
    var left = codeDeadline - P.clock();
    if (left > 0) {
      P.text($('[data-testid=code-expires]'), 'Changes in ' + P.duration(left));
    } else {
      P.text($('[data-testid=code-expires]'), 'Getting a new code\u2026');
      if (P.clock() - lastRefresh > 2000) refresh();
    }
  }

  function decide(requestId, outcome) {
    if (busy) return;
    busy = true;
    P.text($('#message'), '');
    render();
    P.api('POST', base + '/requests/' + encodeURIComponent(requestId) + '/decision', { outcome: outcome }).then(function (next) {
      busy = false;
      apply(next);
      P.announce(outcome === 'approve' ? 'Payment approved' : 'Payment declined');
    }, function (err) {
      busy = false;
      P.text($('#message'), err.message);
      refresh();
    });
  }

  render();
  setInterval(tick, 500);
  P.poll(function () {
    return base + '/state?version=' + encodeURIComponent(state.version) + '&waitSeconds=25';
  }, apply);
})();
`;
