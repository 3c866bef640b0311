//! Synthetic territorial boundaries for the demo, made by the project (the real
//! boundary files may not be copied): a power diagram of the parish circles,
//! clipped to a hull around them, with every edge roughened by seeded noise.

use std::collections::BTreeMap;

use geo::orient::Direction;
use geo::{
    ConvexHull, Coord, Haversine, LineString, MultiPoint, MultiPolygon, Orient, Polygon,
    unary_union,
};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{PlaceParish, places};

/// How far the outline of a group of parishes reaches beyond their circles.
const BUFFER_M: f64 = 1_500.0;
/// Parishes closer than this (gap between circles) share one tiled region.
const LINK_M: f64 = 2.5 * BUFFER_M;
/// Target spacing of boundary vertices.
const SPACING_M: f64 = 30.0;
/// How close a roughened edge may come to a circle.
const MARGIN_M: f64 = 10.0;

/// Synthetic boundaries for every demo territory: (code, name-independent) → MultiPolygon (lon/lat WGS84).
/// Parishes, then municipalities (union of their parishes), then states (union of their municipalities), each sorted by code.
pub fn boundaries() -> Vec<(String, MultiPolygon<f64>)> {
    let mut parishes: Vec<&PlaceParish> = places::PARISHES.iter().collect();
    parishes.sort_by_key(|p| p.code);
    let mut cells = Vec::with_capacity(parishes.len());
    for group in groups(&parishes) {
        cells.extend(tile(&group));
    }
    cells.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = cells.clone();
    for len in [4, 2] {
        let mut grouped: BTreeMap<&str, Vec<&MultiPolygon<f64>>> = BTreeMap::new();
        for (code, shape) in &cells {
            grouped.entry(&code[..len]).or_default().push(shape);
        }
        let unions: Vec<_> = grouped
            .into_iter()
            .map(|(code, shapes)| {
                let shape = unary_union(shapes).orient(Direction::Default);
                (code.to_owned(), shape)
            })
            .collect();
        out.extend(unions.iter().cloned());
        cells = unions;
    }
    out
}

/// Parishes grouped so that neighbouring municipalities share one tiling:
/// linked when in the same municipality or when their circles are close.
fn groups<'a>(parishes: &[&'a PlaceParish]) -> Vec<Vec<&'a PlaceParish>> {
    let mut label: Vec<usize> = (0..parishes.len()).collect();
    let (ky, _) = scale(parishes[0].lat);
    loop {
        let mut changed = false;
        for i in 0..parishes.len() {
            for j in 0..parishes.len() {
                let (a, b) = (parishes[i], parishes[j]);
                let kx = scale((a.lat + b.lat) / 2.0).1;
                let d = ((a.lon - b.lon) * kx).hypot((a.lat - b.lat) * ky);
                let linked = a.code[..4] == b.code[..4] || d - a.radius_m - b.radius_m < LINK_M;
                if linked && label[j] < label[i] {
                    label[i] = label[j];
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    let mut out: BTreeMap<usize, Vec<&PlaceParish>> = BTreeMap::new();
    for (p, l) in parishes.iter().zip(label) {
        out.entry(l).or_default().push(p);
    }
    out.into_values().collect()
}

/// Metres per degree of latitude and of longitude at `lat`.
fn scale(lat: f64) -> (f64, f64) {
    let ky = Haversine.radius().to_radians();
    (ky, ky * lat.to_radians().cos())
}

/// Tiles one group: each parish gets its power cell (weights r²) within a
/// convex hull around the group's circles, with roughened edges.
fn tile(group: &[&PlaceParish]) -> Vec<(String, MultiPolygon<f64>)> {
    let n = group.len() as f64;
    let lon0 = group.iter().map(|p| p.lon).sum::<f64>() / n;
    let lat0 = group.iter().map(|p| p.lat).sum::<f64>() / n;
    let (ky, kx) = scale(lat0);
    let centres: Vec<Coord> = group
        .iter()
        .map(|p| Coord {
            x: (p.lon - lon0) * kx,
            y: (p.lat - lat0) * ky,
        })
        .collect();
    let radii: Vec<f64> = group.iter().map(|p| p.radius_m).collect();
    let region = hull_around(&centres, &radii);
    let (verts, rings) = power_cells(&region, &centres, &radii);
    let lines = rough_edges(group, &centres, &radii, &verts, &rings);
    let to_lonlat = |p: Coord| Coord {
        x: lon0 + p.x / kx,
        y: lat0 + p.y / ky,
    };
    rings
        .iter()
        .zip(group)
        .map(|(ring, parish)| {
            let mut coords = Vec::new();
            for (k, &u) in ring.iter().enumerate() {
                let v = ring[(k + 1) % ring.len()];
                let mut line = lines[&(u.min(v), u.max(v))].clone();
                if u > v {
                    line.reverse();
                }
                line.pop();
                coords.extend(line.into_iter().map(to_lonlat));
            }
            let polygon = Polygon::new(LineString::from(coords), vec![]);
            let shape = MultiPolygon(vec![polygon]).orient(Direction::Default);
            (parish.code.to_owned(), shape)
        })
        .collect()
}

/// The convex hull around the circles (centres and radii in metres, on the
/// group's local plane), [`BUFFER_M`] wider, counter-clockwise and open.
fn hull_around(centres: &[Coord], radii: &[f64]) -> Vec<Coord> {
    let around: MultiPoint = centres
        .iter()
        .zip(radii)
        .flat_map(|(c, r)| {
            (0..16).map(move |k| {
                let a = f64::from(k) * std::f64::consts::TAU / 16.0;
                *c + Coord {
                    x: a.cos(),
                    y: a.sin(),
                } * (r + BUFFER_M)
            })
        })
        .map(geo::Point::from)
        .collect();
    let hull = around.convex_hull().orient(Direction::Default);
    let mut region = hull.exterior().0.clone();
    region.pop();
    region
}

/// Each circle's power cell within `region`, as a ring of ids into the
/// shared vertices, so both sides of an edge agree.
fn power_cells(
    region: &[Coord],
    centres: &[Coord],
    radii: &[f64],
) -> (Vec<Coord>, Vec<Vec<usize>>) {
    let mut verts: Vec<Coord> = Vec::new();
    let mut rings = Vec::with_capacity(centres.len());
    for (i, (&ci, &ri)) in centres.iter().zip(radii).enumerate() {
        let mut cell = region.to_vec();
        for (j, (&cj, &rj)) in centres.iter().zip(radii).enumerate() {
            if i != j {
                let limit = dot(cj, cj) - dot(ci, ci) - rj * rj + ri * ri;
                cell = clip(&cell, (cj - ci) * 2.0, limit);
            }
        }
        let mut ring: Vec<usize> = cell.iter().map(|&p| vertex_id(&mut verts, p)).collect();
        ring.dedup();
        while ring.len() > 1 && ring.first() == ring.last() {
            ring.pop();
        }
        rings.push(ring);
    }
    (verts, rings)
}

/// Every edge of the cells, roughened once for the cells on both sides: by
/// its vertex ids, lower first, the line from the lower to the higher.
fn rough_edges(
    group: &[&PlaceParish],
    centres: &[Coord],
    radii: &[f64],
    verts: &[Coord],
    rings: &[Vec<usize>],
) -> BTreeMap<(usize, usize), Vec<Coord>> {
    let mut edges: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
    for (i, ring) in rings.iter().enumerate() {
        for (k, &u) in ring.iter().enumerate() {
            let v = ring[(k + 1) % ring.len()];
            edges.entry((u.min(v), u.max(v))).or_default().push(i);
        }
    }
    edges
        .iter()
        .map(|(&(u, v), owners)| {
            let sides: Vec<_> = owners.iter().map(|&i| (centres[i], radii[i])).collect();
            let mut seed = format!("{u}-{v}");
            for &i in owners {
                seed = format!("{seed}|{}", group[i].code);
            }
            ((u, v), roughen(verts[u], verts[v], &sides, &seed))
        })
        .collect()
}

fn dot(a: Coord, b: Coord) -> f64 {
    a.x * b.x + a.y * b.y
}

/// The id of the vertex at `p`, merging points closer than a millimetre.
fn vertex_id(verts: &mut Vec<Coord>, p: Coord) -> usize {
    if let Some(id) = verts
        .iter()
        .position(|&q| (q - p).x.hypot((q - p).y) < 1e-3)
    {
        return id;
    }
    verts.push(p);
    verts.len() - 1
}

/// Sutherland–Hodgman: the part of a convex ring where `dot(p, normal) <= limit`.
fn clip(ring: &[Coord], normal: Coord, limit: f64) -> Vec<Coord> {
    let mut out = Vec::with_capacity(ring.len() + 1);
    for (k, &a) in ring.iter().enumerate() {
        let b = ring[(k + 1) % ring.len()];
        let (fa, fb) = (dot(a, normal) - limit, dot(b, normal) - limit);
        if fa <= 0.0 {
            out.push(a);
        }
        if (fa < 0.0 && fb > 0.0) || (fa > 0.0 && fb < 0.0) {
            out.push(a + (b - a) * (fa / (fa - fb)));
        }
    }
    out
}

/// Distance from `p` to the line through `a` and `b`.
fn line_distance(p: Coord, a: Coord, b: Coord) -> f64 {
    let d = b - a;
    ((p.x - a.x) * d.y - (p.y - a.y) * d.x).abs() / d.x.hypot(d.y)
}

/// The edge `a`→`b` as a noisy polyline with the same ends. `sides` are the
/// circles of the cells on either side (one for the outline). Each point moves
/// at most into the triangle (a, b, centre) of the cell it moves into, which
/// lies in that convex cell, and stays clear of that cell's circle: so edges
/// never cross and circles stay inside.
fn roughen(a: Coord, b: Coord, sides: &[(Coord, f64)], seed: &str) -> Vec<Coord> {
    let d = b - a;
    let len = d.x.hypot(d.y);
    let normal = Coord { x: -d.y, y: d.x } / len;
    let segments = ((len / SPACING_M).ceil() as usize)
        .next_power_of_two()
        .clamp(4, 128);
    let seed = seed.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // Midpoint displacement: a fractal profile, zero at both ends.
    let mut f = vec![0.0; segments + 1];
    let (mut step, mut amp) = (segments, 1.0);
    while step > 1 {
        for k in (step / 2..segments).step_by(step) {
            f[k] = (f[k - step / 2] + f[k + step / 2]) / 2.0 + amp * rng.random_range(-1.0..1.0);
        }
        step /= 2;
        amp *= 0.5;
    }
    let peak = f.iter().fold(f64::EPSILON, |m, v: &f64| m.max(v.abs()));
    let outline = sides.len() == 1;
    (0..=segments)
        .map(|k| {
            let p = a + d * (k as f64 / segments as f64);
            let mut v = f[k] / peak;
            if outline {
                // Only inwards: towards the single cell's centre.
                let inwards = dot(sides[0].0 - a, normal).signum();
                v = inwards * (v + 1.0) / 2.0;
            }
            let room = sides
                .iter()
                .filter(|(c, _)| dot(*c - a, normal) * v > 0.0)
                .map(|&(c, r)| {
                    let clear = (p - c).x.hypot((p - c).y) - r - MARGIN_M;
                    clear
                        .min(line_distance(p, a, c))
                        .min(line_distance(p, b, c))
                })
                .fold(0.0, f64::max)
                .min(0.2 * len);
            p + normal * (0.9 * v * room)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use geo::{
        Area, BooleanOps, BoundingRect, Contains, ConvexHull, Destination, Euclidean, Haversine,
        Intersects, Length, Point, Validation, Winding,
    };

    use super::*;

    fn parishes(all: &[(String, MultiPolygon<f64>)]) -> &[(String, MultiPolygon<f64>)] {
        &all[..places::PARISHES.len()]
    }

    #[test]
    fn codes_are_parishes_then_municipalities_then_states_sorted() {
        let codes: Vec<String> = boundaries().into_iter().map(|(c, _)| c).collect();
        let mut expected: Vec<String> = Vec::new();
        for set in [
            places::PARISHES.iter().map(|p| p.code).collect::<Vec<_>>(),
            places::MUNICIPALITIES.iter().map(|m| m.code).collect(),
            places::STATES.iter().map(|s| s.code).collect(),
        ] {
            let mut set: Vec<String> = set.into_iter().map(str::to_owned).collect();
            set.sort();
            expected.extend(set);
        }
        assert_eq!(codes, expected);
    }

    #[test]
    fn each_parish_contains_its_circle() {
        let all = boundaries();
        for p in places::PARISHES {
            let shape = &all.iter().find(|(c, _)| c == p.code).unwrap().1;
            for k in 0..720 {
                let q = Haversine.destination(
                    Point::new(p.lon, p.lat),
                    f64::from(k) / 2.0,
                    0.999 * p.radius_m,
                );
                assert!(shape.contains(&q), "{} misses {q:?}", p.code);
            }
        }
    }

    #[test]
    fn parishes_do_not_overlap_and_tile_each_municipality() {
        let all = boundaries();
        let parishes = parishes(&all);
        for (i, (a, sa)) in parishes.iter().enumerate() {
            for (b, sb) in &parishes[i + 1..] {
                if sa
                    .bounding_rect()
                    .unwrap()
                    .intersects(&sb.bounding_rect().unwrap())
                {
                    let overlap = sa.intersection(sb).unsigned_area();
                    assert!(overlap < 1e-12, "{a} and {b} overlap by {overlap}");
                }
                if sa.intersects(sb) {
                    // Neighbours share their edge vertex for vertex.
                    let common = sa.0[0]
                        .exterior()
                        .coords()
                        .filter(|c| sb.0[0].exterior().coords().any(|d| d == *c));
                    assert!(common.count() >= 5, "{a} and {b} only touch");
                }
            }
        }
        for m in places::MUNICIPALITIES {
            let mine: Vec<_> = parishes
                .iter()
                .filter(|(c, _)| c.starts_with(m.code))
                .collect();
            let union = unary_union(mine.iter().map(|(_, s)| s));
            // One piece without holes: connected, no gaps or slivers between neighbours.
            assert_eq!(union.0.len(), 1, "{} is not connected", m.code);
            assert!(union.0[0].interiors().is_empty(), "{} has gaps", m.code);
            let sum: f64 = mine.iter().map(|(_, s)| s.unsigned_area()).sum();
            assert!((union.unsigned_area() - sum).abs() < 1e-9 * sum);
        }
    }

    #[test]
    fn every_shape_is_valid_closed_and_counter_clockwise() {
        for (code, shape) in boundaries() {
            assert!(shape.is_valid(), "{code}: {:?}", shape.validation_errors());
            assert!(!shape.0.is_empty(), "{code} is empty");
            for polygon in &shape.0 {
                assert!(
                    polygon.exterior().is_closed() && polygon.exterior().is_ccw(),
                    "{code}"
                );
                assert!(
                    polygon
                        .interiors()
                        .iter()
                        .all(|r| r.is_closed() && r.is_cw())
                );
            }
        }
    }

    #[test]
    fn parishes_are_irregular_with_hundreds_of_vertices() {
        let all = boundaries();
        let mut counts = Vec::new();
        for (code, shape) in parishes(&all) {
            let ring = shape.0[0].exterior();
            counts.push(ring.0.len() - 1);
            // Much longer than its convex hull: a wiggly, not straight, outline.
            let hull = shape.convex_hull();
            let ratio = Euclidean.length(ring) / Euclidean.length(hull.exterior());
            assert!(ratio > 1.03, "{code} is too smooth: {ratio}");
        }
        counts.sort_unstable();
        println!("vertices per parish: {counts:?}");
        assert!(counts[0] >= 100, "{counts:?}");
        assert!(counts[counts.len() / 2] >= 200, "{counts:?}");
    }

    #[test]
    fn output_is_deterministic() {
        assert_eq!(boundaries(), boundaries());
    }

    #[test]
    fn municipalities_and_states_are_unions() {
        let all = boundaries();
        let (parishes, parents) = all.split_at(places::PARISHES.len());
        assert_eq!(
            parents.len(),
            places::MUNICIPALITIES.len() + places::STATES.len()
        );
        for (code, shape) in parents {
            let under = |(c, _): &&(String, MultiPolygon<f64>)| c.starts_with(code.as_str());
            let children: Vec<_> = all
                .iter()
                .filter(|e| e.0.len() == code.len() + 2)
                .filter(under)
                .collect();
            let sum: f64 = children.iter().map(|(_, s)| s.unsigned_area()).sum();
            assert!(!children.is_empty() && shape.is_valid(), "{code}");
            assert!((shape.unsigned_area() - sum).abs() < 1e-9 * sum, "{code}");
            let from_parishes = unary_union(parishes.iter().filter(under).map(|(_, s)| s));
            assert!(shape.xor(&from_parishes).unsigned_area() < 1e-12, "{code}");
        }
    }
}
