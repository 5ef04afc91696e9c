// Copies the front-end packages the pages use from node_modules into static/dist/,
// so the application serves them itself (never a CDN).
import { cpSync, mkdirSync, rmSync } from "node:fs";

const out = "static/dist";
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const copies = [
  ["node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css", "govuk/govuk-frontend.min.css"],
  ["node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js", "govuk/govuk-frontend.min.js"],
  ["node_modules/govuk-frontend/dist/govuk/assets", "govuk/assets"],
  ["node_modules/htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"],
  ["node_modules/chart.js/dist/chart.umd.min.js", "chart.js/chart.umd.min.js"],
];
for (const [from, to] of copies) {
  cpSync(from, `${out}/${to}`, { recursive: true });
}
