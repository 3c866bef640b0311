//! Speed of topology-preserving simplification (`domain::topology`): the
//! time to cut a level into arcs, then to simplify and repair it and
//! reassemble every shape at the tolerances of web-map zooms 4, 6 and 8
//! (what `zoom=` serves and territory tiles draw), printed as plain
//! wall-clock figures with the vertices kept.
//!
//! Data: the demo's parishes, the national generator's parishes
//! (`Catalog::build(35_000)`, as `prioridades generate` writes them), and
//! the real parishes of `../shared/data/venezuela/ven_parishes.geojson` when
//! that file is present (read at bench time, never copied).
//!
//! Run with `cargo bench --bench topology`.

use std::path::Path;
use std::time::Instant;

use geo::{CoordsIter, MultiPolygon};
use prioridades::domain::codes::Level;
use prioridades::domain::topology::Topology;
use prioridades::generate::Catalog;
use prioridades::import::{BoundaryColumns, parse_boundaries};

fn main() {
    let mut sets: Vec<(&str, Vec<MultiPolygon<f64>>)> = vec![
        (
            "demo",
            prioridades::demo::boundaries::boundaries()
                .into_iter()
                .filter(|(code, _)| code.len() == 6)
                .map(|(_, shape)| shape)
                .collect(),
        ),
        ("generator (35,000 councils)", generated()),
    ];
    let real =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/venezuela/ven_parishes.geojson");
    if real.exists() {
        sets.push(("real parishes", read(&real)));
    }
    for (name, shapes) in &sets {
        let vertices: usize = shapes.iter().map(|s| s.coords_count()).sum();
        let start = Instant::now();
        let topology = Topology::build(&shapes.iter().collect::<Vec<_>>());
        let built = start.elapsed();
        println!(
            "{name}: {} shapes, {vertices} vertices, {} arcs, built in {built:.2?}",
            shapes.len(),
            topology.arc_count()
        );
        for zoom in [4u32, 6, 8] {
            let tolerance = 360.0 / (256.0 * f64::from(1u32 << zoom)) / 2.0;
            let start = Instant::now();
            let simplified = topology.simplify(tolerance);
            let kept = simplified.vertex_count();
            let out = simplified.shapes();
            let took = start.elapsed();
            println!(
                "  zoom {zoom}: simplified, repaired and reassembled in {took:.2?}; {kept} vertices kept, {} shapes",
                out.len()
            );
        }
    }
}

fn generated() -> Vec<MultiPolygon<f64>> {
    let catalog = Catalog::build(35_000).expect("the generator's catalog");
    catalog
        .territories
        .into_iter()
        .filter(|t| t.code.level() == Level::Parish)
        .filter_map(|t| t.boundary)
        .collect()
}

fn read(path: &Path) -> Vec<MultiPolygon<f64>> {
    let bytes = std::fs::read(path).expect("the real parishes");
    let columns = BoundaryColumns {
        code: "code".into(),
        name: "name".into(),
        parent: None,
    };
    parse_boundaries(&bytes, &columns)
        .expect("readable parishes")
        .into_iter()
        .map(|f| f.boundary)
        .collect()
}
