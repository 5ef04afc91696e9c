// The dashboard's trends drawn with Chart.js (served by the application: dist/chart.js/). Each
// <canvas data-dashboard-chart="KEY"> draws the JSON in <script id="trend-KEY" type="application/json">
// (Django's json_script: no inline script, as the Content-Security-Policy requires). The table beside
// each chart gives the same figures in words, and is the chart's text alternative.
const BLUE = "#1d70b8";
const RED = "#ca3535";
const TEXT = "#0b0c0c";

function formatted(unit, value) {
  if (value === null || value === undefined) {
    return "No records";
  }
  if (unit === "percent") {
    return `${Math.round(value)}%`;
  }
  if (unit === "hours") {
    return `${value.toFixed(1)} hours`;
  }
  return String(Math.round(value));
}

function datasets(data) {
  const sets = [
    {
      label: data.label,
      data: data.values,
      borderColor: BLUE,
      backgroundColor: BLUE,
      pointRadius: 3,
      spanGaps: false,
    },
  ];
  if (data.target !== null && data.target !== undefined) {
    sets.push({
      label: `Target ${formatted(data.unit, data.target)}`,
      data: data.months.map(() => data.target),
      type: "line",
      borderColor: RED,
      backgroundColor: RED,
      borderDash: [6, 4],
      pointRadius: 0,
    });
  }
  return sets;
}

function draw(canvas) {
  const source = document.getElementById(`trend-${canvas.dataset.dashboardChart}`);
  if (!source) {
    return;
  }
  const data = JSON.parse(source.textContent);
  // eslint-disable-next-line no-new
  new window.Chart(canvas, {
    type: data.kind,
    data: { labels: data.months, datasets: datasets(data) },
    options: {
      animation: false,
      maintainAspectRatio: false,
      responsive: true,
      scales: {
        y: {
          beginAtZero: true,
          suggestedMax: data.unit === "percent" ? 100 : undefined,
          // Whole numbers on a count's axis: there is no half a referral.
          ticks: {
            color: TEXT,
            precision: data.unit === "count" ? 0 : undefined,
            callback: (value) => formatted(data.unit, value),
          },
        },
        x: { ticks: { color: TEXT } },
      },
      plugins: {
        legend: { display: data.target !== null && data.target !== undefined, labels: { color: TEXT } },
        tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${formatted(data.unit, item.raw)}` } },
      },
    },
  });
}

function drawAll() {
  if (typeof window.Chart === "undefined") {
    return;
  }
  document.querySelectorAll("canvas[data-dashboard-chart]").forEach(draw);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", drawAll);
} else {
  drawAll();
}
