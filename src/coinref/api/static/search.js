// Search as you type: debounced requests to /api/coins/search (the CLI's search), newest wins.
// "More results" appends the next page (offset = the answer's next_offset); the series list
// below the search is hidden while a query is shown.
(function () {
  "use strict";
  const DEBOUNCE_MS = 250;
  const PAGE_SIZE = 20;
  const form = document.getElementById("search-form");
  const input = document.getElementById("q");
  const results = document.getElementById("results");
  const status = document.getElementById("search-status");
  const more = document.getElementById("more");
  const browse = document.getElementById("browse");
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

  function setMore(query, nextOffset) {
    if (!more) return;
    more.hidden = nextOffset == null;
    more.dataset.offset = nextOffset == null ? "" : String(nextOffset);
    more.href = "/?q=" + encodeURIComponent(query) + "&offset=" + (nextOffset == null ? "" : nextOffset);
  }

  function show(query, body, append) {
    const items = body.results.map(hitItem);
    if (append) results.append(...items);
    else results.replaceChildren(...items);
    const shown = results.children.length;
    if (!append) results.dataset.first = String(body.offset + 1);
    const first = Number(results.dataset.first || 1);
    status.textContent = body.total > shown
      ? first + "–" + (first + shown - 1) + " of " + body.total + " results for “" + query + "”"
      : shown + " result" + (shown === 1 ? "" : "s") + " for “" + query + "”";
    results.dataset.query = query;
    results.dataset.shown = String(shown);
    setMore(query, body.next_offset);
  }

  function searchUrl(query, offset) {
    return "/api/coins/search?limit=" + PAGE_SIZE + "&offset=" + offset + "&q=" + encodeURIComponent(query);
  }

  async function run() {
    const query = input.value.trim();
    if (query === shown) return;
    shown = query;
    history.replaceState(null, "", query ? "/?q=" + encodeURIComponent(query) : "/");
    if (inFlight) inFlight.abort();
    if (browse) browse.hidden = Boolean(query);
    if (!query) {
      results.replaceChildren();
      results.dataset.query = "";
      status.textContent = "";
      setMore("", null);
      return;
    }
    const controller = new AbortController();
    inFlight = controller;
    status.textContent = "Searching…";
    try {
      const response = await fetch(searchUrl(query, 0), {
        signal: controller.signal,
        headers: { Accept: "application/json" },
      });
      const body = await response.json();
      if (controller !== inFlight) return;
      if (!response.ok) {
        results.replaceChildren();
        results.dataset.query = query;
        setMore(query, null);
        status.textContent = body.message || "The search failed (" + response.status + ").";
        return;
      }
      show(query, body, false);
    } catch (err) {
      if (err.name !== "AbortError") status.textContent = "The search failed: " + err.message;
    } finally {
      if (controller === inFlight) inFlight = null;
    }
  }

  async function loadMore(event) {
    const query = results.dataset.query || "";
    const offset = more.dataset.offset;
    if (!query || offset === "") return;
    event.preventDefault();
    more.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(searchUrl(query, offset), { headers: { Accept: "application/json" } });
      const body = await response.json();
      if (!response.ok) {
        status.textContent = body.message || "The search failed (" + response.status + ").";
        return;
      }
      if (query === results.dataset.query) show(query, body, true);
    } catch (err) {
      status.textContent = "The search failed: " + err.message;
    } finally {
      more.removeAttribute("aria-busy");
    }
  }

  if (more) more.addEventListener("click", loadMore);
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
