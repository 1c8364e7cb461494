// Search as you type: debounced requests to /api/coins/search (the CLI's search), newest wins.
(function () {
  "use strict";
  const DEBOUNCE_MS = 250;
  const form = document.getElementById("search-form");
  const input = document.getElementById("q");
  const results = document.getElementById("results");
  const status = document.getElementById("search-status");
  if (!form || !input || !results) return;

  let timer = null;
  let inFlight = null;
  let shown = input.value.trim();

  const money = (value) =>
    value == null ? "—" : "$" + Number(value).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  function hitItem(hit) {
    const item = el("li", "hit");
    item.dataset.coinId = hit.id;
    const link = el("a", "hit-name", hit.full_name);
    link.href = "/coins/" + hit.id;
    item.appendChild(link);
    const meta = el("div", "hit-meta");
    meta.appendChild(el("span", "pcgs", hit.pcgs_number ? "PCGS #" + hit.pcgs_number : "no PCGS number yet"));
    meta.appendChild(el("span", null, hit.denomination));
    meta.appendChild(el("span", null, hit.series));
    item.appendChild(meta);
    if (hit.latest_prices && hit.latest_prices.length) {
      const chips = el("ul", "chips");
      hit.latest_prices.slice(0, 5).forEach((point) => {
        const chip = el("li");
        chip.appendChild(el("span", "grade", point.label));
        chip.appendChild(document.createTextNode(" "));
        chip.appendChild(el("span", "price", money(point.price)));
        chips.appendChild(chip);
      });
      item.appendChild(chips);
    }
    return item;
  }

  function show(query, body) {
    results.replaceChildren(...body.results.map(hitItem));
    const n = body.count;
    status.textContent = n + " result" + (n === 1 ? "" : "s") + " for “" + query + "”";
    results.dataset.query = query;
  }

  async function run() {
    const query = input.value.trim();
    if (query === shown) return;
    shown = query;
    history.replaceState(null, "", query ? "/?q=" + encodeURIComponent(query) : "/");
    if (inFlight) inFlight.abort();
    if (!query) {
      results.replaceChildren();
      results.dataset.query = "";
      status.textContent = "";
      return;
    }
    const controller = new AbortController();
    inFlight = controller;
    status.textContent = "Searching…";
    try {
      const response = await fetch("/api/coins/search?limit=20&q=" + encodeURIComponent(query), {
        signal: controller.signal,
        headers: { Accept: "application/json" },
      });
      const body = await response.json();
      if (controller !== inFlight) return;
      if (!response.ok) {
        results.replaceChildren();
        results.dataset.query = query;
        status.textContent = body.message || "The search failed (" + response.status + ").";
        return;
      }
      show(query, body);
    } catch (err) {
      if (err.name !== "AbortError") status.textContent = "The search failed: " + err.message;
    } finally {
      if (controller === inFlight) inFlight = null;
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, DEBOUNCE_MS);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    shown = null;
    run();
  });
})();
