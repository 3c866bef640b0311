"""QGIS 3.32 or later (PyQGIS, headless) editing OGC API - Features layers
of the running server through QGIS's own OAPIF provider, with a token sent
as an HTTP header of the layer's URI. Run by tests/api/qgis_edit.rs with the
python of scripts/qgis-trixie (Debian 13's QGIS 3.40), which passes
PRIORIDADES_BASE (the server) and PRIORIDADES_ADMIN_TOKEN. Prints what it
checked and what QGIS requested; exits non-zero on the first failed check.

It asserts that:
- without a token the layer is read-only (the server's Allow names only
  read methods), and QGIS sends no write;
- with an admin's token, set up as a user would (an authentication
  configuration of QGIS's API Header method; QGIS 3.40's OAPIF provider
  ignores `http-header:` keys in the layer's URI), QGIS asks OPTIONS with
  it and offers adding, changing attributes and geometries and deleting,
  and each edit it saves reaches the API: a changed title (PATCH), a new
  priority (POST), a moved point (PATCH) and a deletion (DELETE); every
  write carries the token.
"""

import json
import os
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# A fresh authentication database, not the user's.
os.environ["QGIS_AUTH_DB_DIR_PATH"] = tempfile.mkdtemp(prefix="qgis-auth-")

from qgis.PyQt.QtNetwork import QNetworkRequest  # noqa: E402
from qgis.core import (  # noqa: E402
    Qgis,
    QgsApplication,
    QgsAuthMethodConfig,
    QgsFeature,
    QgsFeatureRequest,
    QgsGeometry,
    QgsNetworkAccessManager,
    QgsPointXY,
    QgsVectorDataProvider,
    QgsVectorLayer,
)

BASE = os.environ["PRIORIDADES_BASE"]
ADMIN = os.environ["PRIORIDADES_ADMIN_TOKEN"]
EDITS = ["AddFeatures", "DeleteFeatures", "ChangeAttributeValues", "ChangeGeometries"]
# The requests QGIS made: (operation, custom verb, url, Authorization header).
REQUESTS = []


def api(path):
    with urllib.request.urlopen(BASE + path, timeout=60) as r:
        return json.load(r)


def api_status(path):
    try:
        with urllib.request.urlopen(BASE + path, timeout=60) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def bearer(token):
    """An authentication configuration of QGIS's API Header method that
    sends `Authorization: Bearer <token>`, as a user sets one up in the
    connection's Authentication tab; its id, for the layer's `authcfg`."""
    manager = QgsApplication.authManager()
    if not manager.masterPasswordIsSet():
        manager.setPasswordHelperEnabled(False)
        assert manager.setMasterPassword("prioridades-test", True), "an auth database"
    config = QgsAuthMethodConfig("APIHeader")
    config.setName("prioridades")
    config.setConfig("Authorization", f"Bearer {token}")
    assert manager.storeAuthenticationConfig(config)[0], "the configuration is stored"
    return config.id()


def layer(collection, token=None):
    uri = f"url='{BASE}' typename='{collection}'"
    if token:
        uri += f" authcfg='{bearer(token)}'"
    lyr = QgsVectorLayer(uri, collection, "OAPIF")
    assert lyr.isValid(), f"QGIS opens {collection}: {lyr.error().summary()}"
    return lyr


def mark():
    QgsApplication.processEvents()
    return len(REQUESTS)


def requests_since(start):
    QgsApplication.processEvents()
    return REQUESTS[start:]


def verb(op, custom):
    names = {
        QgsNetworkAccessManager.GetOperation: "GET",
        QgsNetworkAccessManager.PostOperation: "POST",
        QgsNetworkAccessManager.PutOperation: "PUT",
        QgsNetworkAccessManager.DeleteOperation: "DELETE",
        QgsNetworkAccessManager.HeadOperation: "HEAD",
    }
    return custom or names.get(op, str(op))


def writes(sent):
    return [(m, u, a) for m, u, a in sent if m not in ("GET", "HEAD", "OPTIONS")]


def feature_by_id(lyr, wanted):
    for f in lyr.getFeatures(QgsFeatureRequest()):
        if str(f["id"]) == wanted:
            return f
    raise AssertionError(f"QGIS lists {wanted}")


def commit(lyr, what):
    ok = lyr.commitChanges()
    assert ok, f"{what}: {lyr.commitErrors()}"


def check_read_only_without_token():
    start = mark()
    lyr = layer("priorities")
    caps = lyr.dataProvider().capabilities()
    for cap in EDITS:
        assert not caps & getattr(QgsVectorDataProvider, cap), f"anonymous: {cap}"
    assert any(f["id"] for f in lyr.getFeatures(QgsFeatureRequest().setLimit(5)))
    sent = requests_since(start)
    assert not writes(sent), sent
    print(f"anonymous: read-only ({lyr.dataProvider().capabilitiesString()})")


def check_edits_with_token():
    start = mark()
    lyr = layer("priorities", ADMIN)
    caps = lyr.dataProvider().capabilities()
    for cap in EDITS:
        assert caps & getattr(QgsVectorDataProvider, cap), (
            f"admin: no {cap}; requests: {requests_since(start)}"
        )
    print(f"admin: {lyr.dataProvider().capabilitiesString()}")
    fields = lyr.fields()

    # Change a proposal's title.
    target = api("/collections/priorities/items?status=proposed&limit=1")["features"][0]
    pid = str(target["id"])
    f = feature_by_id(lyr, pid)
    assert lyr.startEditing(), "QGIS starts editing"
    title = "Cambiado desde QGIS"
    assert lyr.changeAttributeValue(f.id(), fields.indexOf("title"), title)
    commit(lyr, "the changed title")
    got = api(f"/collections/priorities/items/{pid}")
    assert got["properties"]["title"] == title, got["properties"]["title"]
    print(f"changed {pid}: title {title!r}")

    # Add a priority.
    council = target["properties"]["council"]
    lon, lat = target["geometry"]["coordinates"][:2] if target["geometry"]["type"] == "Point" \
        else (-66.9036, 10.4806)
    new = QgsFeature(fields)
    new.setAttribute("council", council)
    new.setAttribute("title", "Propuesta desde QGIS")
    new.setAttribute("category", "water")
    new.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(lon + 0.0001, lat + 0.0001)))
    assert lyr.startEditing()
    assert lyr.addFeature(new)
    commit(lyr, "the new priority")
    made = api(
        "/collections/priorities/items?limit=10000&"
        + urllib.parse.urlencode({"filter": "title = 'Propuesta desde QGIS'"})
    )["features"]
    assert len(made) == 1, len(made)
    new_id = str(made[0]["id"])
    assert made[0]["properties"]["council"] == council
    print(f"added {new_id} under {council}")

    # Move it, then delete it.
    lyr2 = layer("priorities", ADMIN)
    g = feature_by_id(lyr2, new_id)
    assert lyr2.startEditing()
    moved = QgsGeometry.fromPointXY(QgsPointXY(lon + 0.0002, lat + 0.0002))
    assert lyr2.changeGeometry(g.id(), moved)
    commit(lyr2, "the moved priority")
    coords = api(f"/collections/priorities/items/{new_id}")["geometry"]["coordinates"]
    assert abs(coords[0] - (lon + 0.0002)) < 1e-9 and abs(coords[1] - (lat + 0.0002)) < 1e-9, coords
    print(f"moved {new_id} to {coords}")
    g = feature_by_id(lyr2, new_id)
    assert lyr2.startEditing()
    assert lyr2.deleteFeature(g.id())
    commit(lyr2, "the deletion")
    assert api_status(f"/collections/priorities/items/{new_id}") == 404
    print(f"deleted {new_id}")

    sent = requests_since(start)
    w = writes(sent)
    methods = sorted({m for m, _, _ in w})
    # A changed attribute or geometry goes as a merge-patch PATCH, since the
    # server's Allow offers it.
    assert {"POST", "PATCH", "DELETE"} <= set(methods), methods
    assert all(a == f"Bearer {ADMIN}" for _, _, a in w), "every write carries the token"
    options = [a for m, _, a in sent if m == "OPTIONS"]
    assert options and all(a == f"Bearer {ADMIN}" for a in options), options
    print(f"writes: {[(m, u) for m, u, _ in w]}")


def main():
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()

    def log(params):
        r = params.request()
        auth = bytes(r.rawHeader(b"Authorization")).decode()
        custom = r.attribute(QNetworkRequest.CustomVerbAttribute)
        custom = bytes(custom).decode() if custom else ""
        if not custom and params.operation() == QgsNetworkAccessManager.CustomOperation:
            custom = "CUSTOM"
        REQUESTS.append(
            (verb(params.operation(), custom), urllib.parse.unquote(r.url().toString()), auth)
        )

    QgsNetworkAccessManager.instance().requestAboutToBeCreated[
        "QgsNetworkRequestParameters"
    ].connect(log)
    print(f"QGIS {Qgis.QGIS_VERSION}")
    check_read_only_without_token()
    check_edits_with_token()
    app.exitQgis()


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"FAILED: {e!r}", file=sys.stderr)
        raise
