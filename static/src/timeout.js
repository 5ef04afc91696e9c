// The GOV.UK timeout-warning pattern (templates/components/timeout_warning.html): a modal dialog opens
// data-warning-seconds before an idle session ends, saying how long is left; "Stay signed in" (or Escape)
// keeps the session. Before warning, and when the time runs out, the page asks the server how long is left
// (asking does not count as using the session), so a session kept alive in another tab is not ended here.
// When it has ended, the page goes to sign-in, which brings the user back to this page afterwards.
import { saveDraftsNow } from "./drafts.js";

function inWords(seconds) {
  if (seconds >= 60) {
    const minutes = Math.ceil(seconds / 60);
    return minutes === 1 ? "1 minute" : `${minutes} minutes`;
  }
  return seconds === 1 ? "1 second" : `${seconds} seconds`;
}

// What a screen reader is told, and when: each minute, then at 30 and 10 seconds (not every second).
function spokenStep(seconds) {
  if (seconds > 60) {
    return Math.ceil(seconds / 60) * 60;
  }
  return seconds > 30 ? 60 : seconds > 10 ? 30 : 10;
}

export function setUpTimeoutWarning() {
  const dialog = document.querySelector("[data-app-timeout]");
  if (!dialog || typeof dialog.showModal !== "function") {
    return;
  }
  const statusUrl = dialog.dataset.statusUrl;
  const warningMs = Number(dialog.dataset.warningSeconds) * 1000;
  const countdown = dialog.querySelector("[data-app-timeout-countdown]");
  const spoken = dialog.querySelector("[data-app-timeout-spoken]");
  const form = dialog.querySelector("[data-app-timeout-form]");
  const stay = dialog.querySelector("[data-app-timeout-stay]");
  let endsAt = 0;
  let warnTimer = null;
  let tickTimer = null;
  let lastSpoken = null;
  let returnFocus = null;

  function schedule(secondsLeft) {
    endsAt = Date.now() + secondsLeft * 1000;
    clearTimeout(warnTimer);
    warnTimer = setTimeout(warn, Math.max(0, endsAt - warningMs - Date.now()));
  }

  async function askServer() {
    try {
      const response = await fetch(statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      return response.ok ? await response.json() : null;
    } catch {
      return null;
    }
  }

  async function warn() {
    const status = await askServer();
    if (status && !status.signed_in) {
      signedOut();
      return;
    }
    if (status && status.seconds_left * 1000 > warningMs + 1000) {
      schedule(status.seconds_left);
      return;
    }
    if (status) {
      endsAt = Date.now() + status.seconds_left * 1000;
    }
    await saveDraftsNow();
    // A draft saved just now counted as using the session (app:session-used moved the end on): no warning yet.
    if (endsAt - Date.now() > warningMs + 1000) {
      return;
    }
    open();
  }

  function secondsLeft() {
    return Math.max(0, Math.ceil((endsAt - Date.now()) / 1000));
  }

  function update() {
    const left = secondsLeft();
    countdown.textContent = inWords(left);
    const step = spokenStep(left);
    if (step !== lastSpoken) {
      lastSpoken = step;
      spoken.textContent = `For your security, we will sign you out in ${inWords(left)}.`;
    }
    if (left === 0) {
      clearInterval(tickTimer);
      expire();
    }
  }

  function open() {
    if (dialog.open) {
      return;
    }
    returnFocus = document.activeElement;
    lastSpoken = null;
    update();
    dialog.showModal();
    stay.focus();
    tickTimer = setInterval(update, 1000);
  }

  function close() {
    clearInterval(tickTimer);
    if (dialog.open) {
      dialog.close();
    }
    if (returnFocus instanceof HTMLElement) {
      returnFocus.focus();
    }
  }

  async function staySignedIn() {
    try {
      const response = await fetch(form.getAttribute("action"), {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const status = response.ok ? await response.json() : null;
      if (status && status.signed_in) {
        close();
        schedule(status.seconds_left);
        return;
      }
    } catch {
      // Fall through: the page reload below shows sign-in if the session has gone.
    }
    signedOut();
  }

  async function expire() {
    const status = await askServer();
    if (status && status.signed_in && status.seconds_left > 0) {
      close();
      schedule(status.seconds_left);
      return;
    }
    signedOut();
  }

  function signedOut() {
    // The page again: with the session ended it leads to sign-in, and back here afterwards.
    window.location.assign(window.location.href);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    staySignedIn();
  });
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    staySignedIn();
  });
  document.addEventListener("app:session-used", (event) => {
    if (!dialog.open && typeof event.detail === "number") {
      schedule(event.detail);
    }
  });
  schedule(Number(dialog.dataset.secondsLeft));
}
