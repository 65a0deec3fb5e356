// The pay page in the browser: renders the request's state, keeps it live (long-poll), counts
// down, lets the patron choose a channel and (sandbox) approve or decline.
export const PAY_JS = String.raw`(function () {
  'use strict';
  var P = window.posgate;
  var $ = P.$;
  var main = document.getElementById('pay');
  if (!main) return;
  var base = '/pay/' + encodeURIComponent(main.getAttribute('data-request-id'));
  var state = P.readJson('initial-state');
  var CHANNELS = ['card', 'mobile_money', 'bank_transfer', 'wallet', 'crypto'];
  var opened = null; // a channel whose form is open but not sent yet (mobile money)
  var deadline = null;
  var quoteDeadline = null;
  var lastExpiryCheck = 0;
  var busy = false;
  var itemsKey = null;

  var el = {
    amount: $('[data-testid=amount]'),
    description: $('#description'),
    status: $('[data-testid=status]'),
    timeLeft: $('[data-testid=time-left]'),
    redirectRow: $('#redirect-row'),
    redirect: $('#redirect'),
    progress: $('#progress'),
    received: $('[data-testid=received]'),
    remaining: $('[data-testid=remaining]'),
    overpaidRow: $('#overpaid-row'),
    overpaid: $('[data-testid=overpaid]'),
    basket: $('#basket'),
    itemsSection: $('#items'),
    items: $('[data-testid=line-items]'),
    methods: $('#methods'),
    provider: $('#provider'),
    phone: $('#phone'),
    momoForm: $('#panel-mobile_money'),
    promptStatus: $('[data-testid=prompt-status]'),
    network: $('#network'),
    refreshQuote: $('#refresh-quote'),
    quoteExpires: $('[data-testid=quote-expires]'),
    sandbox: $('#sandbox'),
    partialRow: $('#partial-row'),
    partial: $('#partial-amount'),
    approve: $('#approve'),
    decline: $('#decline'),
    liveNote: $('#live-note'),
    message: $('#message'),
  };

  function money(minor) {
    return P.formatMoney(minor, state.currency, state.exponent);
  }
  function isWaiting() {
    return state.statusKey === 'waiting';
  }
  function canPay() {
    return (state.status === 'created' || state.status === 'pending') && state.amount !== null;
  }
  function details() {
    return state.paymentMethodDetails || {};
  }

  function renderItems() {
    var key = JSON.stringify([state.lineItems, state.currency]);
    if (key === itemsKey) return;
    itemsKey = key;
    var list = [];
    state.lineItems.forEach(function (item) {
      var li = document.createElement('li');
      var name = document.createElement('span');
      name.className = 'item-name';
      name.textContent = item.name;
      var qty = document.createElement('span');
      qty.className = 'item-qty';
      qty.textContent = '\u00d7 ' + item.quantity;
      var total = document.createElement('span');
      total.className = 'item-total';
      total.textContent = money(item.total);
      li.append(name, ' ', qty, ' ', total);
      list.push(li);
    });
    el.items.replaceChildren.apply(el.items, list);
    P.show(el.itemsSection, list.length > 0);
  }

  function renderPanels() {
    var chosen = opened || (state.paymentMethodDetails ? state.paymentMethod : null);
    CHANNELS.forEach(function (channel) {
      P.show(document.getElementById('panel-' + channel), channel === chosen);
      var button = $('button[data-channel="' + channel + '"]');
      if (button) {
        button.setAttribute('aria-pressed', String(channel === chosen));
        P.show(button, !state.allowedMethods || state.allowedMethods.indexOf(channel) >= 0);
      }
    });
    var d = details();
    var current = state.paymentMethod;
    P.text($('[data-testid=card-note]'), current === 'card' && d.note ? d.note + (d.last4 ? ' (card ending ' + d.last4 + ')' : '') : '');
    P.text($('[data-testid=wallet-note]'), current === 'wallet' && d.note ? d.note : '');
    P.text(el.promptStatus, current === 'mobile_money' && d.prompt ? d.prompt : '');
    if (current === 'bank_transfer') {
      P.text($('[data-testid=transfer-amount]'), money(d.amount));
      P.text($('[data-testid=bank-name]'), d.bankName || '');
      P.text($('[data-testid=account-number]'), d.accountNumber || '');
      P.text($('[data-testid=account-name]'), d.accountName || '');
    }
    if (current === 'crypto') {
      var sats = typeof d.paymentAmountSats === 'number' ? ' (' + d.paymentAmountSats.toLocaleString(P.locale) + ' sats)' : '';
      P.text($('[data-testid=crypto-amount]'), d.paymentAmount + ' BTC' + sats);
      P.text($('[data-testid=crypto-rate]'), '1 BTC = ' + P.formatDecimal(d.exchangeRate, state.currency, state.exponent));
      P.text($('[data-testid=crypto-address]'), d.address || '');
      P.text($('[data-testid=crypto-invoice]'), d.invoice || '');
      P.show($('#crypto-address-row'), !!d.address);
      P.show($('#crypto-invoice-row'), !!d.invoice);
      if (el.network.value !== d.network && document.activeElement !== el.network) el.network.value = d.network;
      quoteDeadline = P.deadline(Number(d.expiresAt), state.now);
    } else {
      quoteDeadline = null;
    }
  }

  function render() {
    P.text(el.amount, state.amount === null ? 'Amount to follow' : money(state.amount));
    P.text(el.description, state.description || '');
    P.show(el.description, !!state.description);
    P.text(el.status, state.statusText);
    el.status.setAttribute('data-state', state.statusKey);
    main.setAttribute('data-status', state.status);

    deadline = isWaiting() ? P.deadline(state.expiresAt, state.now) : null;
    P.show(el.timeLeft, isWaiting());

    var showProgress = state.amount !== null;
    P.show(el.progress, showProgress);
    P.text(el.received, money(state.amountReceived));
    P.text(el.remaining, state.remaining === null ? '' : money(state.remaining));
    P.show(el.overpaidRow, !!state.overpaid);
    P.text(el.overpaid, state.overpaid ? money(state.overpaidAmount) : '');
    P.show(el.basket, state.basketAmount !== null);
    P.text(el.basket, state.basketAmount !== null ? 'This payment is part of a total bill of ' + money(state.basketAmount) + '.' : '');

    renderItems();

    var choosing = canPay();
    if (!choosing) opened = null;
    P.show(el.methods, choosing);
    renderPanels();

    P.show(el.sandbox, choosing && !state.livemode);
    P.show(el.partialRow, state.partialAllowed && choosing);
    P.show(el.approve, !state.livemode);
    P.show(el.decline, !state.livemode);
    P.show(el.liveNote, state.livemode && isWaiting());

    // only a web link goes back to the merchant (never a javascript: or data: URL)
    var back = state.statusKey === 'paid' && typeof state.redirectUrl === 'string' && /^https?:\/\//i.test(state.redirectUrl);
    if (back && el.redirect.getAttribute('href') !== state.redirectUrl) el.redirect.setAttribute('href', state.redirectUrl);
    P.show(el.redirectRow, !!back);
    setBusy(busy);
    tick();
  }

  function apply(next) {
    if (!next || next.version < state.version) return;
    var changed = next.version !== state.version;
    var before = state.statusKey;
    state = next;
    render();
    if (changed && before !== state.statusKey && state.statusKey !== 'waiting') P.text(el.message, '');
  }

  function tick() {
    if (deadline !== null) {
      var left = deadline - P.clock();
      if (left > 0) {
        P.text(el.timeLeft, 'Time left: ' + P.duration(left));
      } else {
        P.text(el.timeLeft, 'Time is up');
        // the server expires an overdue request when it is read: read it now (at most every 2 s)
        if (P.clock() - lastExpiryCheck > 2000) {
          lastExpiryCheck = P.clock();
          P.api('GET', base + '/state').then(apply, function () {});
        }
      }
    }
    if (quoteDeadline !== null) {
      var quoteLeft = quoteDeadline - P.clock();
      var expired = quoteLeft <= 0;
      P.text(el.quoteExpires, expired ? 'Quote expired: refresh it for a new rate' : 'Valid for ' + P.duration(quoteLeft));
      P.show(el.refreshQuote, expired);
    } else {
      P.show(el.refreshQuote, false);
    }
  }

  function setBusy(value) {
    busy = value;
    var buttons = main.querySelectorAll('#methods button, #sandbox button');
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = value;
    main.setAttribute('aria-busy', String(value));
  }

  function showError(err) {
    P.text(el.message, err.message);
    var param = err.problem && err.problem.param;
    if (param === 'phone') { el.phone.setAttribute('aria-invalid', 'true'); el.phone.focus(); }
    if (param === 'amount' && !el.partialRow.hidden) { el.partial.setAttribute('aria-invalid', 'true'); el.partial.focus(); }
  }

  function send(path, body) {
    if (busy) return Promise.resolve();
    P.text(el.message, '');
    setBusy(true);
    return P.api('POST', base + path, body).then(function (next) {
      setBusy(false);
      apply(next);
      return next;
    }, function (err) {
      setBusy(false);
      showError(err);
      // the request may have moved on (expired, cancelled): show what it is now
      P.api('GET', base + '/state').then(apply, function () {});
    });
  }

  function choose(body) {
    return send('/method', body).then(function (next) {
      if (next) {
        opened = null;
        render();
        if (body.channel === 'mobile_money') P.announce('Payment prompt sent');
      }
    });
  }

  Array.prototype.forEach.call(main.querySelectorAll('button[data-channel]'), function (button) {
    button.addEventListener('click', function () {
      var channel = button.getAttribute('data-channel');
      if (channel === 'mobile_money') {
        opened = 'mobile_money';
        render();
        el.phone.focus();
        return;
      }
      opened = null;
      choose(channel === 'crypto' ? { channel: 'crypto', network: el.network.value } : { channel: channel });
    });
  });

  el.momoForm.addEventListener('submit', function (event) {
    event.preventDefault();
    el.phone.removeAttribute('aria-invalid');
    var phone = el.phone.value.trim();
    if (!phone) {
      showError({ message: 'Enter the phone number of the mobile money wallet.', problem: { param: 'phone' } });
      return;
    }
    choose({ channel: 'mobile_money', provider: el.provider.value, phone: phone });
  });

  el.network.addEventListener('change', function () {
    if (state.paymentMethod === 'crypto') choose({ channel: 'crypto', network: el.network.value });
  });
  el.refreshQuote.addEventListener('click', function () {
    choose({ channel: 'crypto', network: el.network.value }).then(function () { el.network.focus(); });
  });

  el.approve.addEventListener('click', function () {
    el.partial.removeAttribute('aria-invalid');
    var body = { outcome: 'approve' };
    if (state.partialAllowed && el.partial.value.trim() !== '') {
      var parsed = P.parseMajor(el.partial.value, state.exponent);
      if (parsed.error) {
        showError({ message: parsed.error, problem: { param: 'amount' } });
        return;
      }
      body.amount = parsed.minor;
    }
    send('/decision', body).then(function (next) {
      if (next) el.partial.value = '';
    });
  });
  el.decline.addEventListener('click', function () {
    send('/decision', { outcome: 'decline' });
  });

  render();
  setInterval(tick, 500);
  P.poll(function () {
    return base + '/state?version=' + state.version + '&waitSeconds=25';
  }, apply);
})();
`;
