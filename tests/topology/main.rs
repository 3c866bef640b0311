//! Topology-preserving simplification on a seeded tessellation with long
//! wiggly borders, islands, holes and an enclave: at the tolerance of every
//! web-map zoom from 0 to 12, every simplified shape is valid by geo's
//! validation and by GEOS (shapely, `check_coverage.py`), no two shapes
//! overlap, their union has no gap, stays close to the original union, and
//! each group's union is the union of its members.
//!
//! The GEOS check runs in `target/shapely-venv` (`scripts/shapely-venv`,
//! from PyPI). Without Python's venv module or PyPI it is skipped loudly,
//! unless `PRIORIDADES_REQUIRE_SHAPELY=1` (set by `.ci/run`) makes that a
//! failure.

mod tessellation;

use std::process::Command;

use geo::{Area, BooleanOps, Euclidean, Length, LinesIter, MultiPolygon, Validation};
use prioridades::domain::topology::Topology;
use serde_json::json;

/// A web map's half pixel at `zoom`, in degrees (as `zoom=` serves).
fn tolerance(zoom: u32) -> f64 {
    360.0 / (256.0 * f64::from(1u32 << zoom)) / 2.0
}

fn perimeter(shape: &MultiPolygon<f64>) -> f64 {
    shape.lines_iter().map(|l| Euclidean.length(&l)).sum()
}

#[test]
fn the_generated_tessellation_is_a_valid_coverage() {
    let t = tessellation::generate(19);
    assert!(t.shapes.len() >= 12, "{}", t.shapes.len());
    for (i, s) in t.shapes.iter().enumerate() {
        assert!(s.is_valid(), "input {i}: {:?}", s.validation_errors());
        assert!(s.unsigned_area() > 0.0, "input {i} is empty");
    }
    // It has what the simplification must keep: holes, islands, an enclave.
    assert!(
        t.shapes
            .iter()
            .any(|s| s.0.iter().any(|p| !p.interiors().is_empty()))
    );
    assert!(t.shapes.iter().any(|s| s.0.len() > 1));
    let enclave = t.shapes.last().expect("the enclave");
    let hole_area = |h: &geo::LineString<f64>| geo::Polygon::new(h.clone(), vec![]).unsigned_area();
    let enclave_area = enclave.unsigned_area();
    assert!(
        t.shapes.iter().any(|s| s
            .0
            .iter()
            .flat_map(|p| p.interiors())
            .any(|h| (hole_area(h) - enclave_area).abs() < 1e-12)),
        "a shape has the enclave as a hole"
    );
    let sum: f64 = t.shapes.iter().map(|s| s.unsigned_area()).sum();
    let union = geo::unary_union(t.shapes.iter()).unsigned_area();
    assert!((sum - union).abs() < 1e-6 * sum, "{sum} vs {union}");
}

#[test]
fn simplified_at_every_zoom_the_coverage_stays_valid_and_seamless() {
    let t = tessellation::generate(19);
    let topology = Topology::build(&t.shapes.iter().collect::<Vec<_>>());
    let original_union = geo::unary_union(t.shapes.iter());
    let coast = perimeter(&original_union);
    let groups = t.groups.iter().max().map_or(0, |g| g + 1);
    let group_of: Vec<Option<usize>> = t.groups.iter().map(|g| Some(*g)).collect();
    let mut cases = Vec::new();
    let mut vertices = Vec::new();
    for zoom in 0..=12 {
        let tol = tolerance(zoom);
        let simplification = topology.simplify(tol);
        vertices.push(simplification.vertex_count());
        let shapes = simplification.shapes();
        for (i, s) in shapes.iter().enumerate() {
            assert!(
                s.is_valid(),
                "zoom {zoom}, shape {i}: {:?}",
                s.validation_errors()
            );
            assert!(s.unsigned_area() > 0.0, "zoom {zoom}: shape {i} vanished");
            assert_eq!(
                s.0.len(),
                t.shapes[i].0.len(),
                "zoom {zoom}: shape {i}'s polygons"
            );
        }
        for (i, a) in shapes.iter().enumerate() {
            for (j, b) in shapes.iter().enumerate().skip(i + 1) {
                let overlap = a.intersection(b).unsigned_area();
                assert!(
                    overlap < 1e-12,
                    "zoom {zoom}: {i} and {j} overlap by {overlap}"
                );
            }
        }
        let union = geo::unary_union(shapes.iter());
        let sum: f64 = shapes.iter().map(|s| s.unsigned_area()).sum();
        assert!(
            (union.unsigned_area() - sum).abs() < 1e-6 * sum,
            "zoom {zoom}: a gap"
        );
        let holes = |m: &MultiPolygon<f64>| m.0.iter().map(|p| p.interiors().len()).sum::<usize>();
        assert_eq!(
            (union.0.len(), holes(&union)),
            (original_union.0.len(), holes(&original_union)),
            "zoom {zoom}: the union's pieces and holes"
        );
        let moved = union.xor(&original_union).unsigned_area();
        assert!(moved <= 2.0 * tol * coast, "zoom {zoom}: moved {moved}");
        for (g, u) in simplification.unions(&group_of, groups).iter().enumerate() {
            assert!(
                u.is_valid(),
                "zoom {zoom}, group {g}: {:?}",
                u.validation_errors()
            );
            let members: Vec<_> = (0..shapes.len()).filter(|&i| t.groups[i] == g).collect();
            let expected = geo::unary_union(members.iter().map(|&i| &shapes[i]));
            let diff = u.xor(&expected).unsigned_area();
            assert!(diff < 1e-10, "zoom {zoom}, group {g}: {diff}");
        }
        cases.push(json!({
            "name": format!("zoom {zoom}"),
            "tolerance": tol,
            "perimeter": coast,
            "shapes": shapes.iter().map(geojson::Geometry::from).collect::<Vec<_>>(),
            "original": t.shapes.iter().map(geojson::Geometry::from).collect::<Vec<_>>(),
        }));
    }
    // Coarser zooms keep fewer vertices, and zoom 0 far fewer than all.
    assert!(vertices.windows(2).all(|w| w[0] <= w[1]), "{vertices:?}");
    assert!(vertices[0] * 5 < vertices[12], "{vertices:?}");
    geos_checks(&json!({ "cases": cases }));
}

/// Runs `check_coverage.py` on the cases with shapely, or skips loudly.
fn geos_checks(cases: &serde_json::Value) {
    let required = std::env::var("PRIORIDADES_REQUIRE_SHAPELY").as_deref() == Ok("1");
    let root = env!("CARGO_MANIFEST_DIR");
    let venv = Command::new(format!("{root}/scripts/shapely-venv")).output();
    let python = match venv {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_owned(),
        other => {
            assert!(
                !required,
                "PRIORIDADES_REQUIRE_SHAPELY=1 but scripts/shapely-venv failed: {other:?}"
            );
            eprintln!(
                "\n####################################################\n\
                 ##  GEOS check SKIPPED: scripts/shapely-venv failed ##\n\
                 ####################################################\n{other:?}"
            );
            return;
        }
    };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("cases.json");
    std::fs::write(&file, cases.to_string()).expect("cases written");
    let out = Command::new(python)
        .arg(format!("{root}/tests/topology/check_coverage.py"))
        .arg(&file)
        .output()
        .expect("python runs");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "GEOS found faults:\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(report.contains("13 cases checked"), "{report}");
}
