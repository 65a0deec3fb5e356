// The sandbox patron's page in the browser: shows the current patron code (a new one when it
// expires or is used) and the requests pushed to the patron, with approve and decline.
import type { ApiError } from './posgate.js';

interface PushedRequest {
  id: string;
  status: string;
  statusText: string;
  actionable: boolean;
  amount: number | null;
  remaining: number | null;
  currency: string;
  exponent: number;
  description: string | null;
}

/** The patron page's state as the server renders it (src/web/patron.ts). */
interface PatronState {
  version: string | number;
  now: string;
  code: string;
  codeExpiresAt: string;
  qrSvg: string;
  barcodeSvg: string;
  requests: PushedRequest[];
}

type Outcome = 'approve' | 'decline';

(function () {
  const P = window.posgate;
  const $ = P.$;
  const main = document.getElementById('patron');
  if (!main) return;
  const base = '/patron/' + encodeURIComponent(main.getAttribute('data-patron-id') || '');
  let state = P.readJson<PatronState>('initial-state');
  let codeDeadline: number | null = null;
  let lastRefresh = 0;
  let busy = false;
  let listKey: string | null = null;
  const list = $('#requests');

  function money(r: PushedRequest, minor: number | null): string {
    return minor === null ? 'Amount to follow' : P.formatMoney(minor, r.currency, r.exponent);
  }

  function requestItem(r: PushedRequest): HTMLLIElement {
    const li = document.createElement('li');
    li.setAttribute('data-testid', 'request');
    li.setAttribute('data-request-id', r.id);
    li.setAttribute('data-status', r.status);
    const amount = document.createElement('p');
    amount.className = 'request-amount';
    amount.setAttribute('data-testid', 'request-amount');
    amount.textContent = money(r, r.amount);
    li.append(amount);
    if (r.description) {
      const d = document.createElement('p');
      d.className = 'hint';
      d.textContent = r.description;
      li.append(d);
    }
    const status = document.createElement('p');
    status.setAttribute('data-testid', 'request-status');
    status.textContent = r.actionable ? 'Waiting for you to approve' : r.statusText;
    li.append(status);
    if (r.actionable) {
      const actions = document.createElement('div');
      actions.className = 'actions';
      const choices: [Outcome, string, string][] = [['approve', 'Approve ' + money(r, r.remaining !== null ? r.remaining : r.amount), 'primary'], ['decline', 'Decline', 'secondary']];
      choices.forEach(([outcome, label, className]) => {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = className;
        b.setAttribute('data-action', outcome);
        b.textContent = label;
        b.disabled = busy;
        b.addEventListener('click', () => { decide(r.id, outcome); });
        actions.append(b);
      });
      li.append(actions);
    }
    return li;
  }

  function render(): void {
    P.text($('[data-testid=patron-code]'), state.code);
    P.setSvg($('[data-testid=patron-qr]'), state.qrSvg);
    P.setSvg($('[data-testid=patron-barcode]'), state.barcodeSvg);
    codeDeadline = P.deadline(state.codeExpiresAt, state.now);
    const key = JSON.stringify(state.requests) + busy;
    if (key !== listKey) {
      // keep the keyboard focus on the same button across the re-render
      const active = document.activeElement;
      const focused = active && active.getAttribute && active.getAttribute('data-action');
      const focusedId = focused && active && active.closest('[data-request-id]')?.getAttribute('data-request-id');
      listKey = key;
      list.replaceChildren(...state.requests.map(requestItem));
      if (focusedId) {
        const again = list.querySelector<HTMLElement>('[data-request-id="' + focusedId + '"] [data-action="' + focused + '"]');
        if (again) again.focus();
      }
    }
    P.show($('#no-requests'), state.requests.length === 0);
    tick();
  }

  function apply(next: PatronState | null): void {
    if (!next) return;
    const before = state;
    state = next;
    if (before.code !== state.code) P.announce('Your patron code changed');
    const fresh = state.requests.filter((r) => r.actionable && !before.requests.some((b) => b.id === r.id && b.actionable));
    const first = fresh[0];
    if (first) P.announce('New payment request: ' + money(first, first.amount));
    render();
  }

  function refresh(): Promise<void> {
    lastRefresh = P.clock();
    return P.api<PatronState>('GET', base + '/state').then(apply, () => {});
  }

  function tick(): void {
    if (codeDeadline === null) return;
    const left = codeDeadline - P.clock();
    if (left > 0) {
      P.text($('[data-testid=code-expires]'), 'Changes in ' + P.duration(left));
    } else {
      P.text($('[data-testid=code-expires]'), 'Getting a new code\u2026');
      if (P.clock() - lastRefresh > 2000) refresh();
    }
  }

  function decide(requestId: string, outcome: Outcome): void {
    if (busy) return;
    busy = true;
    P.text($('#message'), '');
    render();
    P.api<PatronState>('POST', base + '/requests/' + encodeURIComponent(requestId) + '/decision', { outcome }).then(
      (next) => {
        busy = false;
        apply(next);
        P.announce(outcome === 'approve' ? 'Payment approved' : 'Payment declined');
      },
      (err: ApiError) => {
        busy = false;
        P.text($('#message'), err.message);
        refresh();
      },
    );
  }

  render();
  setInterval(tick, 500);
  P.poll<PatronState>(() => base + '/state?version=' + encodeURIComponent(state.version) + '&waitSeconds=25', apply);
})();
