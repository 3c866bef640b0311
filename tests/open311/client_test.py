"""Open311 GeoReport v2 through georeport (PyPI), a client library written
for city back-ends, against this server's /open311/v2/.

Run by tests/api/open311_client.rs, which passes in the environment:
PRIORIDADES_OPEN311 (the endpoint's root), PRIORIDADES_API_KEY (a
spokesperson's token), PRIORIDADES_QUERIES (a JSON list of keyword
arguments of GeoReport.get_service_requests) and PRIORIDADES_REQUEST_IDS (a
comma list of two request ids) and PRIORIDADES_POINT (lon,lat of the
request it creates). Prints one JSON document of what the library
returned; the Rust test compares it with the server's own JSON and with a
brute-force listing of the data.

georeport 0.3.1 has no call that creates a request, so the POST is made
with `requests` (the library's own HTTP dependency) as the specification's
form, and the created request is read back through the library.
"""

import json
import os
import sys

import georeport
import requests
from georeport import GeoReport


def main():
    root = os.environ["PRIORIDADES_OPEN311"]
    queries = json.loads(os.environ["PRIORIDADES_QUERIES"])
    ids = os.environ["PRIORIDADES_REQUEST_IDS"]
    lon, lat = os.environ["PRIORIDADES_POINT"].split(",")
    # A jurisdiction, which the server accepts and ignores.
    client = GeoReport(root, jurisdiction="ve")
    xml_client = GeoReport(root, output_format="xml")
    out = {
        "version": georeport.__version__,
        "services": client.get_service_list(),
        "services_xml": xml_client.get_service_list(),
        "definition": client.get_service_definition("water"),
        "lists": [client.get_service_requests(**q) for q in queries],
        "by_ids": client.get_service_requests(service_request_id=ids),
        "one": client.get_service_request(ids.split(",")[0]),
        "one_xml": xml_client.get_service_request(ids.split(",")[0]),
    }
    form = {
        "api_key": os.environ["PRIORIDADES_API_KEY"],
        "jurisdiction_id": "ve",
        "service_code": "health",
        "lat": lat,
        "long": lon,
        "description": "Ambulatorio sin medicinas\nFaltan insumos básicos.",
        "attribute[families]": "75",
    }
    created = requests.post(f"{root}/requests.json", data=form, timeout=30)
    out["created_status"] = created.status_code
    out["created"] = created.json()
    if created.ok:
        new_id = out["created"][0]["service_request_id"]
        out["created_read"] = client.get_service_request(new_id)
    # An unknown request: the library raises requests' HTTPError.
    try:
        client.get_service_request("not-an-id")
        out["unknown"] = None
    except requests.HTTPError as e:
        out["unknown"] = e.response.status_code
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
