//! The priorities: one GeoJSON Feature per line, streamed, each inside the
//! parish of the council it names.
//!
//! # Units
//! Positions are `[longitude, latitude]` in WGS84 degrees, rounded to six
//! decimals (about 0.1 m); shape sizes are metres.

use std::f64::consts::TAU;
use std::fmt::Write as _;
use std::io::{self, Write};

use chrono::{DateTime, Days, NaiveDate};
use geo::{Contains, Coord, Geometry, LineString, Point, Polygon};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::catalog::{
    CLUSTERED, CORE, Catalog, KM_PER_DEG_LAT, Parish, SPREAD, km_per_deg_lon, strictly_inside,
};
use super::country::STATES;
use super::round_point;
use super::text::{self, Fill};
use crate::domain::codes::CouncilCode;
use crate::domain::priority::{Category, MAX_RANK, Status};
use crate::domain::workflow::{self, RESPONSIBLE_KINDS};

/// Per mille of each category, in [`Category::ALL`] order: basic services first.
pub(super) const CATEGORY_WEIGHTS: [u32; 14] =
    [180, 120, 120, 80, 60, 60, 100, 50, 70, 50, 30, 40, 30, 10];
/// Per mille of each status, in [`Status::ALL`] order: most are proposed or approved.
pub(super) const STATUS_WEIGHTS: [u32; 5] = [450, 220, 120, 130, 80];
/// Per mille of each responsible kind of a plan, in [`RESPONSIBLE_KINDS`] order.
const RESPONSIBLE_WEIGHTS: [u32; 5] = [250, 150, 350, 100, 150];
/// Per cent of Points and LineStrings; the rest are Polygons.
pub(super) const POINTS: u32 = 85;
pub(super) const LINES: u32 = 10;
/// Per cent of open priorities that get the next free rank of their council.
const RANKED: u32 = 80;
/// Per cent of priorities that state how many families they concern.
const WITH_FAMILIES: u32 = 85;
/// Creation times fall in [2024-01-01, 2026-11-01).
pub(super) const FIRST_CREATED: i64 = 1_704_067_200_000_000;
pub(super) const CREATED_SPAN: i64 = 89_424_000_000_000;
/// A shape that does not fit inside its parish is drawn again this many
/// times before the priority becomes a Point.
const SHAPE_TRIES: usize = 6;

fn weighted(rng: &mut ChaCha8Rng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut roll = rng.random_range(0..total);
    for (i, &w) in weights.iter().enumerate() {
        if roll < w {
            return i;
        }
        roll -= w;
    }
    weights.len() - 1
}

/// Two independent standard normal draws (Box–Muller).
fn normal_pair(rng: &mut ChaCha8Rng) -> (f64, f64) {
    let u1 = 1.0 - rng.random::<f64>();
    let u2 = rng.random::<f64>();
    let r = (-2.0 * u1.ln()).sqrt();
    (r * (TAU * u2).cos(), r * (TAU * u2).sin())
}

/// Appends `s` as a JSON string.
fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn push_position(out: &mut String, c: Coord<f64>) {
    let _ = write!(out, "[{:.6},{:.6}]", c.x, c.y);
}

fn push_positions(out: &mut String, coords: &[Coord<f64>]) {
    out.push('[');
    for (i, &c) in coords.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_position(out, c);
    }
    out.push(']');
}

/// The generator's state: its random stream and the ranks each council's
/// open priorities hold.
pub struct Generator<'a> {
    catalog: &'a Catalog,
    rng: ChaCha8Rng,
    /// Cumulative weights of the clusters.
    cities: Vec<f64>,
    /// Per council, bit `r - 1` is set when rank `r` is held.
    ranks: Vec<u16>,
    line: String,
    text: String,
}

impl<'a> Generator<'a> {
    /// A generator over `catalog`'s councils; the same `seed` gives the same lines.
    pub fn new(catalog: &'a Catalog, seed: u64) -> Self {
        let cities = catalog
            .clusters
            .iter()
            .scan(0.0, |sum, c| {
                *sum += c.weight;
                Some(*sum)
            })
            .collect();
        Generator {
            catalog,
            rng: ChaCha8Rng::seed_from_u64(seed),
            cities,
            ranks: vec![0; catalog.councils.len()],
            line: String::with_capacity(2_048),
            text: String::with_capacity(512),
        }
    }

    /// Leaves ranks already held by open priorities (in the store the
    /// output will be imported into) to their holders: new priorities take
    /// only free ranks. Councils not in the catalog are ignored.
    pub fn hold_ranks(&mut self, held: impl IntoIterator<Item = (CouncilCode, u8)>) {
        for (council, rank) in held {
            let found = self
                .catalog
                .councils
                .binary_search_by(|c| c.code.cmp(&council));
            if let Ok(c) = found
                && (1..=MAX_RANK).contains(&i64::from(rank))
            {
                self.ranks[c] |= 1 << (rank - 1);
            }
        }
    }

    /// Writes `count` more priorities to `out`, one Feature per line, in
    /// order of creation over the whole span: line `i` is created in the
    /// `i`-th of `count` equal slices of it, as an export of a store lists
    /// its priorities.
    pub fn write(&mut self, count: u64, mut out: impl Write) -> io::Result<()> {
        let slice = (CREATED_SPAN / i64::try_from(count.max(1)).unwrap_or(i64::MAX)).max(1);
        for i in 0..count {
            let slice_start = FIRST_CREATED + i64::try_from(i).unwrap_or(i64::MAX) * slice;
            out.write_all(self.next_line(slice_start, slice).as_bytes())?;
        }
        out.flush()
    }

    /// A location on land and the parish (position in `parishes`) it lies
    /// in, strictly inside: 90% near a city, the rest anywhere.
    fn location(&mut self) -> (Point<f64>, usize) {
        let catalog = self.catalog;
        loop {
            let (x, y) = if self.rng.random::<f64>() < CLUSTERED {
                let u = self.rng.random::<f64>();
                let i = self.cities.partition_point(|&c| c <= u);
                let c = &catalog.clusters[i.min(self.cities.len() - 1)];
                let sigma = if self.rng.random::<f64>() < CORE {
                    c.sigma_km
                } else {
                    SPREAD * c.sigma_km
                };
                let (dx, dy) = normal_pair(&mut self.rng);
                (
                    c.lon + dx * sigma / km_per_deg_lon(c.lat),
                    c.lat + dy * sigma / KM_PER_DEG_LAT,
                )
            } else {
                let e = catalog.extent;
                (
                    self.rng.random_range(e.min().x..e.max().x),
                    self.rng.random_range(e.min().y..e.max().y),
                )
            };
            let p = round_point(x, y);
            let Some(k) = catalog.locate(p.x(), p.y()) else {
                continue;
            };
            let parish = &catalog.parishes[k as usize];
            if strictly_inside(&parish.rect, p)
                && parish.shape.as_ref().is_none_or(|s| s.contains(&p))
            {
                return (p, k as usize);
            }
        }
    }

    /// A Point (85%), LineString (10%) or Polygon (5%) at `p`, lying
    /// strictly inside `parish`.
    fn geometry(&mut self, p: Point<f64>, parish: &Parish) -> Geometry<f64> {
        let roll = self.rng.random_range(0..100);
        if roll < POINTS {
            return Geometry::Point(p);
        }
        // Metres per degree here.
        let (mx, my) = (km_per_deg_lon(p.y()) * 1e3, KM_PER_DEG_LAT * 1e3);
        for _ in 0..SHAPE_TRIES {
            let shape = if roll < POINTS + LINES {
                // A street: 2 to 6 vertices, 40–200 m apart, turning gently.
                let n = self.rng.random_range(2..=6);
                let mut heading = self.rng.random_range(0.0..TAU);
                let mut at = p.0;
                let mut coords = vec![at];
                for _ in 1..n {
                    let len = self.rng.random_range(40.0..200.0);
                    heading += self.rng.random_range(-0.7..0.7);
                    at = Coord {
                        x: at.x + len * heading.cos() / mx,
                        y: at.y + len * heading.sin() / my,
                    };
                    coords.push(round_point(at.x, at.y).0);
                }
                Geometry::LineString(LineString(coords))
            } else {
                // A plot: 5 to 9 corners at increasing angles around `p`
                // (star-shaped, so simple; counter-clockwise), 25–150 m wide.
                let corners = self.rng.random_range(5..=9);
                let radius = self.rng.random_range(25.0..150.0);
                let mut coords: Vec<Coord<f64>> = (0..corners)
                    .map(|i| {
                        let a = TAU * (f64::from(i) + self.rng.random_range(0.0..0.8))
                            / f64::from(corners);
                        let r = radius * self.rng.random_range(0.55..1.0);
                        round_point(p.x() + r * a.cos() / mx, p.y() + r * a.sin() / my).0
                    })
                    .collect();
                coords.push(coords[0]);
                Geometry::Polygon(Polygon::new(LineString(coords), vec![]))
            };
            let coords: &[Coord<f64>] = match &shape {
                Geometry::LineString(l) => &l.0,
                Geometry::Polygon(poly) => &poly.exterior().0,
                _ => &[],
            };
            let in_cell = coords
                .iter()
                .all(|&c| strictly_inside(&parish.rect, Point(c)));
            if in_cell && parish.shape.as_ref().is_none_or(|s| s.contains(&shape)) {
                return shape;
            }
        }
        Geometry::Point(p)
    }

    /// The next Feature, as one line ending in `\n`, created at a random
    /// instant of the `slice` microseconds from `slice_start`.
    fn next_line(&mut self, slice_start: i64, slice: i64) -> &str {
        let catalog = self.catalog;
        let (p, k) = self.location();
        let parish = &catalog.parishes[k];
        let councils = parish.councils.clone();
        let c = self.rng.random_range(councils) as usize;
        let council = &catalog.councils[c];
        let category = Category::ALL[weighted(&mut self.rng, &CATEGORY_WEIGHTS)];
        let status = Status::ALL[weighted(&mut self.rng, &STATUS_WEIGHTS)];
        let geometry = self.geometry(p, parish);
        let rank = self.draw_rank(c, status);
        let families = (self.rng.random_range(0..100) < WITH_FAMILIES).then(|| {
            // Log-uniform from 8 to 800.
            (8.0 * 100f64.powf(self.rng.random::<f64>())).round() as u32
        });
        let (id, created) = self.draw_id(slice_start, slice);
        let item = {
            let items = text::topic(category).items;
            &items[self.rng.random_range(0..items.len())]
        };
        let sector = text::pick(&mut self.rng, text::SECTORS);
        let fill = Fill::draw(&mut self.rng, sector, families);

        let line = &mut self.line;
        line.clear();
        line.push_str(r#"{"type":"Feature","id":""#);
        line.push_str(
            id.hyphenated()
                .encode_lower(&mut uuid::Uuid::encode_buffer()),
        );
        line.push_str(r#"","geometry":"#);
        push_geometry(line, &geometry, p);
        line.push_str(r#"},"properties":{"council":"#);
        push_json_str(line, council.code.as_str());
        self.push_title(item, &fill);
        self.push_description(item, &fill);
        let line = &mut self.line;
        let _ = write!(
            line,
            r#","category":"{}","status":"{}""#,
            category.as_str(),
            status.as_str()
        );
        if let Some(rank) = rank {
            let _ = write!(line, r#","rank":{rank}"#);
        }
        if let Some(families) = families {
            let _ = write!(line, r#","families":{families}"#);
        }
        if matches!(status, Status::Approved | Status::InProgress | Status::Done) {
            self.push_plan(category, item, created, parish, &council.name, &fill);
        }
        self.line.push_str(r#","created_at":""#);
        self.line.push_str(&crate::domain::time::format(created));
        self.line.push_str("\"}}\n");
        &self.line
    }

    /// The rank of a priority of council `c` with `status`: mostly the
    /// smallest rank the council has free, when it is open and one is.
    fn draw_rank(&mut self, c: usize, status: Status) -> Option<u8> {
        let free = self.ranks[c].trailing_ones();
        if workflow::is_open(status)
            && i64::from(free) < MAX_RANK
            && self.rng.random_range(0..100) < RANKED
        {
            self.ranks[c] |= 1 << free;
            Some(free as u8 + 1)
        } else {
            None
        }
    }

    /// A creation instant in the `slice` microseconds from `slice_start`,
    /// and a time-ordered id (UUID version 7) of it, as the server assigns
    /// ids: lines in creation order have ascending ids.
    fn draw_id(&mut self, slice_start: i64, slice: i64) -> (uuid::Uuid, i64) {
        let mut random = [0u8; 10];
        self.rng.fill(&mut random[..]);
        let created = slice_start + self.rng.random_range(0..slice);
        let id = uuid::Builder::from_unix_timestamp_millis(
            u64::try_from(created.div_euclid(1_000)).unwrap_or(0),
            &random,
        )
        .into_uuid();
        (id, created)
    }

    /// Appends the `title` member: the work and the place.
    fn push_title(&mut self, item: &text::Item, fill: &Fill<'_>) {
        let t = &mut self.text;
        t.clear();
        t.push_str(item.work);
        t.push(' ');
        text::fill(t, text::pick(&mut self.rng, text::TITLE_PLACES), fill);
        self.line.push_str(r#","title":"#);
        push_json_str(&mut self.line, t);
    }

    /// Appends the `description` member: the problem, the need, one or two
    /// closing sentences.
    fn push_description(&mut self, item: &text::Item, fill: &Fill<'_>) {
        let t = &mut self.text;
        t.clear();
        text::fill(t, text::pick(&mut self.rng, text::OPENINGS), fill);
        t.push_str(item.problem);
        t.push_str(". ");
        text::fill(t, item.need, fill);
        t.push_str(". ");
        let first = self.rng.random_range(0..text::CLOSINGS.len());
        text::fill(t, text::CLOSINGS[first], fill);
        if self.rng.random_range(0..100) < 45 {
            let second =
                (first + self.rng.random_range(1..text::CLOSINGS.len())) % text::CLOSINGS.len();
            t.push(' ');
            text::fill(t, text::CLOSINGS[second], fill);
        }
        self.line.push_str(r#","description":"#);
        push_json_str(&mut self.line, t);
    }

    /// Appends the `plan` member: what an approved priority carries.
    fn push_plan(
        &mut self,
        category: Category,
        item: &text::Item,
        created: i64,
        parish: &Parish,
        council_name: &str,
        fill: &Fill<'_>,
    ) {
        let rng = &mut self.rng;
        let line = &mut self.line;
        let t = &mut self.text;
        line.push_str(r#","plan":{"objective":"#);
        push_json_str(line, item.objective);
        t.clear();
        text::fill(t, item.goal, fill);
        line.push_str(r#","goal":"#);
        push_json_str(line, t);
        let kind = weighted(rng, &RESPONSIBLE_WEIGHTS);
        t.clear();
        let state = &STATES[parish.state as usize];
        match RESPONSIBLE_KINDS[kind] {
            "ministry" => t.push_str(text::topic(category).ministry),
            "governorship" if state.code == "01" => t.push_str("Gobierno del Distrito Capital"),
            "governorship" => {
                let _ = write!(t, "Gobernación del Estado {}", state.name);
            }
            "mayoralty" => {
                let _ = write!(
                    t,
                    "Alcaldía del Municipio {}",
                    self.catalog.municipality_names[parish.municipality as usize]
                );
            }
            "commune" => {
                let _ = write!(t, "Comuna {}", fill.sector);
            }
            _ => t.push_str(council_name),
        }
        let _ = write!(
            line,
            r#","responsible":{{"kind":"{}","name":"#,
            RESPONSIBLE_KINDS[kind]
        );
        push_json_str(line, t);
        line.push_str(r#"},"resources":"#);
        push_json_str(line, item.resources);
        let created_day = DateTime::from_timestamp_micros(created)
            .map(|d| d.date_naive())
            .unwrap_or(NaiveDate::MIN);
        let start = created_day + Days::new(rng.random_range(7..=120));
        let target = start + Days::new(rng.random_range(30..=400));
        let _ = write!(
            line,
            r#","start_date":"{start}","target_date":"{target}"}}"#
        );
    }
}

/// Appends a Feature's geometry object but its closing brace: a line, a
/// polygon of one ring, or else the Point `p`.
fn push_geometry(line: &mut String, geometry: &Geometry<f64>, p: Point<f64>) {
    match geometry {
        Geometry::LineString(l) => {
            line.push_str(r#"{"type":"LineString","coordinates":"#);
            push_positions(line, &l.0);
        }
        Geometry::Polygon(poly) => {
            line.push_str(r#"{"type":"Polygon","coordinates":["#);
            push_positions(line, &poly.exterior().0);
            line.push(']');
        }
        _ => {
            line.push_str(r#"{"type":"Point","coordinates":"#);
            push_position(line, p.0);
        }
    }
}

/// Writes `count` priorities, one Feature per line, to `out`, for a store
/// whose councils hold no ranks yet; the same bytes for the same catalog,
/// count and seed. Wrap `out` in a
/// [`std::io::BufWriter`].
pub fn write_priorities(
    catalog: &Catalog,
    count: u64,
    seed: u64,
    out: impl Write,
) -> io::Result<()> {
    Generator::new(catalog, seed).write(count, out)
}
