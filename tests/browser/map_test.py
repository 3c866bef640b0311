"""End-to-end tests of the web map and the HTML views in a real Chromium.

Run by tests/api/browser.rs against a server it started on a temporary store
holding the demo. Every expectation is read from the API's own answers for
the same question; every wait is on a condition of the page (no fixed
sleeps). Exits non-zero on the first failure, with what the page showed.

Environment (set by the Rust test):
  PRIORIDADES_BASE            http://127.0.0.1:PORT
  PRIORIDADES_ADMIN_TOKEN     an admin token's secret
  PRIORIDADES_CABINET_TOKEN   a cabinet token's secret
  PRIORIDADES_CABINET_SCOPE   its parish code
  PRIORIDADES_CHROMIUM        the browser to launch (the system's Chromium)
  PRIORIDADES_AXE             axe-core's axe.min.js
  PRIORIDADES_SCREENSHOTS     where to save the screenshots
"""

import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

import roles

BASE = os.environ["PRIORIDADES_BASE"]
ADMIN = os.environ["PRIORIDADES_ADMIN_TOKEN"]
CABINET = os.environ["PRIORIDADES_CABINET_TOKEN"]
SCOPE = os.environ["PRIORIDADES_CABINET_SCOPE"]
CHROMIUM = os.environ.get("PRIORIDADES_CHROMIUM", "/usr/bin/chromium")
AXE = os.environ["PRIORIDADES_AXE"]
SHOTS = Path(os.environ["PRIORIDADES_SCREENSHOTS"])

# Generous: a shared CI machine may be slow, never a reason to fail.
TIMEOUT_MS = 60_000
# The wait for the map's first render (see open_map).
MAP_READY_MS = 180_000
XSS = "<img src=x onerror=window.__xss=1>"


def step(name):
    print(f"== {name}", flush=True)


def api(method, path, token=ADMIN, body=None, content_type="application/json"):
    """Calls the API directly: (status, parsed JSON body)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method)
    request.add_header("Accept", "application/json")
    request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", content_type)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=60) as response:
            text = response.read()
            return response.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def get(path, token=ADMIN):
    status, body = api("GET", path, token)
    assert status == 200, f"GET {path}: {status} {body}"
    return body


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    if page.evaluate("() => Boolean(window.prioridadesMap)"):
        page.wait_for_function("() => window.prioridadesMap.areTilesLoaded()")
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def open_map(page, fragment=""):
    # A new document each time: a change of fragment alone is no load.
    # (sessionStorage, and so the session, belongs to the tab and stays.)
    page.goto("about:blank")
    page.goto(f"{BASE}/map{fragment}")
    # main() has filled the lists, read the session and listed the results;
    # MapLibre has loaded its style and drawn on its canvas.
    page.wait_for_selector("body.ready", state="attached")
    # MapLibre's first render runs on software WebGL in headless Chromium:
    # with the whole suite on two cores beside it, CI once needed over 60 s.
    try:
        page.wait_for_selector("body.map-ready", state="attached", timeout=MAP_READY_MS)
    except Exception:
        diagnose(page)
        raise
    expect(page.locator("#map canvas.maplibregl-canvas").is_visible(), "the map's canvas is shown")
    expect(page.locator("#filters").is_visible(), "the filter panel is shown")


# Requests each page has sent and not seen answered, by URL: what a map that
# never becomes ready waits for (watch(page) keeps them).
IN_FLIGHT = {}


def watch(page):
    """Keeps the page's unanswered requests in IN_FLIGHT."""
    page.on("request", lambda r: IN_FLIGHT.__setitem__(id(r), (r.url, time.monotonic())))
    page.on("requestfinished", lambda r: IN_FLIGHT.pop(id(r), None))
    page.on("requestfailed", lambda r: IN_FLIGHT.pop(id(r), None))


def diagnose(page):
    """Says what a map that did not become ready was doing."""
    now = time.monotonic()
    for url, since in IN_FLIGHT.values():
        print(f"   unanswered for {now - since:.1f} s: {url}", file=sys.stderr)
    state = page.evaluate("""() => { const m = window.prioridadesMap; return m ? {
        loaded: m.loaded(), style: m.isStyleLoaded(), tiles: m.areTilesLoaded(),
        zoom: m.getZoom(), ready: document.body.className } : 'no map' }""")
    print(f"   map state: {state}", file=sys.stderr)


def listed_ids(page):
    return page.eval_on_selector_all("#result-list button[data-id]", "bs => bs.map(b => b.dataset.id)")


def wait_listed(page, expected_ids, matched):
    """Waits until the page lists exactly `expected_ids` and says `matched`."""
    try:
        page.wait_for_function(
            """([ids, matched]) => {
                const shown = [...document.querySelectorAll('#result-list button[data-id]')]
                  .map(b => b.dataset.id);
                return shown.length === ids.length && shown.every((id, i) => id === ids[i])
                  && document.getElementById('count').textContent.includes(String(matched));
            }""",
            arg=[expected_ids, matched],
        )
    except Exception:
        print("listed:", listed_ids(page), "count:", page.text_content("#count"))
        print("expected:", expected_ids, "matched:", matched)
        raise


def select_territory(page, select, value):
    """Chooses `value` in a territory list once the page has filled it."""
    page.wait_for_selector(f"#{select} option[value='{value}']", state="attached")
    page.select_option(f"#{select}", value)


def fill_plan(page, form, plan):
    """Types `plan` into the review form `form`."""
    for name, value in plan.items():
        if name == "responsible/kind":
            page.select_option(f"{form} [name='{name}']", value)
        else:
            page.fill(f"{form} [name='{name}']", value)


def axe_check(browser, url, ready_selector):
    """No serious or critical axe-core violation on `url`."""
    # CSP forbids injected scripts (as it should); this context lifts it for
    # axe alone, never for the functional checks above.
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    page.wait_for_selector(ready_selector, state="attached")
    page.add_script_tag(path=AXE)
    results = page.evaluate("() => axe.run(document, { resultTypes: ['violations'] })")
    bad = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    print(f"   axe-core on {url}: {len(results['violations'])} violations")
    for v in results["violations"]:
        print(f"   axe {v['impact']}: {v['id']} ({len(v['nodes'])} nodes) {v['help']}")
        for node in v["nodes"][:3]:
            print(f"      {node['target']} {node.get('failureSummary', '')[:200]}")
    context.close()
    expect(not bad, f"{url}: serious or critical accessibility violations: {[v['id'] for v in bad]}")


def main():
    import card  # noqa: PLC0415 - after this module is whole (card imports it)

    started = time.monotonic()
    # What the checks compare with: the API's answers.
    in_scope = get(f"/collections/priorities/items?parish={SCOPE}&limit=10000")["features"]
    by_category = {}
    for f in in_scope:
        by_category[f["properties"]["category"]] = by_category.get(f["properties"]["category"], 0) + 1
    category = max(sorted(by_category), key=lambda c: by_category[c])
    filtered = get(f"/collections/priorities/items?parish={SCOPE}&category={category}&limit=50")
    expect(filtered["numberMatched"] > 0, "the demo has priorities to filter")

    errors = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            # Software WebGL for MapLibre: CI has no GPU.
            args=["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="es-VE")
        page = context.new_page()
        watch(page)
        page.set_default_timeout(TIMEOUT_MS)
        page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
        page.on("console", lambda m: print(f"   console {m.type}: {m.text}") if m.type in ("error", "warning") else None)

        step("the map loads: canvas and filter panel")
        open_map(page)
        shot(page, "map")

        step(f"filter by parish {SCOPE} and category {category}: the list is the API's answer")
        select_territory(page, "f-state", SCOPE[:2])
        select_territory(page, "f-municipality", SCOPE[:4])
        select_territory(page, "f-parish", SCOPE)
        page.select_option("#f-category", category)
        page.click("#filters button[type=submit]")
        wait_listed(page, [f["id"] for f in filtered["features"]], filtered["numberMatched"])
        source = page.evaluate("() => window.prioridadesMap.getSource('priorities').url")
        expect(f"parish={SCOPE}" in source and f"category={category}" in source,
               f"the map's priorities are filtered alike: {source}")
        expect(f"parish={SCOPE}" in page.url and f"category={category}" in page.url,
               f"the URL holds the filters: {page.url}")
        # The map shows the parish chosen: every point the API lists lies in view.
        page.wait_for_function("() => window.prioridadesMap.getZoom() > 8")
        points = [f["geometry"]["coordinates"] for f in filtered["features"] if f["geometry"]["type"] == "Point"]
        in_view = page.evaluate(
            "(points) => points.map(p => window.prioridadesMap.getBounds().contains(p))", points)
        expect(all(in_view), f"the chosen parish's priorities are in view: {in_view}")
        # The filtered view is a link: opened anew, it lists the same.
        open_map(page, "#" + page.url.split("#", 1)[1])
        wait_listed(page, [f["id"] for f in filtered["features"]], filtered["numberMatched"])
        shot(page, "map-filtered")
        card.card_place(page)

        step("sign in as a cabinet and approve the oldest proposal with a plan")
        card.queue_with_duplicate()
        queue = get("/review-queue?limit=50", CABINET)["features"]
        expect(len(queue) >= 2, f"the cabinet of {SCOPE} has proposals to review: {len(queue)}")
        page.fill("#token", CABINET)
        page.click("#signin button[type=submit]")
        page.wait_for_selector("#queue:not([hidden])")
        expect("cabinet" in page.text_content("#who"), "the page says who is signed in")
        page.wait_for_selector("#signout", state="visible")
        expect(not page.locator("#signin").is_visible(), "the sign-in form is gone once signed in")
        expect(page.evaluate("() => sessionStorage.getItem('prioridades.token')") == CABINET,
               "the token is kept in the tab's session storage")
        expect(CABINET not in page.url, "the token is not in the URL")
        card.queue_duplicates(page)
        card.mark_duplicate(page)
        first = queue[0]["id"]
        item = f"#queue-list li[data-id='{first}']"
        page.wait_for_selector(item)
        page.click(f"{item} summary")
        form = f"{item} form.review"
        plan = {
            "objective": "Restituir el servicio a 120 familias",
            "goal": "Tubería sustituida en 300 m",
            "responsible/kind": "mayoralty",
            "responsible/name": "Alcaldía de prueba",
            "resources": "Tubería de 4 pulgadas, cuadrilla municipal",
            "start_date": "2026-01-10",
            "target_date": "2026-03-31",
        }
        fill_plan(page, form, plan)
        shot(page, "cabinet-review")
        page.click(f"{form} button[name=approve]")
        # The page reloads the queue once the API accepted: the item leaves it.
        page.wait_for_selector(item, state="detached")
        approved = get(f"/collections/priorities/items/{first}")["properties"]
        expect(approved["status"] == "approved", f"approved in the API: {approved['status']}")
        expect(approved["plan"]["objective"] == plan["objective"]
               and approved["plan"]["responsible"] == {"kind": "mayoralty", "name": plan["responsible/name"]}
               and approved["plan"]["target_date"] == plan["target_date"],
               f"the plan typed is the plan stored: {approved['plan']}")

        step("an out-of-scope action is refused with the API's message")
        # Another proposal the page lists is moved (by an admin, through the
        # API) into a parish outside the cabinet's: the page, as any page
        # left open, still offers it, and the API refuses the approval.
        other = next(f for f in get("/review-queue?limit=50", CABINET)["features"])
        outside = next(
            f for f in get("/collections/priorities/items?limit=500")["features"]
            if f["geometry"]["type"] == "Point" and f["properties"].get("parish")
            and not f["properties"]["parish"].startswith(SCOPE)
        )
        item = f"#queue-list li[data-id='{other['id']}']"
        page.wait_for_selector(item)
        status, moved = api("PATCH", f"/collections/priorities/items/{other['id']}",
                            body={"geometry": outside["geometry"]},
                            content_type="application/merge-patch+json")
        expect(status == 200, f"the admin moves it: {status} {moved}")
        expect(moved["properties"]["parish"] != SCOPE, f"now outside {SCOPE}: {moved['properties']}")
        page.click(f"{item} summary")
        form = f"{item} form.review"
        fill_plan(page, form, plan)
        page.click(f"{form} button[name=approve]")
        page.wait_for_function(
            "(sel) => [...document.querySelectorAll(sel + ' .form-error, ' + sel + ' .field-error')]"
            ".some(e => e.textContent.trim())", arg=form)
        shown = " ".join(t.strip() for t in page.eval_on_selector_all(
            f"{form} .form-error, {form} .field-error", "es => es.map(e => e.textContent)") if t.strip())
        status, problem = api("POST", f"/collections/priorities/items/{other['id']}/transitions", CABINET,
                              body={"status": "approved", "plan": {
                                  "objective": plan["objective"], "goal": plan["goal"],
                                  "responsible": {"kind": "mayoralty", "name": plan["responsible/name"]},
                                  "resources": plan["resources"], "start_date": plan["start_date"],
                                  "target_date": plan["target_date"]}})
        expect(status == 403, f"the API refuses it: {status} {problem}")
        expect(shown == problem["detail"], f"the page shows the API's message: {shown!r} vs {problem['detail']!r}")
        expect(get(f"/collections/priorities/items/{other['id']}")["properties"]["status"] == "proposed",
               "the refused approval changed nothing")
        shot(page, "cabinet-refused")
        roles.cabinet_card(page, plan)

        step("stored XSS: a title with markup is shown as text in the card and the item page")
        council = in_scope[0]["properties"]["council"]
        status, hostile = api("POST", "/collections/priorities/items", body={
            "type": "Feature",
            "geometry": in_scope[0]["geometry"] if in_scope[0]["geometry"]["type"] == "Point"
            else next(f["geometry"] for f in in_scope if f["geometry"]["type"] == "Point"),
            "properties": {"council": council, "title": XSS, "description": XSS,
                           "category": "other"},
        })
        expect(status == 201, f"created: {status} {hostile}")
        hostile_id = hostile["id"]
        query = f"parish={SCOPE}&category=other&status=proposed"
        listed = get(f"/collections/priorities/items?{query}&limit=50")
        expect(hostile_id in [f["id"] for f in listed["features"]], "the API lists it under these filters")
        open_map(page, f"#{query}")
        wait_listed(page, [f["id"] for f in listed["features"]], listed["numberMatched"])
        page.click(f"#result-list button[data-id='{hostile_id}']")
        page.wait_for_function("(title) => document.getElementById('card-title')?.textContent === title", arg=XSS)
        expect(page.evaluate("() => document.querySelector('#card img, #result-list img, #queue img') === null"),
               "no markup from the title in the page")
        shot(page, "card-xss")
        page.goto(f"{BASE}/collections/priorities/items/{hostile_id}?f=html")
        page.wait_for_selector("#view-map[data-ready]", state="attached")
        expect(page.locator("h1").text_content() == XSS, "the item page's heading is the title, as text")
        expect(page.evaluate("() => document.querySelectorAll('img').length") == 0, "no img in the item page")
        # The map page's own state too (a fresh document each time).
        expect(page.evaluate("() => window.__xss === undefined"), "no script ran on the item page")
        open_map(page, f"#{query}")
        page.click(f"#result-list button[data-id='{hostile_id}']")
        page.wait_for_function("(title) => document.getElementById('card-title')?.textContent === title", arg=XSS)
        expect(page.evaluate("() => window.__xss === undefined"), "no script ran on the map page")

        step("HTML views: collections, items (map, table, paging) and one item")
        page.goto(f"{BASE}/collections?f=html")
        page.wait_for_selector("a[href*='/collections/priorities']", state="attached")
        items_query = f"parish={SCOPE}&limit=10"
        answer = get(f"/collections/priorities/items?{items_query}")
        page.goto(f"{BASE}/collections/priorities/items?{items_query}&f=html")
        page.wait_for_selector("#view-map[data-ready]", state="attached")
        drawn = page.evaluate("() => window.prioridadesViewMap.queryRenderedFeatures().length")
        expect(drawn > 0, "the items page's map draws the page's priorities")
        rows = page.eval_on_selector_all("main table tbody tr td:first-child a", "as => as.map(a => a.textContent)")
        expect(rows == [f["id"] for f in answer["features"]], f"the table is the API's page: {rows}")
        expect(page.locator("a[rel=next]").first.is_visible() == ("next" in [l["rel"] for l in answer["links"]]),
               "a next link when the API has one")
        shot(page, "html-items")
        target = answer["features"][0]
        page.click(f"main table tbody tr td a >> text={target['id']}")
        page.wait_for_selector("#view-map[data-ready]", state="attached")
        expect(page.locator("h1").text_content() == target["properties"]["title"], "the item's page")
        history = get(f"/collections/priorities/items/{target['id']}/history")["entries"]
        cells = page.eval_on_selector_all("main table:last-of-type tbody tr", "rs => rs.length")
        expect(cells == len(history), f"its history as the API has it: {cells} rows, {len(history)} entries")

        roles.spokesperson(page)
        roles.planner(page, category)

        step("on a phone-sized screen, a cabinet approves the next proposal")
        phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                    device_scale_factor=1, locale="es-VE")
        mobile = phone.new_page()
        mobile.set_default_timeout(TIMEOUT_MS)
        mobile.on("pageerror", lambda e: errors.append(f"page error (phone): {e}"))
        open_map(mobile)
        mobile.fill("#token", CABINET)
        mobile.click("#signin button[type=submit]")
        mobile.wait_for_selector("#queue:not([hidden])")
        next_one = get("/review-queue?limit=50", CABINET)["features"][0]["id"]
        item = f"#queue-list li[data-id='{next_one}']"
        mobile.wait_for_selector(item)
        mobile.click(f"{item} summary")
        fill_plan(mobile, f"{item} form.review", plan)
        shot(mobile, "phone-review")
        mobile.click(f"{item} form.review button[name=approve]")
        mobile.wait_for_selector(item, state="detached")
        status = get(f"/collections/priorities/items/{next_one}")["properties"]["status"]
        expect(status == "approved", f"approved from the phone: {status}")
        phone.close()

        step("accessibility: axe-core finds no serious or critical violation")
        axe_check(browser, f"{BASE}/map", "body.ready")
        axe_check(browser, f"{BASE}/collections/priorities/items?{items_query}&f=html", "#view-map[data-ready]")

        context.close()
        browser.close()
    expect(not errors, f"uncaught errors in the pages: {errors}")
    print(f"== all browser checks passed in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001 - the message is the report
        print(f"FAILED: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
