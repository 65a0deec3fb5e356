// The customer display in the browser: idle (check-in QR), active (amount and pay QR), outcome;
// switches without a reload as the long-poll reports the terminal's requests.
import type { ApiError } from './posgate.js';

interface ShownRequest {
  currency: string;
  exponent: number;
  amount: number | null;
  amountReceived: number;
  remaining: number | null;
  shortCode: string;
}

/** The display's state as the server renders it (src/web/display.ts). */
interface DisplayState {
  version: string | number;
  state: string;
  request: ShownRequest | null;
  payQrSvg?: string;
  message: string;
}

(function () {
  const P = window.posgate;
  const $ = P.$;
  const main = document.getElementById('display');
  if (!main) return;
  const terminalId = main.getAttribute('data-terminal-id') || '';
  const key = new URLSearchParams(location.search).get('token') || '';
  let state = P.readJson<DisplayState>('initial-state');
  const box = $('[data-testid=display-state]');
  const screens = { idle: $('#screen-idle'), active: $('#screen-active'), outcome: $('#screen-outcome') };

  function money(r: ShownRequest, minor: number | null): string {
    return minor === null ? 'Amount to follow' : P.formatMoney(minor, r.currency, r.exponent);
  }

  function render(): void {
    const s = state.state;
    const before = box.getAttribute('data-state');
    box.setAttribute('data-state', s);
    P.show(screens.idle, s === 'idle');
    P.show(screens.active, s === 'active');
    P.show(screens.outcome, s !== 'idle' && s !== 'active');
    const r = state.request;
    if (s === 'active' && r) {
      P.text($('[data-testid=amount]'), money(r, r.amount));
      if (state.payQrSvg) P.setSvg($('[data-testid=pay-qr]'), state.payQrSvg);
      P.text($('[data-testid=short-code]'), r.shortCode);
      const part = r.amountReceived > 0 && r.remaining !== null;
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

  function apply(next: DisplayState | null): void {
    if (!next) return;
    state = next;
    render();
  }

  render();
  P.poll<DisplayState>(
    () => '/display/' + encodeURIComponent(terminalId) + '/state?version=' + encodeURIComponent(state.version) + '&waitSeconds=25',
    apply,
    {
      headers: { authorization: 'Bearer ' + key },
      onFatal: (err: ApiError) => {
        const c = document.getElementById('connection');
        P.text(c, err.message);
        P.show(c, true);
      },
    },
  );
})();
