// The collection page's chart: the collection's total value on each day, values on hover.
(function () {
  "use strict";
  const canvas = document.getElementById("value-chart");
  const data = document.getElementById("value-data");
  if (!canvas || !data || !window.Chart) return;
  const points = JSON.parse(data.textContent);
  const money = (value) =>
    "$" + Number(value).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const day = (ms) => new Date(ms).toISOString().slice(0, 10);
  window.coinrefValueChart = new window.Chart(canvas, {
    type: "line",
    data: {
      datasets: [{
        label: "Collection value",
        data: points.map(([date, total]) => ({ x: Date.parse(date + "T00:00:00Z"), y: total })),
        borderColor: "#2f5fb3",
        backgroundColor: "rgba(47, 95, 179, 0.12)",
        fill: true,
        borderWidth: 2,
        pointRadius: 3,
        tension: 0.1,
      }],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "nearest", axis: "x", intersect: false },
      scales: {
        x: { type: "linear", ticks: { callback: (value) => day(value), maxRotation: 0,
                                      maxTicksLimit: canvas.clientWidth < 500 ? 3 : 5 } },
        y: { ticks: { callback: (value) => money(value) } },
      },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { title: (items) => (items.length ? day(items[0].parsed.x) : ""),
                                label: (item) => money(item.parsed.y) } },
      },
    },
  });
  canvas.dataset.points = String(points.length);
})();
