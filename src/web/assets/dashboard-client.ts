// The payments list in the browser: listens to the dashboard's event stream and keeps the shown
// rows' statuses current; a request not on the page yet is counted, with a link to reload.
export const DASHBOARD_JS = String.raw`(function () {
  'use strict';
  var status = document.getElementById('live-status');
  var table = document.getElementById('requests');
  if (!status || !table || !window.EventSource) return;
  var fresh = {};
  var source = new EventSource(status.getAttribute('data-live'));
  source.addEventListener('open', function () { status.textContent = 'Live: updates appear as they happen.'; });
  source.addEventListener('error', function () { status.textContent = 'Live updates paused; reconnecting…'; });
  source.addEventListener('change', function (message) {
    var change = JSON.parse(message.data);
    var row = table.querySelector('tr[data-id="' + change.id.replace(/[^A-Za-z0-9_]/g, '') + '"]');
    if (row) {
      if (change.status) {
        var pill = row.querySelector('.pill');
        if (pill) { pill.setAttribute('data-status', change.status); pill.textContent = change.status.replace(/_/g, ' '); }
      }
      return;
    }
    fresh[change.id] = true;
    var count = Object.keys(fresh).length;
    status.textContent = '';
    var link = document.createElement('a');
    link.href = location.href;
    link.textContent = count + (count === 1 ? ' new payment request' : ' new payment requests') + ': reload';
    status.appendChild(link);
  });
})();
`;
