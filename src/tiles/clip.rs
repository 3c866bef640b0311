//! Clipping in a tile's coordinates to the square `[lo, hi]²` (the tile and
//! its buffer): lines by Liang–Barsky, each segment cut exactly where it
//! crosses an edge; polygon rings by Sutherland–Hodgman, which keeps the
//! exact area of the ring inside the square (a ring that leaves and comes
//! back is joined along the edge, as every tiler does).

/// A position in a tile's coordinates.
pub type Xy = (f64, f64);

/// The parts of a line inside the square, in order; each has 2 positions or
/// more.
pub fn clip_line(line: &[Xy], lo: f64, hi: f64) -> Vec<Vec<Xy>> {
    let mut parts = Vec::new();
    let mut part: Vec<Xy> = Vec::new();
    for pair in line.windows(2) {
        match clip_segment(pair[0], pair[1], lo, hi) {
            Some((a, b)) => {
                if part.last() != Some(&a) {
                    if part.len() > 1 {
                        parts.push(std::mem::take(&mut part));
                    }
                    part.clear();
                    part.push(a);
                }
                part.push(b);
                // Leaving the square ends the part.
                if b != pair[1] {
                    parts.push(std::mem::take(&mut part));
                }
            }
            None => {
                if part.len() > 1 {
                    parts.push(std::mem::take(&mut part));
                }
                part.clear();
            }
        }
    }
    if part.len() > 1 {
        parts.push(part);
    }
    parts
}

/// The part of segment `a`–`b` inside the square (Liang–Barsky).
fn clip_segment(a: Xy, b: Xy, lo: f64, hi: f64) -> Option<(Xy, Xy)> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0_f64, 1.0_f64);
    for (p, q) in [
        (-dx, a.0 - lo),
        (dx, hi - a.0),
        (-dy, a.1 - lo),
        (dy, hi - a.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    if t0 > t1 {
        return None;
    }
    let at = |t: f64| {
        if t == 0.0 {
            a
        } else if t == 1.0 {
            b
        } else {
            (a.0 + t * dx, a.1 + t * dy)
        }
    };
    Some((at(t0), at(t1)))
}

/// A closed ring (first position repeated last, or not) clipped to the
/// square, returned open (without the repeated position); empty when
/// nothing of it lies inside.
pub fn clip_ring(ring: &[Xy], lo: f64, hi: f64) -> Vec<Xy> {
    let mut points: Vec<Xy> = ring.to_vec();
    if points.len() > 1 && points.first() == points.last() {
        points.pop();
    }
    if points.iter().all(|p| inside_all(*p, lo, hi)) {
        return points;
    }
    // Each edge of the square in turn: (axis, bound, keep when below).
    for (axis, bound, below) in [(0, lo, false), (0, hi, true), (1, lo, false), (1, hi, true)] {
        if points.is_empty() {
            break;
        }
        let inside = |p: Xy| {
            let v = if axis == 0 { p.0 } else { p.1 };
            if below { v <= bound } else { v >= bound }
        };
        let cross = |a: Xy, b: Xy| {
            let (va, vb) = if axis == 0 { (a.0, b.0) } else { (a.1, b.1) };
            let t = (bound - va) / (vb - va);
            if axis == 0 {
                (bound, a.1 + t * (b.1 - a.1))
            } else {
                (a.0 + t * (b.0 - a.0), bound)
            }
        };
        let mut out = Vec::with_capacity(points.len() + 4);
        let mut previous = points[points.len() - 1];
        for &current in &points {
            match (inside(previous), inside(current)) {
                (true, true) => out.push(current),
                (true, false) => out.push(cross(previous, current)),
                (false, true) => {
                    out.push(cross(previous, current));
                    out.push(current);
                }
                (false, false) => {}
            }
            previous = current;
        }
        points = out;
    }
    points
}

fn inside_all(p: Xy, lo: f64, hi: f64) -> bool {
    (lo..=hi).contains(&p.0) && (lo..=hi).contains(&p.1)
}

/// Twice the signed area of an open ring (shoelace); positive when it turns
/// clockwise on screen (y growing downwards), as MVT wants exterior rings.
pub fn doubled_area(ring: &[(i32, i32)]) -> i64 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            i64::from(a.0) * i64::from(b.1) - i64::from(b.0) * i64::from(a.1)
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(ring: &[Xy]) -> f64 {
        let n = ring.len();
        (0..n)
            .map(|i| {
                let (a, b) = (ring[i], ring[(i + 1) % n]);
                a.0 * b.1 - b.0 * a.1
            })
            .sum::<f64>()
            / 2.0
    }

    #[test]
    fn a_line_crossing_the_square_is_cut_where_it_crosses() {
        let parts = clip_line(
            &[(-10.0, 5.0), (5.0, 5.0), (5.0, 20.0), (-5.0, 20.0)],
            0.0,
            10.0,
        );
        assert_eq!(parts, vec![vec![(0.0, 5.0), (5.0, 5.0), (5.0, 10.0)]]);
        // Leaving and coming back makes two parts.
        let parts = clip_line(
            &[(2.0, 2.0), (2.0, 20.0), (8.0, 20.0), (8.0, 2.0)],
            0.0,
            10.0,
        );
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], vec![(2.0, 2.0), (2.0, 10.0)]);
        assert_eq!(parts[1], vec![(8.0, 10.0), (8.0, 2.0)]);
        assert!(clip_line(&[(20.0, 20.0), (30.0, 30.0)], 0.0, 10.0).is_empty());
    }

    /// The clipped ring's area equals the area of the ring's intersection
    /// with the square, computed here by sampling a fine grid.
    #[test]
    fn a_ring_keeps_exactly_its_area_inside_the_square() {
        // A concave "C" that leaves the square and comes back.
        let ring = [
            (-5.0, -5.0),
            (15.0, -5.0),
            (15.0, 2.0),
            (3.0, 2.0),
            (3.0, 8.0),
            (15.0, 8.0),
            (15.0, 15.0),
            (-5.0, 15.0),
        ];
        let clipped = clip_ring(&ring, 0.0, 10.0);
        let inside_ring = |x: f64, y: f64| {
            // Even-odd ray casting.
            let mut inside = false;
            let n = ring.len();
            for i in 0..n {
                let (a, b) = (ring[i], ring[(i + 1) % n]);
                if (a.1 > y) != (b.1 > y) && x < a.0 + (y - a.1) / (b.1 - a.1) * (b.0 - a.0) {
                    inside = !inside;
                }
            }
            inside
        };
        let step = 0.01;
        let mut sampled = 0.0;
        for i in 0..1000 {
            for j in 0..1000 {
                let (x, y) = ((i as f64 + 0.5) * step, (j as f64 + 0.5) * step);
                if inside_ring(x, y) {
                    sampled += step * step;
                }
            }
        }
        assert!(
            (area(&clipped).abs() - sampled).abs() < 0.05,
            "{} {sampled}",
            area(&clipped)
        );
        assert!(clip_ring(&[(20.0, 20.0), (30.0, 20.0), (30.0, 30.0)], 0.0, 10.0).is_empty());
    }

    #[test]
    fn clockwise_on_screen_is_positive() {
        // x right, y down: (0,0) → (10,0) → (10,10) turns clockwise on screen.
        assert!(doubled_area(&[(0, 0), (10, 0), (10, 10), (0, 10)]) > 0);
        assert!(doubled_area(&[(0, 0), (0, 10), (10, 10), (10, 0)]) < 0);
    }
}
