// Live countdowns on the triage queue and the referral page. Each [data-countdown] holds a
// <time> whose text the server wrote (referrals.rules.time_left) for the deadline in data-due
// (seconds since 1970, as the <time>'s datetime is, to the microsecond); every 30
// seconds this says the time left again in the same words, and turns the tag orange when less
// than two hours are left and red once the deadline has passed. data-server-now (the server's
// clock when it drew the page, in seconds) keeps a wrong clock on the computer from showing
// the wrong time left.
const REFRESH_MS = 30_000;
const DUE_SOON_MS = 2 * 60 * 60 * 1000;
const STATE_CLASSES = {
  overdue: ["govuk-tag", "govuk-tag--red"],
  soon: ["govuk-tag", "govuk-tag--orange"],
  ok: [],
};
const ALL_CLASSES = ["govuk-tag", "govuk-tag--red", "govuk-tag--orange"];

function counted(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function duration(ms) {
  let minutes = Math.floor(ms / 60_000);
  const days = Math.floor(minutes / (24 * 60));
  minutes -= days * 24 * 60;
  const hours = Math.floor(minutes / 60);
  minutes -= hours * 60;
  const parts = [];
  if (days) {
    parts.push(counted(days, "day"));
  }
  if (hours) {
    parts.push(counted(hours, "hour"));
  }
  if (!days && (minutes || !hours)) {
    parts.push(counted(minutes, "minute"));
  }
  return parts.join(" ");
}

export function timeLeft(dueMs, nowMs) {
  const remaining = dueMs - nowMs;
  if (remaining <= 0) {
    return { text: `Overdue by ${duration(-remaining)}`, state: "overdue" };
  }
  return { text: `${duration(remaining)} left`, state: remaining < DUE_SOON_MS ? "soon" : "ok" };
}

function clockOffset(element) {
  if (element.dataset.clockOffset === undefined) {
    const serverNow = Number(element.dataset.serverNow) * 1000;
    element.dataset.clockOffset = String(Number.isFinite(serverNow) && serverNow > 0 ? serverNow - Date.now() : 0);
  }
  return Number(element.dataset.clockOffset);
}

function update(root) {
  for (const element of root.querySelectorAll("[data-countdown]")) {
    const time = element.querySelector("time");
    const due = Number(element.dataset.due) * 1000;
    if (!time || !Number.isFinite(due) || due <= 0) {
      continue;
    }
    const { text, state } = timeLeft(due, Date.now() + clockOffset(element));
    if (time.textContent !== text) {
      time.textContent = text;
    }
    element.classList.remove(...ALL_CLASSES);
    element.classList.add(...STATE_CLASSES[state]);
  }
}

// The clock offsets are measured as soon as the page (or an htmx swap) arrives.
update(document);
window.setInterval(() => update(document), REFRESH_MS);
document.addEventListener("htmx:afterSettle", (event) => update(event.target instanceof Element ? event.target : document));
