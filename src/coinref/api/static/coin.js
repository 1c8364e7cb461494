// The price-history chart of a coin page: one line of guide values per grade, that grade's auction
// sales as points in the same colour, values on hover.
(function () {
  "use strict";
  const canvas = document.getElementById("price-chart");
  const data = document.getElementById("chart-data");
  if (!canvas || !data || !window.Chart) return;
  const lines = JSON.parse(data.textContent);
  const palette = ["#2f5fb3", "#c2852b", "#3d8b5a", "#b3342f", "#7b4fb0", "#1f8a99", "#a34d79", "#6b7b2a", "#d0661a", "#44546a"];
  const money = (value) =>
    "$" + Number(value).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const day = (ms) => new Date(ms).toISOString().slice(0, 10);

  const at = (date) => Date.parse(date + "T00:00:00Z");
  const guides = lines.filter((line) => line.points.length).map((line, i) => ({
    label: line.label,
    data: line.points.map(([date, price]) => ({ x: at(date), y: price })),
    borderColor: palette[lines.indexOf(line) % palette.length],
    backgroundColor: palette[lines.indexOf(line) % palette.length],
    borderWidth: 2,
    pointRadius: 2,
    pointHoverRadius: 5,
    tension: 0.15,
  }));
  const sales = lines.filter((line) => (line.sales || []).length).map((line) => ({
    label: line.label + " sales",
    kind: "sales",
    showLine: false,
    data: line.sales.map(([date, price, house]) => ({ x: at(date), y: price, house })),
    borderColor: palette[lines.indexOf(line) % palette.length],
    backgroundColor: palette[lines.indexOf(line) % palette.length] + "99",
    pointStyle: "rectRot",
    pointRadius: 5,
    pointHoverRadius: 7,
  }));
  const datasets = guides.concat(sales);

  // a history of one or two days would be drawn over years of empty axis: show at least a month
  const xs = datasets.flatMap((d) => d.data.map((p) => p.x));
  const DAY = 86400000;
  const span = Math.max(...xs) - Math.min(...xs);
  const pad = span < 30 * DAY ? (30 * DAY - span) / 2 : 0;
  if (xs.length <= 2 * datasets.length) guides.forEach((d) => { d.pointRadius = 4; });

  window.coinrefChart = new window.Chart(canvas, {
    type: "line",
    data: { datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "nearest", axis: "x", intersect: false },
      scales: {
        x: {
          type: "linear",
          min: pad ? Math.min(...xs) - pad : undefined,
          max: pad ? Math.max(...xs) + pad : undefined,
          ticks: { callback: (value) => day(value), maxTicksLimit: 6, maxRotation: 0 },
        },
        y: { ticks: { callback: (value) => money(value) } },
      },
      plugins: {
        legend: { position: "bottom", labels: { boxWidth: 12 } },
        tooltip: {
          callbacks: {
            title: (items) => (items.length ? day(items[0].parsed.x) : ""),
            label: (item) => item.dataset.label + ": " + money(item.parsed.y)
              + (item.raw.house ? " (" + item.raw.house + ")" : ""),
          },
        },
      },
    },
  });
  canvas.dataset.datasets = String(datasets.length);
  canvas.dataset.salePoints = String(sales.reduce((n, d) => n + d.data.length, 0));
})();
