"""The main path of each role in the map, run by map_test.py's main().

A cabinet moves a priority through the workflow from its card and annotates
it; a spokesperson proposes by clicking and by drawing, is warned before
sending a location outside the council's parish, edits a proposal and orders
the agenda by dragging and by keyboard; a planner reads the statistics table
and downloads its CSV. Every expectation is the API's own answer.
"""

import urllib.request

from map_test import BASE, CABINET, SCOPE, api, expect, fill_plan, get, open_map, shot, step

import card

# Clicked coordinates are rounded to 6 decimals by the form.
TOLERANCE = 1e-5


def card_status(page, status):
    page.wait_for_selector(f"#card[data-status='{status}'] #card-title")


def statuses_in_history(pid):
    entries = get(f"/collections/priorities/items/{pid}/history")["entries"]
    moves = [e["changes"]["status"]["to"] for e in entries
             if e["action"] == "transition" and "status" in (e.get("changes") or {})]
    return moves, entries


def cabinet_card(page, plan):
    """From a queue entry's card: approve, start, finish, reopen, annotate."""
    step("a cabinet approves, starts, finishes, reopens and annotates from the card")
    pid = get("/review-queue?limit=50", CABINET)["features"][0]["id"]
    item = f"#queue-list li[data-id='{pid}']"
    page.wait_for_selector(item)
    page.click(f"{item} summary")
    page.click(f"{item} button.open-card")
    card_status(page, "proposed")
    fill_plan(page, "#card form.review", plan)
    page.click("#card form.review button[name=approve]")
    for button, before, status in [("start", "approved", "in_progress"), ("finish", "in_progress", "done"),
                                   ("reopen", "done", "proposed")]:
        card_status(page, before)
        if button == "start":
            shot(page, "cabinet-card")
        page.click(f"#card form.moves button[name={button}]")
        card_status(page, status)
        api_status = get(f"/collections/priorities/items/{pid}")["properties"]["status"]
        expect(api_status == status, f"{button}: the API has {api_status}, expected {status}")
    note = "Revisado en sitio con la vocería"
    page.fill("#card form.annotate textarea", note)
    page.click("#card form.annotate button[type=submit]")
    try:
        page.wait_for_function("(note) => [...document.querySelectorAll('#card .history q')]"
                               ".some(q => q.textContent === note)", arg=note)
    except Exception:
        print("card:", page.inner_text("#card"), "\nhistory:", get(f"/collections/priorities/items/{pid}/history"))
        raise
    moves, entries = statuses_in_history(pid)
    expect(moves[-4:] == ["approved", "in_progress", "done", "proposed"], f"the history's moves: {moves}")
    expect(any(e.get("note") == note for e in entries), "the note is in the history")


def token(role, scope=None):
    body = {"role": role, "label": f"browser {role}"}
    if scope:
        body["scope"] = scope
    status, created = api("POST", "/tokens", body=body)
    expect(status == 201, f"a {role} token: {status} {created}")
    return created["token"]


def sign_in(page, secret, ready):
    if page.locator("#signout").is_visible():
        page.click("#signout")
    page.wait_for_selector("#signin", state="visible")
    page.fill("#token", secret)
    page.click("#signin button[type=submit]")
    page.wait_for_selector(ready)


def canvas_point(page, dx, dy):
    """A point (dx, dy) pixels off the map's centre, and its [lon, lat]."""
    box = page.locator("#map canvas.maplibregl-canvas").bounding_box()
    x, y = box["width"] / 2 + dx, box["height"] / 2 + dy
    lon_lat = page.evaluate(
        "([x, y]) => { const p = window.prioridadesMap.unproject([x, y]); return [p.lng, p.lat]; }", [x, y])
    return {"x": x, "y": y}, lon_lat


def near(a, b):
    return all(abs(p - q) <= TOLERANCE for p, q in zip(a, b, strict=True))


def created_id(page, title):
    page.wait_for_function("(title) => document.getElementById('card-title')?.textContent === title", arg=title)
    return page.get_attribute("#card", "data-id")


def spokesperson(page):
    step("a spokesperson proposes by clicking and by drawing, is warned, edits, orders the agenda")
    anchor = next(f for f in get(f"/collections/priorities/items?parish={SCOPE}&limit=500")["features"]
                  if f["geometry"]["type"] == "Point" and f["properties"]["status"] in card.OPEN.split(",")
                  and f["properties"]["placement"] == "inside_council_parish")
    council = anchor["properties"]["council"]
    lon, lat = anchor["geometry"]["coordinates"]
    open_map(page, f"#map=17/{lat}/{lon}")
    sign_in(page, token("spokesperson", council), "#propose:not([hidden])")
    count = get(f"/collections/priorities/items?council={council}&limit=1")["numberMatched"]

    # A point by one click.
    where, clicked = canvas_point(page, 0, 0)
    page.click("#map canvas.maplibregl-canvas", position=where)
    page.wait_for_function("() => document.getElementById('p-lon').value !== ''")
    title = "Fuga de agua frente a la escuela"
    page.fill("#p-title", title)
    # The anchor's category, right beside it: a possible duplicate of it.
    page.select_option("#p-category", anchor["properties"]["category"])
    shot(page, "spokesperson-propose")
    page.click("#p-send")
    point_id = created_id(page, title)
    card.proposal_duplicates(page, point_id, anchor["id"])
    stored = get(f"/collections/priorities/items/{point_id}")
    expect(stored["geometry"]["type"] == "Point" and near(stored["geometry"]["coordinates"], clicked),
           f"the clicked point is stored: {stored['geometry']} vs {clicked}")
    expect(stored["properties"]["council"] == council and stored["properties"]["status"] == "proposed",
           f"proposed for its council: {stored['properties']}")

    # A polygon by three clicks, then Finish.
    page.select_option("#p-shape", "polygon")
    vertices = []
    for dx, dy in [(-15, -15), (15, -15), (0, 15)]:
        where, vertex = canvas_point(page, dx, dy)
        page.click("#map canvas.maplibregl-canvas", position=where)
        vertices.append(vertex)
        page.wait_for_function("(n) => document.getElementById('p-vertices').textContent.startsWith(String(n))",
                               arg=len(vertices))
    page.click("#p-finish")
    area_title = "Cancha sin alumbrado"
    page.fill("#p-title", area_title)
    page.select_option("#p-category", "electricity")
    shot(page, "spokesperson-draw")
    page.click("#p-send")
    area_id = created_id(page, area_title)
    ring = get(f"/collections/priorities/items/{area_id}")["geometry"]
    expect(ring["type"] == "Polygon" and len(ring["coordinates"][0]) == 4
           and all(near(a, b) for a, b in zip(ring["coordinates"][0], vertices + [vertices[0]], strict=True)),
           f"the drawn polygon is stored: {ring} vs {vertices}")
    expect(get(f"/collections/priorities/items?council={council}&limit=1")["numberMatched"] == count + 2,
           "two proposals more")

    # A point outside the council's parish: warned; cancelled, nothing stored.
    outside = next(f for f in get("/collections/priorities/items?limit=500")["features"]
                   if f["geometry"]["type"] == "Point" and f["properties"].get("parish")
                   and f["properties"]["parish"][:2] != SCOPE[:2])
    page.select_option("#p-shape", "point")
    page.fill("#p-lon", str(outside["geometry"]["coordinates"][0]))
    page.fill("#p-lat", str(outside["geometry"]["coordinates"][1]))
    page.fill("#p-title", "Fuera de la parroquia")
    page.click("#p-send")
    page.wait_for_selector("#p-warning", state="visible")
    shot(page, "spokesperson-warning")
    page.click("#p-cancel")
    page.wait_for_selector("#p-warning", state="hidden")
    expect(get(f"/collections/priorities/items?council={council}&limit=1")["numberMatched"] == count + 2,
           "a cancelled proposal stores nothing")

    # Edit the polygon's proposal (its card is open).
    edited = "Cancha sin alumbrado ni cerca"
    page.fill("#edit-title", edited)
    page.click("#card form.edit button[type=submit]")
    try:
        page.wait_for_function("(t) => document.getElementById('card-title')?.textContent === t", arg=edited)
    except Exception:
        print("card:", page.inner_text("#card"), "\nitem:", get(f"/collections/priorities/items/{area_id}"))
        raise
    expect(get(f"/collections/priorities/items/{area_id}")["properties"]["title"] == edited,
           "the API has the new title")
    agenda(page, council)


def agenda_ids(council):
    return [f["id"] for f in get(f"/collections/councils/items/{council}/agenda?limit=100")["features"]]


def wait_saved(page, expected):
    try:
        page.wait_for_function(
            "(order) => document.getElementById('agenda-list').dataset.saved === order.join(',')"
            " && !document.getElementById('agenda-list').hasAttribute('aria-busy')", arg=expected[:10])
    except Exception:
        print("saved:", page.get_attribute("#agenda-list", "data-saved"), "expected:", expected,
              "shown:", page.eval_on_selector_all("#agenda-list li[data-id]", "ls => ls.map(l => l.dataset.id)"),
              "message:", page.text_content("#message"))
        raise


def agenda(page, council):
    try:
        page.wait_for_function("() => document.querySelectorAll('#agenda-list li[data-id]').length >= 3")
    except Exception:
        print("agenda:", page.inner_text("#agenda"), agenda_ids(council))
        raise
    shown = page.eval_on_selector_all("#agenda-list li[data-id]", "ls => ls.map(l => l.dataset.id)")
    expect(shown == agenda_ids(council), f"the agenda shown is the API's: {shown}")
    last, first = shown[-1], shown[0]
    # The drag's events, as the browser sends them, carrying one DataTransfer
    # (headless Chromium's native drag did not reach the page's handlers).
    source, target = f"#agenda-list li[data-id='{last}']", f"#agenda-list li[data-id='{first}']"
    transfer = page.evaluate_handle("() => new DataTransfer()")
    page.dispatch_event(source, "dragstart", {"dataTransfer": transfer})
    page.dispatch_event(target, "dragover", {"dataTransfer": transfer})
    page.locator(target).scroll_into_view_if_needed()
    top = page.locator(target).bounding_box()["y"] + 1  # its upper half: drop before it
    page.dispatch_event(target, "drop", {"dataTransfer": transfer, "clientY": top})
    page.dispatch_event(source, "dragend", {"dataTransfer": transfer})
    expected = [last] + shown[:-1]
    wait_saved(page, expected)
    expect(agenda_ids(council)[:10] == expected[:10], f"dragged: the API's order {agenda_ids(council)} vs {expected}")
    # The keyboard: the first entry's "down" button.
    page.focus("#agenda-list li:first-child button[aria-label^='Bajar']")
    page.keyboard.press("Enter")
    expected = [expected[1], expected[0]] + expected[2:]
    wait_saved(page, expected)
    expect(agenda_ids(council)[:10] == expected[:10], f"moved down: {agenda_ids(council)} vs {expected}")
    shot(page, "spokesperson-agenda")


def planner(page, category):
    step("a planner reads the statistics of the filters and downloads them as CSV")
    state = SCOPE[:2]
    open_map(page, f"#state={state}&category={category}")
    card.territory_zoom(page, state)
    sign_in(page, token("planner"), "#signout")
    sign_in_role = page.text_content("#who")
    expect("planner" in sign_in_role, f"signed in as planner: {sign_in_role}")
    page.wait_for_selector("#stats[open] #stats-table tbody tr")
    query = page.get_attribute("#stats", "data-query")
    expect(query == f"state={state}&category={category}&group_by=municipality", f"the table's query: {query}")
    answer = get(f"/statistics?{query}")
    numeric = [c for c in answer["columns"] if any(
        isinstance(r.get(c), (int, float)) and not isinstance(r.get(c), bool) for r in answer["rows"])]
    columns = ["code", "name"] + numeric

    def cell(v):
        if v is None:
            return "—"
        if isinstance(v, float) and not v.is_integer():
            return f"{v:.2f}"
        return str(int(v)) if isinstance(v, float) else str(v)

    expected = [[cell(r.get(c)) for c in columns] for r in answer["rows"]]
    shown = page.eval_on_selector_all("#stats-table tbody tr",
                                      "rs => rs.map(r => [...r.children].map(c => c.textContent))")
    heads = page.eval_on_selector_all("#stats-table thead th", "hs => hs.map(h => h.dataset.column)")
    expect(heads == columns, f"the columns are the API's: {heads} vs {columns}")
    expect(shown == expected, f"the table is the API's: {shown[:2]} vs {expected[:2]}")
    card.time_labels(page, columns)
    legend = page.text_content("#legend")
    expect("Prioridades por territorio" in legend, f"the legend says what is coloured: {legend}")
    with page.expect_download() as info:
        page.click("#stats-csv")
    downloaded = open(info.value.path(), "rb").read()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{BASE}/statistics?{query}&f=csv", timeout=60) as response:
        csv = response.read()
    expect(downloaded == csv, f"the CSV downloaded is the API's ({len(downloaded)} vs {len(csv)} bytes)")
    page.locator("#stats").scroll_into_view_if_needed()
    shot(page, "planner-statistics")
