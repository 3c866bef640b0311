"""QGIS (PyQGIS, headless) against the running server: OGC API - Features
layers through QGIS's own OAPIF provider, compared with the API's answers.

Run by tests/api/qgis.rs with the system's python3 (Debian: python3-qgis and
qgis-providers), which passes PRIORIDADES_BASE (the server) and
PRIORIDADES_ADMIN_TOKEN. Prints what it checked and what QGIS requested;
exits non-zero on the first failed check.

What it asserts is what QGIS 3.22 (Debian 12) does: it reads every layer
(count, extent), evaluates a subset string and a spatial request itself on
the whole collection, which it downloads, and offers no editing: its
OAPIF provider has no create, change or delete, and it has no way to send
an Authorization header (`http-header:` in the URI is ignored; 3.22.16
has no QgsHttpHeaders). Editing through OAPIF (Part 4) came with QGIS 3.32.
"""

import json
import os
import sys
import urllib.parse
import urllib.request

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (  # noqa: E402
    Qgis,
    QgsApplication,
    QgsFeatureRequest,
    QgsNetworkAccessManager,
    QgsRectangle,
    QgsVectorDataProvider,
    QgsVectorLayer,
)

BASE = os.environ["PRIORIDADES_BASE"]
ADMIN = os.environ["PRIORIDADES_ADMIN_TOKEN"]
# The requests QGIS made: (operation, url, Authorization header).
REQUESTS = []


def api(path):
    with urllib.request.urlopen(BASE + path, timeout=60) as r:
        return json.load(r)


def api_ids(collection, query=""):
    """Every id the API lists for the query (one page of up to 10,000)."""
    body = api(f"/collections/{collection}/items?limit=10000&{query}")
    assert body["numberMatched"] == len(body["features"]), body["numberMatched"]
    return {str(f["id"]) for f in body["features"]}


def layer(collection, extra=""):
    uri = f"url='{BASE}' typename='{collection}'{extra}"
    lyr = QgsVectorLayer(uri, collection, "OAPIF")
    assert lyr.isValid(), f"QGIS opens {collection}: {lyr.error().summary()}"
    return lyr


def layer_ids(lyr, request=None):
    features = lyr.getFeatures(request or QgsFeatureRequest())
    return {str(f["id"]) for f in features}


def mark():
    """Where the log stands, once the requests so far have been logged."""
    QgsApplication.processEvents()
    return len(REQUESTS)


def requests_since(start):
    QgsApplication.processEvents()
    return REQUESTS[start:]


def check_reads():
    for collection in ["priorities", "councils", "parishes"]:
        lyr = layer(collection)
        matched = api(f"/collections/{collection}/items?limit=1")["numberMatched"]
        assert lyr.featureCount() == matched, (collection, lyr.featureCount(), matched)
        want = api(f"/collections/{collection}")["extent"]["spatial"]["bbox"][0]
        e = lyr.extent()
        got = [e.xMinimum(), e.yMinimum(), e.xMaximum(), e.yMaximum()]
        assert all(abs(a - b) < 1e-9 for a, b in zip(got, want)), (collection, got, want)
        assert layer_ids(lyr) == api_ids(collection), collection
        print(f"{collection}: {matched} features, extent {got}")


def check_subset():
    """QGIS 3.22 keeps a subset string to itself: the whole collection
    travels and QGIS filters it."""
    start = mark()
    lyr = layer("priorities")
    assert lyr.setSubsetString("\"category\" = 'water' AND \"status\" = 'proposed'")
    want = api_ids("priorities", "category=water&status=proposed")
    assert want, "the demo has proposed water priorities"
    assert lyr.featureCount() == len(want), (lyr.featureCount(), len(want))
    assert layer_ids(lyr) == want
    items = [u for _, u, _ in requests_since(start) if "/items" in u]
    assert items and not any("filter" in u or "category" in u for u in items), items
    print(f"subset: {len(want)} features, evaluated by QGIS; requests: {items}")


def check_rect():
    """A spatial request gives the API's bbox answer. QGIS 3.22 computes it
    from the whole collection, which it downloads (no bbox=) for a layer
    of the demo's size."""
    x0, y0, x1, y1 = -66.95, 10.45, -66.85, 10.55
    want = api_ids("priorities", f"bbox={x0},{y0},{x1},{y1}")
    assert want, "the demo has priorities in the box"
    start = mark()
    lyr = layer("priorities")
    request = QgsFeatureRequest().setFilterRect(QgsRectangle(x0, y0, x1, y1))
    request.setFlags(QgsFeatureRequest.ExactIntersect)
    got = layer_ids(lyr, request)
    items = [u for _, u, _ in requests_since(start) if "/items" in u]
    assert got == want, (len(got), len(want), sorted(got ^ want)[:5])
    assert items and not any("bbox=" in u for u in items), items
    print(f"rect: {len(got)} features; requests: {items}")


def check_not_editable():
    """With the admin's token in the URI QGIS 3.22 still offers no editing,
    and the token never leaves QGIS."""
    start = mark()
    lyr = layer("priorities", f" http-header:Authorization='Bearer {ADMIN}'")
    caps = lyr.dataProvider().capabilities()
    for cap in ["AddFeatures", "DeleteFeatures", "ChangeAttributeValues", "ChangeGeometries"]:
        assert not caps & getattr(QgsVectorDataProvider, cap), cap
    assert not lyr.startEditing(), "QGIS 3.22 cannot edit an OAPIF layer"
    assert not lyr.isEditable()
    assert layer_ids(lyr), "the layer still reads"
    sent = requests_since(start)
    assert sent and all(not auth for _, _, auth in sent), sent
    methods = {op for op, _, _ in sent}
    assert methods == {QgsNetworkAccessManager.GetOperation}, methods
    print(f"editing: none (capabilities: {lyr.dataProvider().capabilitiesString()}); "
          f"{len(sent)} GETs, none with an Authorization header")


def main():
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()

    def log(params):
        r = params.request()
        auth = bytes(r.rawHeader(b"Authorization")).decode()
        REQUESTS.append((params.operation(), urllib.parse.unquote(r.url().toString()), auth))

    QgsNetworkAccessManager.instance().requestAboutToBeCreated[
        "QgsNetworkRequestParameters"
    ].connect(log)
    print(f"QGIS {Qgis.QGIS_VERSION}")
    check_reads()
    check_subset()
    check_rect()
    check_not_editable()
    app.exitQgis()


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"FAILED: {e!r}", file=sys.stderr)
        raise
