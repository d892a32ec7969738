// The launch page: keep this launch's key where only pages of this origin
// (port included) can read it, then go on to the page asked for, replacing
// the URL with the launch secret in the history.
"use strict";
(() => {
  const meta = (name) => document.querySelector(`meta[name="${name}"]`).content;
  localStorage.setItem("hfgate-key", meta("hfgate-key"));
  location.replace(meta("hfgate-next"));
})();
