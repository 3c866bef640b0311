//! The few facts about Venezuela the generator starts from, written by hand
//! for this project (no boundary file is read or copied): an approximate
//! outline of the country, populated places with their states and rough
//! populations, and reference points that share the territory out among the
//! 24 states.
//!
//! # Units
//! Positions are `(longitude, latitude)` in WGS84 degrees; populations are
//! thousands of inhabitants of the urban area.

use geo::orient::Direction;
use geo::{LineString, MultiPolygon, Orient, Polygon};

/// A populated place around which priorities cluster.
pub struct City {
    pub name: &'static str,
    /// INE code of its state.
    pub state: &'static str,
    pub lon: f64,
    pub lat: f64,
    /// Urban population, thousands (rounded; weights, not statistics).
    pub thousands: f64,
}

/// A state: its INE code, its name, and points inside it. Each part of the
/// generated territory belongs to the state of the nearest point.
pub struct State {
    pub code: &'static str,
    pub name: &'static str,
    pub anchors: &'static [(f64, f64)],
}

const fn city(name: &'static str, state: &'static str, lon: f64, lat: f64, thousands: f64) -> City {
    City {
        name,
        state,
        lon,
        lat,
        thousands,
    }
}

/// Populated places of Venezuela, most of them in the north.
pub const CITIES: &[City] = &[
    city("Caracas", "01", -66.9036, 10.4806, 2000.0),
    city("Petare", "15", -66.8100, 10.4770, 500.0),
    city("Maracaibo", "23", -71.6400, 10.6545, 1800.0),
    city("Valencia", "08", -68.0039, 10.1620, 1500.0),
    city("Barquisimeto", "13", -69.3228, 10.0678, 1100.0),
    city("Maracay", "05", -67.5958, 10.2469, 1000.0),
    city("Ciudad Guayana", "07", -62.6500, 8.3000, 900.0),
    city("Barcelona", "03", -64.6861, 10.1333, 500.0),
    city("Puerto La Cruz", "03", -64.6294, 10.2136, 400.0),
    city("Maturín", "16", -63.1833, 9.7500, 550.0),
    city("San Cristóbal", "20", -72.2250, 7.7669, 650.0),
    city("Cumaná", "19", -64.1672, 10.4564, 420.0),
    city("Ciudad Bolívar", "07", -63.5500, 8.1222, 400.0),
    city("Barinas", "06", -70.2072, 8.6226, 400.0),
    city("Mérida", "14", -71.1447, 8.5897, 350.0),
    city("Cabimas", "23", -71.4461, 10.3953, 300.0),
    city("Ciudad Ojeda", "23", -71.3097, 10.2025, 250.0),
    city("Los Teques", "15", -67.0394, 10.3447, 300.0),
    city("Guarenas", "15", -66.5750, 10.4700, 450.0),
    city("Ocumare del Tuy", "15", -66.8000, 10.2000, 500.0),
    city("La Guaira", "24", -66.9800, 10.5950, 350.0),
    city("Punto Fijo", "11", -70.1992, 11.7064, 300.0),
    city("Coro", "11", -69.6739, 11.4045, 250.0),
    city("Acarigua", "18", -69.2000, 9.5597, 350.0),
    city("Guanare", "18", -69.7456, 9.0418, 220.0),
    city("San Juan de los Morros", "12", -67.3536, 9.9114, 150.0),
    city("Calabozo", "12", -67.4293, 8.9242, 180.0),
    city("Valle de la Pascua", "12", -65.9900, 9.2150, 150.0),
    city("El Tigre", "03", -64.2550, 8.8870, 250.0),
    city("Anaco", "03", -64.4722, 9.4389, 150.0),
    city("Puerto Cabello", "08", -68.0125, 10.4731, 200.0),
    city("San Felipe", "22", -68.7375, 10.3397, 200.0),
    city("San Carlos", "09", -68.5939, 9.6617, 120.0),
    city("Valera", "21", -70.6036, 9.3178, 250.0),
    city("Carúpano", "19", -63.2400, 10.6678, 150.0),
    city("Porlamar", "17", -63.8503, 10.9577, 250.0),
    city("Tucupita", "10", -62.0500, 9.0581, 100.0),
    city("San Fernando de Apure", "04", -67.4730, 7.8878, 170.0),
    city("Puerto Ayacucho", "02", -67.6236, 5.6639, 100.0),
    city("El Vigía", "14", -71.6500, 8.6200, 200.0),
    city("Carora", "13", -70.0800, 10.1700, 150.0),
    city("Upata", "07", -62.4000, 8.0100, 100.0),
    city("Machiques", "23", -72.5500, 10.0600, 100.0),
    city("Santa Bárbara del Zulia", "23", -71.9100, 8.9800, 90.0),
    city("Guasdualito", "04", -70.7300, 7.2400, 60.0),
    city("Tinaquillo", "09", -68.3000, 9.9200, 80.0),
    city("Trujillo", "21", -70.4400, 9.3700, 60.0),
    city("Higuerote", "15", -66.1000, 10.4800, 50.0),
    city("Santa Elena de Uairén", "07", -61.1100, 4.6000, 30.0),
];

/// The 24 states by INE code, each with points that claim the territory
/// nearest to them.
pub const STATES: &[State] = &[
    State {
        code: "01",
        name: "Distrito Capital",
        anchors: &[(-66.93, 10.49)],
    },
    State {
        code: "02",
        name: "Amazonas",
        anchors: &[(-67.2, 5.2), (-66.2, 3.8), (-65.5, 2.2), (-64.8, 3.3)],
    },
    State {
        code: "03",
        name: "Anzoátegui",
        anchors: &[(-64.68, 10.13), (-64.25, 8.89), (-65.0, 9.3)],
    },
    State {
        code: "04",
        name: "Apure",
        anchors: &[(-67.47, 7.89), (-69.5, 7.0), (-70.7, 7.25), (-68.3, 6.9)],
    },
    State {
        code: "05",
        name: "Aragua",
        anchors: &[(-67.6, 10.25), (-67.2, 9.8)],
    },
    State {
        code: "06",
        name: "Barinas",
        anchors: &[(-70.21, 8.62), (-69.5, 8.2), (-71.0, 7.8)],
    },
    State {
        code: "07",
        name: "Bolívar",
        anchors: &[
            (-63.55, 8.12),
            (-62.65, 8.3),
            (-65.5, 6.8),
            (-64.0, 6.3),
            (-62.0, 6.5),
            (-61.8, 5.0),
            (-63.2, 4.7),
        ],
    },
    State {
        code: "08",
        name: "Carabobo",
        anchors: &[(-68.0, 10.16), (-68.01, 10.47)],
    },
    State {
        code: "09",
        name: "Cojedes",
        anchors: &[(-68.59, 9.66), (-68.3, 9.0)],
    },
    State {
        code: "10",
        name: "Delta Amacuro",
        anchors: &[(-62.05, 9.06), (-61.0, 8.6)],
    },
    State {
        code: "11",
        name: "Falcón",
        anchors: &[(-69.67, 11.4), (-70.2, 11.7), (-68.7, 11.0), (-70.7, 11.1)],
    },
    State {
        code: "12",
        name: "Guárico",
        anchors: &[(-67.35, 9.91), (-67.43, 8.92), (-66.0, 9.2), (-65.8, 8.6)],
    },
    State {
        code: "13",
        name: "Lara",
        anchors: &[(-69.32, 10.07), (-70.08, 10.17)],
    },
    State {
        code: "14",
        name: "Mérida",
        anchors: &[(-71.14, 8.59), (-71.65, 8.62)],
    },
    State {
        code: "15",
        name: "Miranda",
        anchors: &[
            (-67.04, 10.34),
            (-66.57, 10.47),
            (-66.78, 10.15),
            (-66.0, 10.3),
            (-66.8, 10.48),
        ],
    },
    State {
        code: "16",
        name: "Monagas",
        anchors: &[(-63.18, 9.75), (-62.8, 9.2)],
    },
    State {
        code: "17",
        name: "Nueva Esparta",
        anchors: &[(-63.85, 11.0)],
    },
    State {
        code: "18",
        name: "Portuguesa",
        anchors: &[(-69.2, 9.56), (-69.75, 9.04), (-69.2, 8.8)],
    },
    State {
        code: "19",
        name: "Sucre",
        anchors: &[(-64.17, 10.46), (-63.24, 10.67), (-62.9, 10.45)],
    },
    State {
        code: "20",
        name: "Táchira",
        anchors: &[(-72.23, 7.77), (-72.0, 8.2)],
    },
    State {
        code: "21",
        name: "Trujillo",
        anchors: &[(-70.6, 9.32), (-70.44, 9.37)],
    },
    State {
        code: "22",
        name: "Yaracuy",
        anchors: &[(-68.74, 10.34)],
    },
    State {
        code: "23",
        name: "Zulia",
        anchors: &[
            (-71.61, 10.64),
            (-71.45, 10.4),
            (-72.5, 10.0),
            (-71.9, 9.0),
            (-72.0, 10.9),
            (-71.0, 9.7),
            (-72.3, 9.0),
        ],
    },
    State {
        code: "24",
        name: "La Guaira",
        anchors: &[(-66.97, 10.6), (-66.4, 10.6)],
    },
];

/// The mainland, counter-clockwise from the tip of the Paria peninsula:
/// west along the Caribbean coast, south along the border with Colombia,
/// east along the border with Brazil, north along the line held with Guyana,
/// and back along the Orinoco delta and the Gulf of Paria.
const MAINLAND: &[(f64, f64)] = &[
    (-61.85, 10.72),
    (-62.40, 10.74),
    (-62.95, 10.73),
    (-63.30, 10.72),
    (-63.80, 10.68),
    (-64.40, 10.66),
    (-64.20, 10.49),
    (-64.45, 10.38),
    (-64.62, 10.25),
    (-64.78, 10.17),
    (-65.20, 10.10),
    (-65.70, 10.20),
    (-66.05, 10.45),
    (-66.08, 10.60),
    (-66.50, 10.63),
    (-66.95, 10.63),
    (-67.40, 10.56),
    (-67.90, 10.50),
    (-68.05, 10.52),
    (-68.30, 10.85),
    (-68.45, 11.20),
    (-68.85, 11.45),
    (-69.40, 11.50),
    (-69.75, 11.55),
    (-69.80, 11.75),
    (-69.85, 12.00),
    (-70.00, 12.20),
    (-70.25, 11.95),
    (-70.24, 11.65),
    (-70.05, 11.52),
    (-69.85, 11.45),
    (-70.20, 11.25),
    (-70.60, 11.20),
    (-71.00, 11.10),
    (-71.45, 10.95),
    (-71.60, 10.98),
    (-71.85, 11.15),
    (-71.95, 11.40),
    (-71.70, 11.60),
    (-71.33, 11.85),
    (-71.95, 11.62),
    (-72.25, 11.15),
    (-72.70, 10.75),
    (-72.95, 10.30),
    (-73.10, 9.50),
    (-73.38, 9.17),
    (-72.98, 9.10),
    (-72.75, 8.65),
    (-72.45, 8.20),
    (-72.47, 7.90),
    (-72.45, 7.45),
    (-72.10, 7.20),
    (-71.40, 7.05),
    (-70.70, 7.07),
    (-70.10, 6.95),
    (-69.40, 6.10),
    (-68.60, 6.20),
    (-68.00, 6.22),
    (-67.48, 6.18),
    (-67.70, 5.50),
    (-67.82, 4.90),
    (-67.80, 4.30),
    (-67.70, 3.95),
    (-67.60, 3.00),
    (-67.40, 2.50),
    (-67.20, 2.00),
    (-67.10, 1.40),
    (-66.85, 0.70),
    (-66.10, 0.85),
    (-65.50, 0.65),
    (-65.20, 1.10),
    (-64.50, 1.45),
    (-64.05, 1.90),
    (-64.10, 2.60),
    (-64.45, 3.10),
    (-64.60, 3.90),
    (-64.20, 4.10),
    (-63.50, 3.90),
    (-62.85, 3.70),
    (-62.75, 4.05),
    (-62.00, 4.15),
    (-61.30, 4.45),
    (-60.95, 4.60),
    (-60.74, 5.20),
    (-61.25, 5.95),
    (-61.15, 6.70),
    (-60.70, 7.15),
    (-60.50, 7.80),
    (-60.00, 8.30),
    (-59.80, 8.55),
    (-60.40, 8.62),
    (-61.00, 8.80),
    (-61.50, 9.30),
    (-61.90, 9.75),
    (-62.25, 9.98),
    (-62.65, 10.20),
    (-62.62, 10.55),
    (-62.30, 10.60),
];

/// Lake Maracaibo, left out of the territory.
const LAKE_MARACAIBO: &[(f64, f64)] = &[
    (-71.58, 10.48),
    (-71.52, 10.40),
    (-71.36, 10.20),
    (-71.20, 10.00),
    (-71.05, 9.70),
    (-71.00, 9.35),
    (-71.30, 9.08),
    (-71.65, 9.15),
    (-71.85, 9.50),
    (-71.88, 9.90),
    (-71.75, 10.25),
    (-71.62, 10.45),
];

/// Margarita island (Nueva Esparta).
const MARGARITA: &[(f64, f64)] = &[
    (-64.42, 10.95),
    (-64.10, 10.90),
    (-63.85, 10.92),
    (-63.77, 11.00),
    (-63.80, 11.17),
    (-63.95, 11.12),
    (-64.20, 11.08),
    (-64.40, 11.05),
];

fn ring(points: &[(f64, f64)]) -> LineString<f64> {
    let mut ring: LineString<f64> = points.iter().copied().collect();
    ring.close();
    ring
}

/// The approximate territory: the mainland without Lake Maracaibo, and
/// Margarita; exterior rings counter-clockwise.
pub fn outline() -> MultiPolygon<f64> {
    MultiPolygon(vec![
        Polygon::new(ring(MAINLAND), vec![ring(LAKE_MARACAIBO)]),
        Polygon::new(ring(MARGARITA), vec![]),
    ])
    .orient(Direction::Default)
}

#[cfg(test)]
mod tests {
    use geo::{Area, ChamberlainDuquetteArea, Contains, Point, Validation};

    use super::*;

    #[test]
    fn the_outline_is_valid_and_about_the_size_of_venezuela() {
        let outline = outline();
        assert!(outline.is_valid(), "{:?}", outline.validation_errors());
        // 916,445 km² (with Lake Maracaibo's ~13,000 km² taken out).
        let km2 = outline.chamberlain_duquette_unsigned_area() / 1e6;
        assert!((800_000.0..1_000_000.0).contains(&km2), "{km2} km²");
        assert!(outline.signed_area() > 0.0);
    }

    #[test]
    fn every_city_and_anchor_lies_in_the_outline() {
        let outline = outline();
        for c in CITIES {
            assert!(outline.contains(&Point::new(c.lon, c.lat)), "{}", c.name);
            assert!(STATES.iter().any(|s| s.code == c.state), "{}", c.name);
        }
        for s in STATES {
            for &(lon, lat) in s.anchors {
                assert!(
                    outline.contains(&Point::new(lon, lat)),
                    "{} {lon} {lat}",
                    s.name
                );
            }
        }
    }

    #[test]
    fn states_are_the_24_ine_codes_in_order() {
        let codes: Vec<&str> = STATES.iter().map(|s| s.code).collect();
        let expected: Vec<String> = (1..=24).map(|n| format!("{n:02}")).collect();
        assert_eq!(codes, expected);
    }
}
