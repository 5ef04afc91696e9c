// Drafts of long forms (SPEC 7.4: nothing typed is ever lost). A form marked data-app-draft is posted, as
// the user types, to its own address with the header "X-App-Draft: save"; the page keeps it as the user's
// draft (agencies/drafts.py) and offers it back when they return, after a time-out too. A pause in typing
// saves; so does a page being left, and a long spell of typing at least every MAX_WAIT_MS.
const PAUSE_MS = 1500;
const MAX_WAIT_MS = 15000;

const drafts = [];

class DraftForm {
  constructor(form) {
    this.form = form;
    this.status = form.querySelector("[data-app-draft-status]");
    this.problem = form.querySelector("[data-app-draft-problem]");
    this.dirty = false;
    this.firstChangeAt = null;
    this.timer = null;
    this.submitting = false;
    form.addEventListener("input", () => this.changed());
    form.addEventListener("change", () => this.changed());
    form.addEventListener("submit", () => {
      // The record itself is being saved: a draft posted now could outlive it.
      this.submitting = true;
      clearTimeout(this.timer);
    });
  }

  changed() {
    this.dirty = true;
    if (this.firstChangeAt === null) {
      this.firstChangeAt = Date.now();
    }
    clearTimeout(this.timer);
    const longest = this.firstChangeAt + MAX_WAIT_MS - Date.now();
    this.timer = setTimeout(() => this.save(), Math.max(0, Math.min(PAUSE_MS, longest)));
  }

  fields() {
    const data = new FormData(this.form);
    // Files are uploaded with the record, never with a draft.
    for (const [name, value] of [...data.entries()]) {
      if (value instanceof File) {
        data.delete(name);
      }
    }
    return data;
  }

  async save({ leaving = false } = {}) {
    if (!this.dirty || this.submitting) {
      return;
    }
    this.dirty = false;
    this.firstChangeAt = null;
    clearTimeout(this.timer);
    // getAttribute: a field named "action" would shadow the form's own action property.
    const address = this.form.getAttribute("action") || window.location.href;
    try {
      const response = await fetch(address, {
        method: "POST",
        body: this.fields(),
        headers: { "X-App-Draft": "save", Accept: "application/json" },
        credentials: "same-origin",
        redirect: "manual",
        keepalive: leaving,
      });
      if (!response.ok) {
        throw new Error(`draft not saved: ${response.status}`);
      }
      const saved = await response.json();
      this.show(`Draft saved at ${saved.saved_at_text}`, "");
      document.dispatchEvent(new CustomEvent("app:session-used", { detail: saved.session_seconds_left }));
    } catch {
      this.dirty = true;
      this.show("", "Your draft could not be saved just now. Keep this page open: it will be tried again as you type.");
    }
  }

  show(status, problem) {
    if (this.status) {
      this.status.textContent = status;
      this.status.hidden = status === "";
    }
    if (this.problem) {
      this.problem.textContent = problem;
      this.problem.hidden = problem === "";
    }
  }
}

export function setUpDrafts() {
  for (const form of document.querySelectorAll("form[data-app-draft]")) {
    drafts.push(new DraftForm(form));
  }
  window.addEventListener("pagehide", () => {
    for (const draft of drafts) {
      draft.save({ leaving: true });
    }
  });
}

// Saves whatever has been typed since the last save (the time-out warning calls it before the session ends).
export function saveDraftsNow() {
  return Promise.all(drafts.map((draft) => draft.save()));
}
