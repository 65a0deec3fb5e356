// The check-in page in the browser: checks the patron in at the till (as the patron this phone
// checked in as before, when there is one) and opens the patron's page.
export const CHECK_IN_JS = String.raw`(function () {
  'use strict';
  var P = window.posgate;
  var main = document.getElementById('check-in-page');
  if (!main) return;
  var url = '/check-in/' + encodeURIComponent(main.getAttribute('data-terminal-id'));
  var button = document.getElementById('check-in');
  var STORAGE = 'posgate.patronId';

  function remembered() {
    try { return localStorage.getItem(STORAGE); } catch (e) { return null; }
  }
  function remember(id) {
    try { localStorage.setItem(STORAGE, id); } catch (e) { /* private mode: fine */ }
  }

  function checkIn(patronId) {
    return P.api('POST', url, patronId ? { patronId: patronId } : {}).catch(function (err) {
      // a patron of another merchant (or a forgotten one): check in as a new patron
      if (patronId && (err.status === 404 || err.status === 400)) return checkIn(null);
      throw err;
    });
  }

  button.addEventListener('click', function () {
    button.disabled = true;
    P.text(document.getElementById('message'), '');
    checkIn(remembered()).then(function (result) {
      remember(result.patronId);
      location.assign(result.patronUrl);
    }, function (err) {
      button.disabled = false;
      P.text(document.getElementById('message'), err.message);
    });
  });
})();
`;
