"""GEOS (through shapely) checks a simplified coverage, independently of geo.

Reads a JSON file: {"cases": [{"name": ..., "tolerance": t, "shapes": [GeoJSON
MultiPolygon, ...], "original": [...], "perimeter": p}]} and prints one line
per failure: an invalid shape, two shapes overlapping, a union whose area is
not the sum of the shapes' (a gap or an overlap), or a union farther from the
original union than the tolerance allows. Exits 1 if anything failed.
"""
import json
import sys

import shapely
from shapely.geometry import shape
from shapely.validation import explain_validity


def check(case):
    failures = []
    shapes = [shape(s) for s in case["shapes"]]
    for i, s in enumerate(shapes):
        if not s.is_valid:
            failures.append(f"shape {i} invalid: {explain_validity(s)}")
    tree = shapely.STRtree(shapes)
    for i, j in zip(*tree.query(shapes, predicate="intersects")):
        if i < j:
            overlap = shapes[i].intersection(shapes[j]).area
            if overlap > 1e-12:
                failures.append(f"shapes {i} and {j} overlap by {overlap}")
    union = shapely.union_all(shapes)
    total = sum(s.area for s in shapes)
    if abs(union.area - total) > 1e-9 * total:
        failures.append(f"union {union.area} != sum {total}")
    original = shapely.union_all([shape(s) for s in case["original"]])
    moved = union.symmetric_difference(original).area
    bound = 2 * case["tolerance"] * case["perimeter"]
    if moved > bound:
        failures.append(f"union moved by {moved} > {bound}")
    return failures


def main():
    with open(sys.argv[1]) as f:
        doc = json.load(f)
    failed = False
    for case in doc["cases"]:
        for failure in check(case):
            failed = True
            print(f"{case['name']}: {failure}")
    print(f"shapely {shapely.__version__}, GEOS {shapely.geos_version_string}: "
          f"{len(doc['cases'])} cases checked")
    sys.exit(1 if failed else 0)


main()
