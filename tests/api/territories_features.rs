//! Territories as features: multipolygons with their parents' codes, exact
//! bbox and code filters, priority counts equal to a brute-force count of
//! the placed priorities, and links to parent and children.

use std::collections::{BTreeMap, BTreeSet};

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{
    CATEGORIES, CREATED_STATUSES, ITEMS, STATUSES, Square, TestApp, assert_problem, collection,
    ids_for, point, ring,
};
use crate::territories::{
    A, A_HOLE, B, C1, C2, COUNCILS, D_CENTER, E, STATE_02, hole, sorted_codes,
    spawn_territorial_app, territories,
};

// ---------------------------------------------------------------- territory features

#[tokio::test]
async fn parish_features_are_multipolygons_with_their_parents_codes() {
    let app = spawn_territorial_app().await;

    let parishes = territories(&app, "/collections/parishes/items").await;

    assert_eq!(
        parishes.keys().cloned().collect::<Vec<_>>(),
        ["010101", "010102", "010103", "010104", "020101"]
    );
    for (code, f) in &parishes {
        assert_eq!(f["id"], code.as_str());
        assert_eq!(f["geometry"]["type"], "MultiPolygon", "{code}");
        assert_eq!(f["properties"]["state"], &code[..2]);
        assert_eq!(f["properties"]["municipality"], &code[..4]);
    }
    let a = &parishes["010101"]["geometry"]["coordinates"];
    assert_eq!(a.as_array().unwrap().len(), 1);
    assert_eq!(a[0].as_array().unwrap().len(), 2, "A keeps its hole");
    assert_eq!(a[0][1], hole(A_HOLE));
    let c = &parishes["010103"]["geometry"]["coordinates"];
    assert_eq!(*c, json!([[ring(C1)], [ring(C2)]]));
    assert_eq!(parishes["010102"]["properties"]["name"], "San Juan");
    let states = territories(&app, "/collections/states/items").await;
    assert_eq!(states["01"]["properties"]["name"], "Distrito Capital");
    assert_eq!(
        states["02"]["geometry"]["coordinates"],
        json!([[ring(STATE_02)]])
    );
}

#[tokio::test]
async fn the_bbox_filter_on_territories_is_exact() {
    let app = spawn_territorial_app().await;
    let bbox = |b: &str| format!("/collections/parishes/items?bbox={b}");

    // Strictly inside B.
    assert_eq!(
        sorted_codes(&app, &bbox("-66.78,10.42,-66.72,10.48")).await,
        ["010102"]
    );
    // Inside A's hole: A's box holds it, A does not.
    assert_eq!(
        sorted_codes(&app, &bbox("-66.86,10.44,-66.84,10.46")).await,
        Vec::<String>::new()
    );
    // Between C's islands: C's box holds it, neither island does.
    assert_eq!(
        sorted_codes(&app, &bbox("-66.5,10.46,-66.45,10.55")).await,
        Vec::<String>::new()
    );
    // Touching the second island only.
    assert_eq!(
        sorted_codes(&app, &bbox("-66.38,10.62,-66.3,10.7")).await,
        ["010103"]
    );
    // Across the shared edge, and touching it from B's side (edges count).
    assert_eq!(
        sorted_codes(&app, &bbox("-66.81,10.45,-66.79,10.46")).await,
        ["010101", "010102"]
    );
    assert_eq!(
        sorted_codes(&app, &bbox("-66.8,10.41,-66.79,10.42")).await,
        ["010101", "010102"]
    );
    // Across both states.
    assert_eq!(
        sorted_codes(&app, &bbox("-66.9,10.41,-65.85,10.42")).await,
        ["010101", "010102", "010103", "020101"]
    );
    assert_eq!(
        sorted_codes(&app, "/collections/states/items?bbox=-65.5,10.5,-65.4,10.6").await,
        ["02"]
    );
    let r = app.get(&bbox("1,2,3")).await;
    assert_problem(r, StatusCode::BAD_REQUEST, ("parameter", "bbox")).await;
}

#[tokio::test]
async fn territories_are_filtered_by_code_state_and_municipality() {
    let app = spawn_territorial_app().await;

    assert_eq!(
        sorted_codes(&app, "/collections/parishes/items?code=010103,010101").await,
        ["010101", "010103"]
    );
    assert_eq!(
        sorted_codes(&app, "/collections/parishes/items?state=02").await,
        ["020101"]
    );
    assert_eq!(
        sorted_codes(&app, "/collections/parishes/items?municipality=0101").await,
        ["010101", "010102", "010103", "010104"]
    );
    assert_eq!(
        sorted_codes(
            &app,
            "/collections/parishes/items?state=01&code=010102,020101"
        )
        .await,
        ["010102"]
    );
    assert_eq!(
        sorted_codes(&app, "/collections/municipalities/items?state=02").await,
        ["0201"]
    );
    assert_eq!(
        sorted_codes(&app, "/collections/states/items?code=02").await,
        ["02"]
    );
    let r = app.get("/collections/parishes/items?state=03").await;
    assert_problem(r, StatusCode::BAD_REQUEST, ("parameter", "state")).await;
    let r = app.get("/collections/parishes/items?code=0101").await;
    assert_problem(r, StatusCode::BAD_REQUEST, ("parameter", "code")).await;
    let r = app.get("/collections/states/items?municipality=0101").await;
    assert_problem(r, StatusCode::BAD_REQUEST, ("parameter", "municipality")).await;
}

/// Counts a choropleth map colours by, computed from what was created.
#[derive(Debug, Default, Clone)]
struct Tally {
    priorities: u64,
    families: u64,
    status: BTreeMap<&'static str, u64>,
    category: BTreeMap<&'static str, u64>,
}

impl Tally {
    fn add(&mut self, status: &'static str, category: &'static str, families: u64) {
        self.priorities += 1;
        self.families += families;
        *self.status.entry(status).or_default() += 1;
        *self.category.entry(category).or_default() += 1;
    }

    fn merge(&mut self, other: &Tally) {
        self.priorities += other.priorities;
        self.families += other.families;
        for (k, v) in &other.status {
            *self.status.entry(k).or_default() += v;
        }
        for (k, v) in &other.category {
            *self.category.entry(k).or_default() += v;
        }
    }
}

/// A created priority as the test remembers it.
#[derive(Debug, Clone)]
struct Made {
    id: String,
    council: &'static str,
    parish: &'static str,
    status: &'static str,
    category: &'static str,
    families: u64,
}

/// A random point strictly inside parish `parish` of the fixture.
fn random_point_in(rng: &mut ChaCha8Rng, parish: &str) -> (f64, f64) {
    let inside = |rng: &mut ChaCha8Rng, s: Square| {
        (
            rng.random_range(s[0] + 0.001..s[2] - 0.001),
            rng.random_range(s[1] + 0.001..s[3] - 0.001),
        )
    };
    match parish {
        "010101" => loop {
            let (x, y) = inside(rng, A);
            let [hx0, hy0, hx1, hy1] = A_HOLE;
            if !(hx0 - 0.001..=hx1 + 0.001).contains(&x)
                || !(hy0 - 0.001..=hy1 + 0.001).contains(&y)
            {
                return (x, y);
            }
        },
        "010102" => inside(rng, B),
        "010103" => {
            let island = if rng.random_bool(0.5) { C1 } else { C2 };
            inside(rng, island)
        }
        "010104" => {
            let (cx, cy) = D_CENTER;
            inside(rng, [cx - 0.03, cy - 0.03, cx + 0.03, cy + 0.03])
        }
        _ => inside(rng, E),
    }
}

fn sum_tallies<'a>(tallies: impl Iterator<Item = (&'a String, &'a Tally)>, prefix: &str) -> Tally {
    let mut total = Tally::default();
    for (_, t) in tallies.filter(|(code, _)| code.starts_with(prefix)) {
        total.merge(t);
    }
    total
}

/// Checks a territory feature's flat counts against the expected ones.
fn assert_counts(feature: &Value, expected: &Tally, councils: u64) {
    let props = &feature["properties"];
    let code = props["code"].as_str().unwrap();
    assert_eq!(
        props["priorities"], expected.priorities,
        "{code} priorities"
    );
    assert_eq!(props["families"], expected.families, "{code} families");
    assert_eq!(props["councils"], councils, "{code} councils");
    for s in STATUSES {
        let n = expected.status.get(s).copied().unwrap_or(0);
        assert_eq!(props[format!("status_{s}")], n, "{code} status_{s}");
    }
    for c in CATEGORIES {
        let n = expected.category.get(c).copied().unwrap_or(0);
        assert_eq!(props[format!("category_{c}")], n, "{code} category_{c}");
    }
}

/// Compares every territory of every level with a brute-force count of `made`.
async fn assert_all_counts(app: &TestApp, made: &[Made]) {
    let parish_codes = ["010101", "010102", "010103", "010104", "020101"];
    let mut by_parish: BTreeMap<String, Tally> = parish_codes
        .iter()
        .map(|c| (c.to_string(), Tally::default()))
        .collect();
    for m in made {
        by_parish
            .get_mut(m.parish)
            .unwrap()
            .add(m.status, m.category, m.families);
    }
    let councils_in = |prefix: &str| {
        COUNCILS
            .iter()
            .filter(|(_, p)| p.starts_with(prefix))
            .count() as u64
    };

    let parishes = territories(app, "/collections/parishes/items").await;
    assert_eq!(parishes.len(), parish_codes.len());
    for (code, expected) in &by_parish {
        assert_counts(&parishes[code], expected, councils_in(code));
    }
    let municipalities = territories(app, "/collections/municipalities/items").await;
    for code in ["0101", "0201"] {
        let expected = sum_tallies(by_parish.iter(), code);
        assert_counts(&municipalities[code], &expected, councils_in(code));
    }
    let states = territories(app, "/collections/states/items").await;
    for code in ["01", "02"] {
        let expected = sum_tallies(by_parish.iter(), code);
        assert_counts(&states[code], &expected, councils_in(code));
    }
    // The single-territory endpoint carries the same counts.
    for (code, expected) in &by_parish {
        let (status, one) = app
            .get_json(&format!("/collections/parishes/items/{code}"))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_counts(&one, expected, councils_in(code));
    }
}

#[tokio::test]
async fn territory_counts_equal_a_brute_force_count_of_the_placed_priorities() {
    let app = spawn_territorial_app().await;
    let mut rng = ChaCha8Rng::seed_from_u64(20_260_101);
    let parish_codes = ["010101", "010102", "010103", "010104", "020101"];
    let mut made = Vec::new();
    let mut features = Vec::new();
    for i in 0..150 {
        let parish = parish_codes[rng.random_range(0..parish_codes.len())];
        // Mostly the council of that parish; some from elsewhere.
        let council = if rng.random_bool(0.8) {
            COUNCILS.iter().find(|(_, p)| *p == parish).unwrap().0
        } else {
            COUNCILS[rng.random_range(0..COUNCILS.len())].0
        };
        let (lon, lat) = random_point_in(&mut rng, parish);
        let status = CREATED_STATUSES[rng.random_range(0..CREATED_STATUSES.len())];
        let category = CATEGORIES[rng.random_range(0..CATEGORIES.len())];
        let families = rng.random_bool(0.7).then(|| rng.random_range(1..300u64));
        let id = Uuid::new_v4().to_string();
        let mut properties = json!({"council": council, "title": format!("P {i}"),
            "category": category, "status": status});
        if let Some(n) = families {
            properties["families"] = n.into();
        }
        features.push(
            json!({"type": "Feature", "id": id, "geometry": point([lon, lat]),
            "properties": properties}),
        );
        made.push(Made {
            id,
            council,
            parish,
            status,
            category,
            families: families.unwrap_or(0),
        });
    }
    let r = app
        .post_raw(
            "/collections/priorities/import",
            "application/geo+json",
            collection(features).to_string(),
        )
        .await;
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["created"], 150, "{report}");
    assert_eq!(report["errors"], json!([]), "{report}");
    // Each was placed where it was put.
    let (_, all) = app.get_json(&format!("{ITEMS}?limit=10000")).await;
    let placed_in: BTreeMap<String, String> = all["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_owned(),
                f["properties"]["parish"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for m in &made {
        assert_eq!(placed_in[&m.id], m.parish, "{m:?}");
    }
    assert_all_counts(&app, &made).await;

    // The counts follow a status change, a move to the other state, and a delete.
    let patch = |id: &str, body: Value| {
        app.client
            .patch(app.url(&format!("{ITEMS}/{id}")))
            .header("content-type", "application/merge-patch+json")
            .body(body.to_string())
            .send()
    };
    // A status changes through a transition: take one the workflow allows
    // from where this priority stands (none of them needs a plan).
    let to = match made[0].status {
        "proposed" | "approved" => "rejected",
        "in_progress" => "done",
        _ => "proposed",
    };
    let r = app
        .post_json(
            &format!("{ITEMS}/{}/transitions", made[0].id),
            &json!({"status": to, "note": "revisado"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    made[0].status = to;
    let r = patch(
        &made[1].id,
        json!({"geometry": point([-65.81, 10.41]), "properties": {"category": "gas"}}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    made[1].parish = "020101";
    made[1].category = "gas";
    let r = app
        .client
        .delete(app.url(&format!("{ITEMS}/{}", made[2].id)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    made.remove(2);
    assert_all_counts(&app, &made).await;
    let expected_outside: BTreeSet<String> = made
        .iter()
        .filter(|m| {
            COUNCILS
                .iter()
                .any(|(c, p)| *c == m.council && *p != m.parish)
        })
        .map(|m| m.id.clone())
        .collect();
    assert_eq!(
        ids_for(&app, "placement=outside_council_parish").await,
        expected_outside
    );
}

fn link_href(feature: &Value, rel: &str) -> Option<String> {
    let links = feature["links"].as_array().unwrap();
    let found: Vec<&Value> = links.iter().filter(|l| l["rel"] == rel).collect();
    assert!(found.len() <= 1, "one {rel} link at most: {links:?}");
    found
        .first()
        .map(|l| l["href"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn a_territory_links_to_its_parent_and_its_children() {
    let app = spawn_territorial_app().await;
    let one = |path: &'static str| {
        let app = &app;
        async move {
            let (status, body) = app.get_json(path).await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
            body
        }
    };

    let parish = one("/collections/parishes/items/010101").await;
    assert_eq!(parish["properties"]["code"], "010101");
    assert_eq!(parish["geometry"]["type"], "MultiPolygon");
    assert_eq!(
        link_href(&parish, "up"),
        Some(app.url("/collections/municipalities/items/0101"))
    );
    assert_eq!(link_href(&parish, "children"), None);
    assert_eq!(
        link_href(&parish, "self"),
        Some(app.url("/collections/parishes/items/010101"))
    );

    let municipality = one("/collections/municipalities/items/0101").await;
    assert_eq!(
        link_href(&municipality, "up"),
        Some(app.url("/collections/states/items/01"))
    );
    let children = link_href(&municipality, "children").unwrap();
    let (status, listed) = app
        .get_json(children.strip_prefix(&app.base).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    let child_codes: Vec<&str> = listed["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(child_codes, ["010101", "010102", "010103", "010104"]);

    let state = one("/collections/states/items/02").await;
    assert_eq!(link_href(&state, "up"), None);
    let children = link_href(&state, "children").unwrap();
    let (_, listed) = app
        .get_json(children.strip_prefix(&app.base).unwrap())
        .await;
    assert_eq!(listed["features"][0]["properties"]["code"], "0201");
    assert_eq!(listed["features"].as_array().unwrap().len(), 1);
    // Up links lead to the parent.
    let up = link_href(&municipality, "up").unwrap();
    let (status, parent) = app.get_json(up.strip_prefix(&app.base).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(parent["properties"]["code"], "01");

    for missing in [
        "/collections/parishes/items/010199",
        "/collections/parishes/items/0101",
        "/collections/states/items/xx",
    ] {
        let r = app.get(missing).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{missing}");
    }
}
