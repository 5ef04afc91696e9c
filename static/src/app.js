// Every page's script: GOV.UK Frontend and MOJ Frontend components, the
// "Hide screen" button, drafts of long forms and the time-out warning. Loaded
// as a module, so it runs after the page is parsed.
import { initAll } from "./govuk/govuk-frontend.min.js";
import { initAll as initMojAll } from "./moj/moj-frontend.min.js";
import { setUpDrafts } from "./drafts.js";
import { setUpTimeoutWarning } from "./timeout.js";

// "Hide screen": a worker whose screen a visitor (often the family) can see covers
// it at once, with the button or by pressing Escape twice within ESCAPE_PAIR_MS.
// The cover replaces the address and title too, so neither names the record and a
// reload shows the home page, not the record.
const ESCAPE_PAIR_MS = 700;
const NEUTRAL_TITLE = "Blank page";

function setUpHideScreen() {
  const cover = document.getElementById("app-hide-screen");
  const hideButtons = document.querySelectorAll("[data-app-hide-screen]");
  if (!cover || hideButtons.length === 0) {
    return;
  }
  const showButton = cover.querySelector("[data-app-show-screen]");
  let hiddenFrom = null;
  let lastEscapeAt = 0;

  function hideScreen() {
    if (hiddenFrom) {
      return;
    }
    hiddenFrom = { title: document.title, url: window.location.href, focus: document.activeElement, elements: [] };
    document.body.classList.add("app-screen-hidden");
    for (const element of document.body.children) {
      if (element !== cover && !element.hidden) {
        element.hidden = true;
        hiddenFrom.elements.push(element);
      }
    }
    cover.hidden = false;
    document.title = NEUTRAL_TITLE;
    window.history.replaceState(null, "", cover.dataset.neutralUrl || "/");
    if (showButton) {
      showButton.focus();
    }
  }

  function showScreen() {
    if (!hiddenFrom) {
      return;
    }
    const { title, url, focus, elements } = hiddenFrom;
    hiddenFrom = null;
    window.history.replaceState(null, "", url);
    document.title = title;
    cover.hidden = true;
    for (const element of elements) {
      element.hidden = false;
    }
    document.body.classList.remove("app-screen-hidden");
    if (focus instanceof HTMLElement) {
      focus.focus();
    }
  }

  for (const button of hideButtons) {
    button.hidden = false;
    button.addEventListener("click", hideScreen);
  }
  for (const hint of document.querySelectorAll("[data-app-hide-screen-hint]")) {
    hint.hidden = false;
  }
  if (showButton) {
    showButton.addEventListener("click", showScreen);
  }
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || event.repeat || hiddenFrom) {
      return;
    }
    const now = Date.now();
    if (now - lastEscapeAt <= ESCAPE_PAIR_MS) {
      lastEscapeAt = 0;
      hideScreen();
    } else {
      lastEscapeAt = now;
    }
  });
}

// First, so that the page can be hidden even if a component fails to start.
setUpHideScreen();
initAll();
initMojAll();
setUpDrafts();
setUpTimeoutWarning();
