"""The web page in real headless Chromium (Debian's ``chromium`` driven by Playwright).

A uvicorn server runs the app on a free loopback port, in a thread, against a SQLite database
holding a small priced catalog (``tests/api_support.py``). The tests type a query and expect the
right coin first, open its page and check the chart has one line per priced grade, is drawn
(non-blank canvas pixels) and answers hover; open ``/status``; and check the three pages fit a
390-pixel-wide phone screen. Screenshots go to ``$COINREF_SCREENSHOT_DIR`` or
``test-artifacts/screenshots`` at the repository root.

The home page's series list leads to a series page (its coins as a paged table); search shows
"More results" beyond one page; ``/docs`` renders Swagger UI with every request outside loopback
refused (it must need no network); and the tables of ``/status`` scroll inside their card on a
phone instead of being cut off.

When ``/usr/bin/chromium`` is missing the session tries ``apt-get install chromium`` once; the
tests then skip (with the reason), except in CI (``CI=true``) or with
``COINREF_REQUIRE_BROWSER=1``, where they fail: a CI run must not pass without its browser tests.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn
from api_support import EAGLE_2021_T2, MORGAN_1881_S, SAMPLE_HOLDINGS, VDB_1909_S, load_holdings, load_sample

from coinref.api.app import create_app
from coinref.config import load_settings
from coinref.store.db import make_engine, session_scope
from coinref.store.models import Run

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"]
REPO = Path(__file__).resolve().parents[2]
PHONE = {"width": 390, "height": 844}
# read at import: the autouse isolated_env fixture clears COINREF_* variables for each test
BROWSER_REQUIRED = os.environ.get("COINREF_REQUIRE_BROWSER") == "1" or os.environ.get("CI", "").lower() == "true"


def screenshot_dir() -> Path:
    path = Path(os.environ.get("COINREF_SCREENSHOT_DIR") or REPO / "test-artifacts" / "screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def chromium_path() -> tuple[str | None, str]:
    """The Chromium executable, installing Debian's package when it is missing; else None and why.

    ``COINREF_CHROMIUM`` names another executable (nothing is installed for it).
    """
    chosen = os.environ.get("COINREF_CHROMIUM")
    if chosen:
        return (chosen, "") if Path(chosen).exists() else (None, f"COINREF_CHROMIUM={chosen} does not exist")
    if Path(CHROMIUM).exists():
        return CHROMIUM, ""
    if shutil.which("apt-get") is None:
        return None, f"{CHROMIUM} is missing and apt-get is not available to install it"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        subprocess.run(["apt-get", "update", "-qq"], check=True, capture_output=True, timeout=600, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, capture_output=True,
                       timeout=900, env=env)
    except (OSError, subprocess.SubprocessError) as exc:
        if Path(CHROMIUM).exists():  # another worker installed it meanwhile
            return CHROMIUM, ""
        return None, f"{CHROMIUM} is missing and `apt-get install chromium` failed: {exc}"
    return (CHROMIUM, "") if Path(CHROMIUM).exists() else (None, f"{CHROMIUM} still missing after apt-get install")


@pytest.fixture(scope="module")
def browser():
    executable, why = chromium_path()
    if executable is None:
        if BROWSER_REQUIRED:
            pytest.fail(f"{why} (browser tests are required here: CI or COINREF_REQUIRE_BROWSER=1)")
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        except Exception as exc:
            if BROWSER_REQUIRED:
                pytest.fail(f"Chromium at {executable} did not start: {exc}")
            pytest.skip(f"Chromium at {executable} did not start: {exc}")
        yield launched
        launched.close()


def add_runs(engine) -> None:
    """Runs with many counts, so the status page's runs table is wider than a phone."""
    counts = {"created": 7412, "updated": 1204, "unchanged": 80211, "quarantined": 25, "failed": 3,
              "skipped_no_pcgs_number": 5120, "blocked": 1}
    with session_scope(engine) as session:
        for day in range(1, 4):
            session.add(Run(kind="populate", source="pcgs-api-enrichment", status="completed_with_failures",
                            counts=counts, started_at=datetime(2025, 3, day, 6, 30, tzinfo=UTC)))


@pytest.fixture(scope="module")
def site(sqlite_template, tmp_path_factory) -> Iterator[dict]:
    """A running server: its base URL and the ids of the sample coins."""
    path = tmp_path_factory.mktemp("browser") / "coinref.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    ids = load_sample(engine)
    add_runs(engine)
    load_holdings(engine, ids)
    engine.dispose()
    app = create_app(load_settings(database_url=url, coinref_log_dir=str(path.parent / "logs")))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the test server did not start")
        time.sleep(0.02)
    yield {"base": f"http://127.0.0.1:{port}", "ids": ids}
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def test_search_as_you_type_puts_the_right_coin_first(site, page):
    searches = []
    page.on("request", lambda req: searches.append(req.url) if "/api/coins/search" in req.url else None)
    page.goto(site["base"] + "/")
    query = "1881-S morgan"
    page.locator("#q").press_sequentially(query, delay=40)
    page.wait_for_selector(f'#results[data-query="{query}"] .hit')
    first = page.locator("#results .hit").first
    assert first.locator(".hit-name").inner_text() == "1881-S Morgan Dollar"
    assert "PCGS #7126" in first.inner_text()
    chips = first.locator(".chips li").all_inner_texts()
    assert "MS65 $210.00" in chips and "MS64+ $150.00" in chips
    assert 1 <= len(searches) < len(query), "typing should be debounced into a few requests"
    assert page.url.endswith("/?q=1881-S%20morgan")
    page.screenshot(path=str(screenshot_dir() / "search.png"), full_page=True)


def test_search_results_render_on_the_server_too(site, page):
    page.goto(site["base"] + "/?q=2021 silver eagle type 2")
    assert page.locator("#results .hit .hit-name").first.inner_text() == "2021 Type 2 Silver Eagle"


def test_coin_page_draws_the_price_chart_with_hover_values(site, page):
    page.goto(site["base"] + "/?q=1881-S morgan")
    page.locator("#results .hit .hit-name").first.click()
    page.wait_for_url(f"**/coins/{site['ids'][MORGAN_1881_S]}")
    page.wait_for_function("window.coinrefChart !== undefined")
    labels = page.evaluate("window.coinrefChart.data.datasets.map(d => d.label)")
    assert sorted(labels) == ["MS63", "MS64", "MS64+", "MS65"]
    assert page.evaluate("window.coinrefChart.data.datasets.every(d => d.data.length === 3)")
    painted = page.evaluate("""() => {
        const canvas = document.getElementById('price-chart');
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
        return painted;
    }""")
    assert painted > 2000, f"the chart canvas looks blank ({painted} painted pixels)"
    point = page.evaluate("""() => {
        const meta = window.coinrefChart.getDatasetMeta(0); const el = meta.data[meta.data.length - 1];
        return {x: el.x, y: el.y};
    }""")
    page.locator("#price-chart").scroll_into_view_if_needed()
    box = page.locator("#price-chart").bounding_box()
    page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    page.wait_for_function("window.coinrefChart.tooltip.getActiveElements().length > 0")
    tooltip = page.evaluate("window.coinrefChart.tooltip.body.map(b => b.lines.join(' ')).join(' | ')")
    assert "$" in tooltip
    table = page.locator("#price-table").inner_text()
    assert "MS65" in table and "$210.00" in table and "F12" in table  # tracked grades, priced or not
    assert "Morgan Dollars" in page.inner_text("main") and "PCGS #7126" in page.inner_text("main")
    specs = page.locator("#specs").inner_text()
    for text in ("Composition", "90% silver / 10% copper", "Diameter", "38.1 mm", "Edge", "reeded",
                 "Designer", "George T. Morgan", "Silver content", "0.77345 troy oz"):
        assert text in specs, text
    page.screenshot(path=str(screenshot_dir() / "coin.png"), full_page=True)


def test_coin_page_marks_a_key_date(site, page):
    page.goto(site["base"] + f"/coins/{site['ids'][VDB_1909_S]}")
    assert page.locator(".key-date").inner_text() == "Key"
    assert "Victor David Brenner" in page.locator("#specs").inner_text()
    page.locator(".card:has(#specs)").screenshot(path=str(screenshot_dir() / "coin-facts.png"))


def test_coin_page_draws_sales_as_points_beside_the_guide_lines(site, page):
    page.goto(site["base"] + f"/coins/{site['ids'][VDB_1909_S]}")
    page.wait_for_function("window.coinrefChart !== undefined")
    datasets = page.evaluate(
        "window.coinrefChart.data.datasets.map(d => [d.label, d.showLine !== false, d.data.length])")
    assert ["MS63 sales", False, 3] in datasets and ["XF40 sales", False, 1] in datasets
    assert ["MS63", True, 3] in datasets  # the guide values stay a line
    assert page.locator("#price-chart").get_attribute("data-sale-points") == "4"
    colours = page.evaluate("Object.fromEntries(window.coinrefChart.data.datasets.map(d => [d.label, d.borderColor]))")
    assert colours["MS63 sales"] == colours["MS63"]
    point = page.evaluate("""() => {
        const i = window.coinrefChart.data.datasets.findIndex(d => d.label === 'MS63 sales');
        const el = window.coinrefChart.getDatasetMeta(i).data[2]; return {x: el.x, y: el.y};
    }""")
    page.locator("#price-chart").scroll_into_view_if_needed()
    box = page.locator("#price-chart").bounding_box()
    page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    page.wait_for_function("window.coinrefChart.tooltip.getActiveElements().length > 0")
    tooltip = page.evaluate("window.coinrefChart.tooltip.body.map(b => b.lines.join(' ')).join(' | ')")
    assert "MS63 sales: $2,550.00 (Other House)" in tooltip
    assert "4 auction sales" in page.locator("#sales-note").inner_text()
    page.screenshot(path=str(screenshot_dir() / "coin-sales.png"), full_page=True)


def test_status_page_shows_quota_coverage_and_problems(site, page):
    page.goto(site["base"] + "/status")
    assert "0 of 1000 calls used" in page.locator("#quota").inner_text()
    morgan = page.locator('[data-series="morgan-dollars"]')
    assert "Morgan Dollars" in morgan.inner_text()
    assert morgan.locator(".bar.coins > span").evaluate("el => el.getBoundingClientRect().width") > 0
    assert page.locator("#runs").is_visible() and page.locator("#validation").is_visible()
    page.screenshot(path=str(screenshot_dir() / "status.png"), full_page=True)


def test_home_page_browses_series_by_tier_into_a_paged_series_table(site, page):
    page.goto(site["base"] + "/")
    assert page.locator("#browse").is_visible()
    assert page.locator("#browse .tier-card h3").all_inner_texts()[0].startswith("Tier P0")
    assert page.locator("#browse .tier-card").count() == 4 and page.locator("#browse [data-series]").count() == 67
    page.screenshot(path=str(screenshot_dir() / "home.png"), full_page=True)
    page.locator('#browse [data-series="morgan-dollars"] a').click()
    page.wait_for_url("**/series/morgan-dollars")
    assert page.locator("h1").inner_text() == "Morgan Dollars"
    rows = page.locator("#series-coins tbody tr")
    assert rows.count() == 50
    first_page = rows.locator("td:first-child").all_inner_texts()
    assert first_page[0].startswith("1878 ")
    page.screenshot(path=str(screenshot_dir() / "series.png"), full_page=True)
    page.locator("#next-page").click()
    page.wait_for_url("**/series/morgan-dollars?page=2")
    second_page = page.locator("#series-coins tbody tr td:first-child").all_inner_texts()
    assert second_page and not set(second_page) & set(first_page)
    assert "Page 2 of" in page.locator(".pager").inner_text()
    page.locator("#series-coins tbody tr a").first.click()
    page.wait_for_url("**/coins/*")
    assert "Morgan Dollar" in page.locator("h1").inner_text()


def test_search_shows_more_results_beyond_one_page(site, page):
    page.goto(site["base"] + "/")
    page.locator("#q").fill("morgan 1880")
    page.wait_for_selector('#results[data-query="morgan 1880"] .hit')
    assert page.locator("#results .hit").count() == 20 and not page.locator("#browse").is_visible()
    status = page.locator("#search-status").inner_text()
    assert status.startswith("1–20 of ")
    total = int(status.split(" of ")[1].split()[0])
    page.locator("#more").click()
    page.wait_for_function("document.querySelectorAll('#results .hit').length > 20")
    ids = page.eval_on_selector_all("#results .hit", "els => els.map(e => e.dataset.coinId)")
    assert len(ids) == len(set(ids)) == min(40, total)
    assert page.locator("#more").is_visible() == (total > 40)


def test_api_docs_render_with_no_network(site, browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    refused: list[str] = []

    def only_loopback(route):
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    try:
        context.route("**/*", only_loopback)
        docs = context.new_page()
        docs.goto(site["base"] + "/docs")
        docs.wait_for_selector(".opblock-summary-path", timeout=30_000)
        paths = docs.locator(".opblock-summary-path").all_inner_texts()
        assert "/api/series/{slug}/coins" in paths and "/api/coins/by-id/{coin_id}/prices" in paths
        assert refused == [], f"/docs asked for {refused}"
        docs.screenshot(path=str(screenshot_dir() / "docs.png"), full_page=False)
    finally:
        context.close()


def _painted(page, canvas_id: str) -> int:
    return page.evaluate("""(id) => {
        const canvas = document.getElementById(id);
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
        return painted;
    }""", canvas_id)


@pytest.mark.parametrize("width", [1280, 390])
def test_collection_page_shows_total_holdings_and_value_chart(site, browser, width):
    phone = width < 500
    context = browser.new_context(viewport={"width": width, "height": 900 if not phone else 844},
                                  device_scale_factor=2 if phone else 1, is_mobile=phone, has_touch=phone)
    try:
        page = context.new_page()
        page.goto(site["base"] + "/collection")
        page.wait_for_function("window.coinrefValueChart !== undefined")
        total = page.locator("#total").inner_text()
        assert "for 5 holdings" in total and "$" in total
        rows = page.locator("#holdings-table tbody tr")
        assert rows.count() == len(SAMPLE_HOLDINGS)
        table = page.locator("#holdings-table").inner_text()
        assert "1881-S Morgan Dollar" in table and "2021 Type 2 Silver Eagle" in table
        assert int(page.locator("#value-chart").get_attribute("data-points")) > 1
        assert _painted(page, "value-chart") > 1500, "the value chart looks blank"
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the collection page is {overflow}px wider than {width}px"
        if not phone:
            assert "VF20" in table and "~" in table  # the interpolated guide value is flagged
        page.screenshot(path=str(screenshot_dir() / f"collection-{width}.png"), full_page=True)
    finally:
        context.close()


def test_status_tables_are_usable_on_a_phone(site, browser):
    """Every column of the status tables shows inside its card at 390 px, none cut off."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        phone = context.new_page()
        phone.goto(site["base"] + "/status")
        wraps = phone.locator("#runs .table-wrap, #validation .table-wrap")
        assert wraps.count() == 2
        for index in range(wraps.count()):
            wrap = wraps.nth(index)
            box = wrap.evaluate("""el => {
                const r = el.getBoundingClientRect(), card = el.closest('.card').getBoundingClientRect();
                return {right: r.right, card: card.right, scroll: el.scrollWidth, client: el.clientWidth,
                        overflow: getComputedStyle(el).overflowX};
            }""")
            assert box["overflow"] in ("auto", "scroll") and box["right"] <= box["card"] + 0.5, box
            assert box["scroll"] <= box["client"] + 1, f"table {index} is cut off at 390 px: {box}"
            for cell in wrap.locator("tbody tr").first.locator("td").all():
                right = cell.evaluate("el => el.getBoundingClientRect().right")
                assert right <= box["right"] + 1, "a cell ends outside its card"
        run = phone.locator("#runs tbody tr").first.inner_text()
        assert "pcgs-api-enrichment" in run and "skipped_no_pcgs_number 5120" in run
        labels = phone.eval_on_selector_all("#runs tbody tr:first-child td",
                                            "els => els.map(e => getComputedStyle(e, '::before').content)")
        assert labels[:3] == ['"#"', '"Kind"', '"Source"']  # each value says what it is
        assert "Severity" in phone.locator("#validation table").inner_text()
        phone.locator("#runs").screenshot(path=str(screenshot_dir() / "phone-status-runs.png"))
    finally:
        context.close()


@pytest.mark.parametrize("name,path", [("search", "/?q=1909-S VDB"), ("coin", None), ("status", "/status"),
                                       ("home", "/"), ("series", "/series/morgan-dollars"), ("docs", "/docs")])
def test_pages_fit_a_phone_screen(site, browser, name, path):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        phone = context.new_page()
        phone.goto(site["base"] + (path or f"/coins/{site['ids'][EAGLE_2021_T2]}"))
        if name == "coin":
            phone.wait_for_function("window.coinrefChart !== undefined")
        if name == "docs":
            phone.wait_for_selector(".opblock-summary-path", timeout=30_000)
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} page is {overflow}px wider than a 390px screen"
        phone.screenshot(path=str(screenshot_dir() / f"phone-{name}.png"), full_page=True)
    finally:
        context.close()
