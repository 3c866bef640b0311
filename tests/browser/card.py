"""The priority card's surroundings and the possible duplicates, in the map.

Run by map_test.py's main(): a card shows the distance to its council
(compared with a haversine computed here from the API's geometries) and the
open priorities nearby (the API's radius answer, in order); the review
queue shows the possible duplicates the API's queue lists; a link naming a
territory opens the map on it; a cabinet marks a proposal as the duplicate
of one it lists, and both cards show the link. Every expectation is the
API's own answer.
"""

import math
import re

from map_test import CABINET, SCOPE, api, expect, get, open_map, step

# The sphere the API measures on, in metres (docs/api.md).
EARTH_RADIUS_M = 6371008.8
OPEN = "proposed,approved,in_progress"


def haversine(a, b):
    (lon1, lat1), (lon2, lat2) = a, b
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def vertices(geometry):
    out = []

    def visit(c):
        if isinstance(c[0], (int, float)):
            out.append(c)
        else:
            for part in c:
                visit(part)

    visit(geometry["coordinates"])
    return out


def nearby_answer(feature):
    lon, lat = feature["geometry"]["coordinates"]
    answer = get(f"/collections/priorities/items?point={lon},{lat}&radius=500&status={OPEN}&limit=6")
    return [f for f in answer["features"] if f["id"] != feature["id"]][:5]


def shown_metres(text):
    """The metres a "… : 850 m" or "… : 1,2 km" text says, and its rounding."""
    match = re.search(r": ([\d.]+) m$|: (\d+),(\d) km$", text)
    expect(match, f"a distance written in Spanish: {text!r}")
    if match.group(1):
        return float(match.group(1).replace(".", "")), 0.5
    return float(f"{match.group(2)}.{match.group(3)}") * 1000, 50


def card_place(page):
    step("a card shows the distance to its council and the other open priorities nearby")
    listed = get(f"/collections/priorities/items?parish={SCOPE}&limit=50")["features"]
    points = [f for f in listed if f["geometry"]["type"] == "Point"]
    chosen = next(((f, n) for f in points for n in [nearby_answer(f)] if n), None)
    expect(chosen, "the demo has a priority with open priorities within 500 m")
    feature, others = chosen
    open_map(page, f"#parish={SCOPE}")
    page.click(f"#result-list button[data-id='{feature['id']}']")
    council = get(f"/collections/councils/items/{feature['properties']['council']}")
    try:
        page.wait_for_selector(f"#card[data-id='{feature['id']}'] #card-distance")
    except Exception:
        print("card:", page.inner_text("#card"), "\ncouncil:", council)
        raise
    expected = min(haversine(vertices(council["geometry"])[0], v) for v in vertices(feature["geometry"]))
    metres = float(page.get_attribute("#card-distance", "data-metres"))
    expect(abs(metres - expected) <= 0.01 * max(expected, 1.0),
           f"the distance to the council: {metres} m shown, {expected} m computed")
    text = page.text_content("#card-distance")
    expect(text.startswith("Distancia al consejo comunal: "), f"labelled: {text!r}")
    said, rounding = shown_metres(text)
    expect(abs(said - expected) <= 0.01 * max(expected, 1.0) + rounding, f"written: {text!r} vs {expected} m")
    ids = page.eval_on_selector_all("#card-nearby li[data-id]", "ls => ls.map(l => l.dataset.id)")
    expect(ids == [f["id"] for f in others], f"the nearby list is the API's: {ids} vs {[f['id'] for f in others]}")
    print(f"   {feature['id']}: {metres} m to its council; {len(ids)} open priorities within 500 m")
    # In English, the number is written the English way.
    open_map(page, f"#parish={SCOPE}&lang=en")
    page.click(f"#result-list button[data-id='{feature['id']}']")
    page.wait_for_selector(f"#card[data-id='{feature['id']}'] #card-distance")
    english = page.text_content("#card-distance")
    said = re.fullmatch(r"Distance to the communal council: (?:([\d,]+) m|(\d+\.\d) km)", english)
    expect(said, f"in English: {english!r}")
    value = float(said.group(1).replace(",", "")) if said.group(1) else float(said.group(2)) * 1000
    expect(abs(value - expected) <= 0.01 * max(expected, 1.0) + (0.5 if said.group(1) else 50),
           f"in English: {english!r} vs {expected} m")
    page.click(f"#card-nearby li[data-id='{others[0]['id']}'] button")
    page.wait_for_function("(t) => document.getElementById('card-title')?.textContent === t",
                           arg=others[0]["properties"]["title"])
    expect(page.get_attribute("#card", "data-id") == others[0]["id"], "a nearby entry opens its card")


def duplicates_of(entry):
    return entry.get("possible_duplicates") or entry["properties"].get("possible_duplicates") or []


def queue_with_duplicate():
    """Makes sure the cabinet's queue has a proposal with possible duplicates:
    if none has any, an admin proposes one beside an open priority of SCOPE."""
    queue = get("/review-queue?limit=50", CABINET)["features"]
    if any(duplicates_of(e) for e in queue):
        return
    anchor = next(f for f in get(f"/collections/priorities/items?parish={SCOPE}&status={OPEN}&limit=500")["features"]
                  if f["geometry"]["type"] == "Point")
    lon, lat = anchor["geometry"]["coordinates"]
    status, created = api("POST", "/collections/priorities/items", body={
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [lon + 0.00005, lat]},
        "properties": {"council": anchor["properties"]["council"], "title": "Otra vez lo mismo",
                       "category": anchor["properties"]["category"]}})
    expect(status == 201 and duplicates_of(created), f"a proposal with duplicates: {status} {created}")
    print(f"   proposed {created['id']} beside {anchor['id']}: {len(duplicates_of(created))} possible duplicates")


def queue_duplicates(page):
    step("the review queue shows each proposal's possible duplicates as the API lists them")
    queue = get("/review-queue?limit=50", CABINET)["features"]
    expect(any(duplicates_of(e) for e in queue), "a queued proposal has possible duplicates")
    print(f"   {sum(1 for e in queue if duplicates_of(e))} of {len(queue)} queued proposals have duplicates")
    for entry in queue:
        item = f"#queue-list li[data-id='{entry['id']}']"
        page.wait_for_selector(item, state="attached")
        shown = page.eval_on_selector_all(f"{item} .duplicates li button.link", "bs => bs.map(b => b.dataset.id)")
        expected = [d["id"] for d in duplicates_of(entry)]
        expect(shown == expected, f"{entry['id']}: duplicates shown {shown}, the API's {expected}")


def mark_duplicate(page):
    """Signed in as the cabinet: a new proposal beside an open priority is
    marked, from its card, as the duplicate of the first possible duplicate
    listed; its card then names the original, whose card lists it."""
    step("a cabinet marks a proposal as a duplicate from its card; both cards show the link")
    anchor = next(f for f in get(f"/collections/priorities/items?parish={SCOPE}&status={OPEN}&limit=500")["features"]
                  if f["geometry"]["type"] == "Point")
    lon, lat = anchor["geometry"]["coordinates"]
    status, created = api("POST", "/collections/priorities/items", body={
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat + 0.00004]},
        "properties": {"council": anchor["properties"]["council"], "title": "La misma fuga, otra vez",
                       "category": anchor["properties"]["category"]}})
    expect(status == 201 and duplicates_of(created), f"a proposal with possible duplicates: {status} {created}")
    new_id, original = created["id"], duplicates_of(created)[0]["id"]
    # Opened as a click on the map or a list would (the list's first page
    # need not hold a proposal made a moment ago).
    page.evaluate("async (id) => (await import('/assets/map-panels.js')).openCard(id)", new_id)
    page.click(f"#card[data-id='{new_id}'] .duplicates li button.mark-duplicate[data-original='{original}']")
    page.wait_for_selector(f"#card[data-id='{new_id}'][data-status='duplicate']")
    stored = get(f"/collections/priorities/items/{new_id}")["properties"]
    expect(stored["status"] == "duplicate" and stored.get("duplicate_of") == original,
           f"marked in the API: {stored['status']} of {stored.get('duplicate_of')}")
    expect(get(f"/collections/priorities/items?duplicate_of={original}")["numberMatched"] >= 1,
           "the API lists it among the original's duplicates")
    page.click(f"#card[data-id='{new_id}'] p button.link[data-id='{original}']")
    page.wait_for_selector(f"#card[data-id='{original}'] .marked-duplicates li button[data-id='{new_id}']")
    page.click("#card-close")


def proposal_duplicates(page, new_id, anchor_id):
    """After a spokesperson's proposal: the form and the card list its duplicates."""
    expected = [f["id"] for f in get(f"/collections/priorities/items/{new_id}/duplicates")["features"]]
    expect(anchor_id in expected, f"the priority beside it is a possible duplicate: {expected}")
    for where in ["#p-duplicates", "#card"]:
        page.wait_for_function(
            "([sel, ids]) => { const s = [...document.querySelectorAll(sel + ' .duplicates li button.link')]"
            ".map(b => b.dataset.id); return s.length === ids.length && s.every((id, i) => id === ids[i]); }",
            arg=[where, expected])


def territory_zoom(page, state):
    """The map opened on a link naming `state` (and no view) shows all of it."""
    geometry = get(f"/collections/states/items/{state}")["geometry"]
    points = vertices(geometry)
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    corners = [[min(lons), min(lats)], [max(lons), max(lats)]]
    inside = page.evaluate("(cs) => cs.map(c => window.prioridadesMap.getBounds().contains(c))", corners)
    zoom = page.evaluate("() => window.prioridadesMap.getZoom()")
    expect(all(inside) and zoom > 5.5, f"the map fits state {state}: corners in view {inside}, zoom {zoom}")


def time_labels(page, columns):
    """The statistics table shows the response-time columns, each under a label, not its name."""
    times = [c for c in columns if c in ("open", "overdue", "share_overdue")
             or c.endswith(("_n", "_median_days", "_p90_days"))]
    expect("open" in times and any(c.endswith("_median_days") for c in times),
           f"the table has the response-time columns: {columns}")
    labels = page.eval_on_selector_all("#stats-table thead th", "hs => hs.map(h => [h.dataset.column, h.textContent])")
    unlabelled = [c for c, text in labels if c in times and text == c]
    expect(not unlabelled, f"response-time columns without a label: {unlabelled}")
    median = dict(labels).get("proposed_to_approved_median_days")
    expect(median in (None, "Días propuesta→aprobación (mediana)"), f"the median's label: {median!r}")
