// The pay page in the browser: renders the request's state, keeps it live (long-poll), counts
// down, lets the patron choose a channel and (sandbox) approve or decline. The channel list is the
// server's own (CHANNELS), imported, so a channel the server adds gets its panel toggled here too.
import { CHANNELS } from '../../app/ports/connector.js';
import type { ApiError } from './posgate.js';

/** The pay page's state as the server renders it (src/web/pay.ts). */
interface PayState {
  version: number;
  now: string;
  status: string;
  statusKey: string;
  statusText: string;
  amount: number | null;
  currency: string;
  exponent: number;
  description: string | null;
  expiresAt: string;
  amountReceived: number;
  remaining: number | null;
  overpaid: boolean;
  overpaidAmount: number;
  basketAmount: number | null;
  lineItems: { name: string; quantity: number; total: number }[];
  paymentMethod: string | null;
  paymentMethodDetails: Record<string, string | number | undefined> | null;
  allowedMethods: string[] | null;
  livemode: boolean;
  partialAllowed: boolean;
  redirectUrl: string | null;
}

type Failure = Pick<ApiError, 'message' | 'problem'>;

(function () {
  const P = window.posgate;
  const $ = P.$;
  const found = document.getElementById('pay');
  if (!found) return;
  const main: HTMLElement = found;
  const base = '/pay/' + encodeURIComponent(main.getAttribute('data-request-id') || '');
  let state = P.readJson<PayState>('initial-state');
  let opened: string | null = null; // a channel whose form is open but not sent yet (mobile money)
  let deadline: number | null = null;
  let quoteDeadline: number | null = null;
  let lastExpiryCheck = 0;
  let busy = false;
  let itemsKey: string | null = null;

  const el = {
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
    provider: $<HTMLSelectElement>('#provider'),
    phone: $<HTMLInputElement>('#phone'),
    momoForm: $<HTMLFormElement>('#panel-mobile_money'),
    promptStatus: $('[data-testid=prompt-status]'),
    network: $<HTMLSelectElement>('#network'),
    refreshQuote: $('#refresh-quote'),
    quoteExpires: $('[data-testid=quote-expires]'),
    sandbox: $('#sandbox'),
    partialRow: $('#partial-row'),
    partial: $<HTMLInputElement>('#partial-amount'),
    approve: $('#approve'),
    decline: $('#decline'),
    liveNote: $('#live-note'),
    message: $('#message'),
  };

  function money(minor: number | null | undefined): string {
    return P.formatMoney(minor, state.currency, state.exponent);
  }
  function isWaiting(): boolean {
    return state.statusKey === 'waiting';
  }
  function canPay(): boolean {
    return (state.status === 'created' || state.status === 'pending') && state.amount !== null;
  }
  function details(): Record<string, string | number | undefined> {
    return state.paymentMethodDetails || {};
  }

  function renderItems(): void {
    const key = JSON.stringify([state.lineItems, state.currency]);
    if (key === itemsKey) return;
    itemsKey = key;
    const list: HTMLLIElement[] = [];
    state.lineItems.forEach((item) => {
      const li = document.createElement('li');
      const name = document.createElement('span');
      name.className = 'item-name';
      name.textContent = item.name;
      const qty = document.createElement('span');
      qty.className = 'item-qty';
      qty.textContent = '\u00d7 ' + item.quantity;
      const total = document.createElement('span');
      total.className = 'item-total';
      total.textContent = money(item.total);
      li.append(name, ' ', qty, ' ', total);
      list.push(li);
    });
    el.items.replaceChildren(...list);
    P.show(el.itemsSection, list.length > 0);
  }

  function renderPanels(): void {
    const chosen = opened || (state.paymentMethodDetails ? state.paymentMethod : null);
    CHANNELS.forEach((channel) => {
      P.show(document.getElementById('panel-' + channel), channel === chosen);
      const button = document.querySelector<HTMLElement>('button[data-channel="' + channel + '"]');
      if (button) {
        button.setAttribute('aria-pressed', String(channel === chosen));
        P.show(button, !state.allowedMethods || state.allowedMethods.indexOf(channel) >= 0);
      }
    });
    const d = details();
    const current = state.paymentMethod;
    P.text($('[data-testid=card-note]'), current === 'card' && d.note ? d.note + (d.last4 ? ' (card ending ' + d.last4 + ')' : '') : '');
    P.text($('[data-testid=wallet-note]'), current === 'wallet' && d.note ? String(d.note) : '');
    P.text(el.promptStatus, current === 'mobile_money' && d.prompt ? String(d.prompt) : '');
    if (current === 'bank_transfer') {
      P.text($('[data-testid=transfer-amount]'), money(d.amount as number));
      P.text($('[data-testid=bank-name]'), String(d.bankName || ''));
      P.text($('[data-testid=account-number]'), String(d.accountNumber || ''));
      P.text($('[data-testid=account-name]'), String(d.accountName || ''));
    }
    if (current === 'crypto') {
      const sats = typeof d.paymentAmountSats === 'number' ? ' (' + d.paymentAmountSats.toLocaleString(P.locale) + ' sats)' : '';
      P.text($('[data-testid=crypto-amount]'), d.paymentAmount + ' BTC' + sats);
      P.text($('[data-testid=crypto-rate]'), '1 BTC = ' + P.formatDecimal(String(d.exchangeRate), state.currency, state.exponent));
      P.text($('[data-testid=crypto-address]'), String(d.address || ''));
      P.text($('[data-testid=crypto-invoice]'), String(d.invoice || ''));
      P.show($('#crypto-address-row'), !!d.address);
      P.show($('#crypto-invoice-row'), !!d.invoice);
      const network = String(d.network);
      if (el.network.value !== network && document.activeElement !== el.network) el.network.value = network;
      quoteDeadline = P.deadline(Number(d.expiresAt), state.now);
    } else {
      quoteDeadline = null;
    }
  }

  function render(): void {
    P.text(el.amount, state.amount === null ? 'Amount to follow' : money(state.amount));
    P.text(el.description, state.description || '');
    P.show(el.description, !!state.description);
    P.text(el.status, state.statusText);
    el.status.setAttribute('data-state', state.statusKey);
    main.setAttribute('data-status', state.status);

    deadline = isWaiting() ? P.deadline(state.expiresAt, state.now) : null;
    P.show(el.timeLeft, isWaiting());

    const showProgress = state.amount !== null;
    P.show(el.progress, showProgress);
    P.text(el.received, money(state.amountReceived));
    P.text(el.remaining, state.remaining === null ? '' : money(state.remaining));
    P.show(el.overpaidRow, !!state.overpaid);
    P.text(el.overpaid, state.overpaid ? money(state.overpaidAmount) : '');
    P.show(el.basket, state.basketAmount !== null);
    P.text(el.basket, state.basketAmount !== null ? 'This payment is part of a total bill of ' + money(state.basketAmount) + '.' : '');

    renderItems();

    const choosing = canPay();
    if (!choosing) opened = null;
    P.show(el.methods, choosing);
    renderPanels();

    P.show(el.sandbox, choosing && !state.livemode);
    P.show(el.partialRow, state.partialAllowed && choosing);
    P.show(el.approve, !state.livemode);
    P.show(el.decline, !state.livemode);
    P.show(el.liveNote, state.livemode && isWaiting());

    // only a web link goes back to the merchant (never a javascript: or data: URL)
    const back = state.statusKey === 'paid' && typeof state.redirectUrl === 'string' && /^https?:\/\//i.test(state.redirectUrl);
    if (back && el.redirect.getAttribute('href') !== state.redirectUrl) el.redirect.setAttribute('href', state.redirectUrl as string);
    P.show(el.redirectRow, !!back);
    setBusy(busy);
    tick();
  }

  function apply(next: PayState | undefined | null): void {
    if (!next || next.version < state.version) return;
    const changed = next.version !== state.version;
    const before = state.statusKey;
    state = next;
    render();
    if (changed && before !== state.statusKey && state.statusKey !== 'waiting') P.text(el.message, '');
  }

  function tick(): void {
    if (deadline !== null) {
      const left = deadline - P.clock();
      if (left > 0) {
        P.text(el.timeLeft, 'Time left: ' + P.duration(left));
      } else {
        P.text(el.timeLeft, 'Time is up');
        // the server expires an overdue request when it is read: read it now (at most every 2 s)
        if (P.clock() - lastExpiryCheck > 2000) {
          lastExpiryCheck = P.clock();
          P.api<PayState>('GET', base + '/state').then(apply, () => {});
        }
      }
    }
    if (quoteDeadline !== null) {
      const quoteLeft = quoteDeadline - P.clock();
      const expired = quoteLeft <= 0;
      P.text(el.quoteExpires, expired ? 'Quote expired: refresh it for a new rate' : 'Valid for ' + P.duration(quoteLeft));
      P.show(el.refreshQuote, expired);
    } else {
      P.show(el.refreshQuote, false);
    }
  }

  function setBusy(value: boolean): void {
    busy = value;
    main.querySelectorAll<HTMLButtonElement>('#methods button, #sandbox button').forEach((button) => {
      button.disabled = value;
    });
    main.setAttribute('aria-busy', String(value));
  }

  function showError(err: Failure): void {
    P.text(el.message, err.message);
    const param = err.problem && err.problem.param;
    if (param === 'phone') { el.phone.setAttribute('aria-invalid', 'true'); el.phone.focus(); }
    if (param === 'amount' && !el.partialRow.hidden) { el.partial.setAttribute('aria-invalid', 'true'); el.partial.focus(); }
  }

  function send(path: string, body: unknown): Promise<PayState | undefined> {
    if (busy) return Promise.resolve(undefined);
    P.text(el.message, '');
    setBusy(true);
    return P.api<PayState>('POST', base + path, body).then(
      (next) => {
        setBusy(false);
        apply(next);
        return next;
      },
      (err: ApiError) => {
        setBusy(false);
        showError(err);
        // the request may have moved on (expired, cancelled): show what it is now
        P.api<PayState>('GET', base + '/state').then(apply, () => {});
        return undefined;
      },
    );
  }

  function choose(body: { channel: string; [field: string]: string }): Promise<void> {
    return send('/method', body).then((next) => {
      if (next) {
        opened = null;
        render();
        if (body.channel === 'mobile_money') P.announce('Payment prompt sent');
      }
    });
  }

  main.querySelectorAll('button[data-channel]').forEach((button) => {
    button.addEventListener('click', () => {
      const channel = button.getAttribute('data-channel') || '';
      if (channel === 'mobile_money') {
        opened = 'mobile_money';
        render();
        el.phone.focus();
        return;
      }
      opened = null;
      choose(channel === 'crypto' ? { channel: 'crypto', network: el.network.value } : { channel });
    });
  });

  el.momoForm.addEventListener('submit', (event) => {
    event.preventDefault();
    el.phone.removeAttribute('aria-invalid');
    const phone = el.phone.value.trim();
    if (!phone) {
      showError({ message: 'Enter the phone number of the mobile money wallet.', problem: { param: 'phone' } });
      return;
    }
    choose({ channel: 'mobile_money', provider: el.provider.value, phone });
  });

  el.network.addEventListener('change', () => {
    if (state.paymentMethod === 'crypto') choose({ channel: 'crypto', network: el.network.value });
  });
  el.refreshQuote.addEventListener('click', () => {
    choose({ channel: 'crypto', network: el.network.value }).then(() => { el.network.focus(); });
  });

  el.approve.addEventListener('click', () => {
    el.partial.removeAttribute('aria-invalid');
    const body: { outcome: 'approve'; amount?: number } = { outcome: 'approve' };
    if (state.partialAllowed && el.partial.value.trim() !== '') {
      const parsed = P.parseMajor(el.partial.value, state.exponent);
      if (parsed.error !== undefined) {
        showError({ message: parsed.error, problem: { param: 'amount' } });
        return;
      }
      body.amount = parsed.minor;
    }
    send('/decision', body).then((next) => {
      if (next) el.partial.value = '';
    });
  });
  el.decline.addEventListener('click', () => {
    send('/decision', { outcome: 'decline' });
  });

  render();
  setInterval(tick, 500);
  P.poll<PayState>(() => base + '/state?version=' + state.version + '&waitSeconds=25', apply);
})();
