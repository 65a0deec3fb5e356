// The check-in page in the browser: checks the patron in at the till (as the patron this phone
// checked in as before, when there is one) and opens the patron's page.
import type { ApiError } from './posgate.js';

interface CheckedIn {
  patronId: string;
  patronUrl: string;
}

(function () {
  const P = window.posgate;
  const main = document.getElementById('check-in-page');
  if (!main) return;
  const url = '/check-in/' + encodeURIComponent(main.getAttribute('data-terminal-id') || '');
  const button = document.getElementById('check-in') as HTMLButtonElement;
  const STORAGE = 'posgate.patronId';

  function remembered(): string | null {
    try { return localStorage.getItem(STORAGE); } catch { return null; }
  }
  function remember(id: string): void {
    try { localStorage.setItem(STORAGE, id); } catch { /* private mode: fine */ }
  }

  function checkIn(patronId: string | null): Promise<CheckedIn> {
    return P.api<CheckedIn>('POST', url, patronId ? { patronId } : {}).catch((err: ApiError) => {
      // a patron of another merchant (or a forgotten one): check in as a new patron
      if (patronId && (err.status === 404 || err.status === 400)) return checkIn(null);
      throw err;
    });
  }

  button.addEventListener('click', () => {
    button.disabled = true;
    P.text(document.getElementById('message'), '');
    checkIn(remembered()).then(
      (result) => {
        remember(result.patronId);
        location.assign(result.patronUrl);
      },
      (err: ApiError) => {
        button.disabled = false;
        P.text(document.getElementById('message'), err.message);
      },
    );
  });
})();
