/* POST JSON with the page's CSRF token; resolves with the answer's JSON,
   rejects with the error body ({code, message}). */
(function () {
  "use strict";
  window.postJSON = function (url, csrf, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-CSRF-Token": csrf },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { throw data; }
        return data;
      });
    });
  };
})();
