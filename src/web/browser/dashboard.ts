// The payments list in the browser: listens to the dashboard's event stream and keeps the shown
// rows' statuses current; a request not on the page yet is counted, with a link to reload.
// It runs without client.js (the dashboard loads only this script), so it uses no window.posgate.

/** One `change` event of the dashboard's stream (src/web/dashboard). */
interface Change {
  id: string;
  status?: string;
}

(function () {
  const status = document.getElementById('live-status');
  const table = document.getElementById('requests');
  if (!status || !table || !window.EventSource) return;
  const fresh: Record<string, true> = {};
  const source = new EventSource(status.getAttribute('data-live') || '');
  source.addEventListener('open', () => { status.textContent = 'Live: updates appear as they happen.'; });
  source.addEventListener('error', () => { status.textContent = 'Live updates paused; reconnecting…'; });
  source.addEventListener('change', (message) => {
    const change = JSON.parse((message as MessageEvent<string>).data) as Change;
    const row = table.querySelector('tr[data-id="' + change.id.replace(/[^A-Za-z0-9_]/g, '') + '"]');
    if (row) {
      if (change.status) {
        const pill = row.querySelector('.pill');
        if (pill) { pill.setAttribute('data-status', change.status); pill.textContent = change.status.replace(/_/g, ' '); }
      }
      return;
    }
    fresh[change.id] = true;
    const count = Object.keys(fresh).length;
    status.textContent = '';
    const link = document.createElement('a');
    link.href = location.href;
    link.textContent = count + (count === 1 ? ' new payment request' : ' new payment requests') + ': reload';
    status.appendChild(link);
  });
})();
