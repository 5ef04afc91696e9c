// Builds what the pages load into static/dist/: the stylesheet compiled from
// static/src/app.scss (GOV.UK Frontend and MOJ Frontend from node_modules), our
// script, and copies of the front-end packages, so the application serves them
// itself (never a CDN).
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as sass from "sass";

const out = "static/dist";
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const copies = [
  ["node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css", "govuk/govuk-frontend.min.css"],
  ["node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js", "govuk/govuk-frontend.min.js"],
  ["node_modules/govuk-frontend/dist/govuk/assets", "govuk/assets"],
  ["node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.js", "moj/moj-frontend.min.js"],
  ["node_modules/@ministryofjustice/frontend/moj/assets", "moj/assets"],
  ["node_modules/htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"],
  ["node_modules/chart.js/dist/chart.umd.min.js", "chart.js/chart.umd.min.js"],
  ["static/src/app.js", "app.js"],
  ["static/src/drafts.js", "drafts.js"],
  ["static/src/timeout.js", "timeout.js"],
  ["static/src/dash.js", "dash.js"],
  ["static/src/countdown.js", "countdown.js"],
  ["static/src/dashboard-charts.js", "dashboard-charts.js"],
];
for (const [from, to] of copies) {
  cpSync(from, `${out}/${to}`, { recursive: true });
}

const result = sass.compile("static/src/app.scss", {
  // "." as well: MOJ Frontend loads GOV.UK Frontend as "node_modules/govuk-frontend/…".
  loadPaths: ["node_modules", "."],
  style: "compressed",
  quietDeps: true,
  sourceMap: false,
});
writeFileSync(`${out}/app.css`, result.css);
