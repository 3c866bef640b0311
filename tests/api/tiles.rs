//! Vector tiles (OGC API – Tiles, MVT): every tile is decoded by an
//! independent decoder (the `mvt-reader` crate) and compared with a
//! brute-force computation over the seeded dataset of `queries`, whose
//! tile arithmetic here is the slippy-map formulas, not the service's.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use mvt_reader::Reader;
use mvt_reader::feature::Value as Tag;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{STATUSES, TestApp, assert_problem, create_priority_id, header, priority};
use crate::queries::{Dataset, Item, Shape, intersects_box, seeded, vertices};

const MVT: &str = "application/vnd.mapbox-vector-tile";

/// A tile's box in normalized Web Mercator ([0, 1] west to east and north
/// to south), grown by `buffer` tile units of 4,096.
fn unit_box(z: u32, x: u32, y: u32, buffer: f64) -> [f64; 4] {
    let n = f64::from(1u32 << z);
    let grow = buffer / 4096.0 / n;
    [
        f64::from(x) / n - grow,
        f64::from(y) / n - grow,
        f64::from(x + 1) / n + grow,
        f64::from(y + 1) / n + grow,
    ]
}

/// A WGS84 position in normalized Web Mercator.
fn to_unit([lon, lat]: [f64; 2]) -> [f64; 2] {
    let lat = lat.to_radians();
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0;
    [(lon + 180.0) / 360.0, y]
}

/// A normalized Web Mercator position in WGS84.
fn from_unit([x, y]: [f64; 2]) -> [f64; 2] {
    let lat = (std::f64::consts::PI * (1.0 - 2.0 * y)).sinh().atan();
    [x * 360.0 - 180.0, lat.to_degrees()]
}

/// The tile's box (with `buffer`) in WGS84: (min, max).
fn lon_lat_box(z: u32, x: u32, y: u32, buffer: f64) -> ([f64; 2], [f64; 2]) {
    let [x0, y0, x1, y1] = unit_box(z, x, y, buffer);
    let [w, n] = from_unit([x0, y0]);
    let [e, s] = from_unit([x1, y1]);
    ([w, s], [e, n])
}

/// The tile holding a WGS84 position at zoom `z`.
fn tile_of(p: [f64; 2], z: u32) -> (u32, u32) {
    let [x, y] = to_unit(p);
    let n = f64::from(1u32 << z);
    ((x * n).floor() as u32, (y * n).floor() as u32)
}

/// Where an item is counted as one position: a point itself, anything else
/// the centre of its bounding box.
fn position(item: &Item) -> [f64; 2] {
    if let Shape::Points(points) = &item.shape
        && points.len() == 1
    {
        return points[0];
    }
    let v = vertices(&item.shape);
    let (mut min, mut max) = ([f64::MAX; 2], [f64::MIN; 2]);
    for p in &v {
        for i in 0..2 {
            min[i] = min[i].min(p[i]);
            max[i] = max[i].max(p[i]);
        }
    }
    [(min[0] + max[0]) / 2.0, (min[1] + max[1]) / 2.0]
}

/// A decoded feature: its attributes and geometry type.
#[derive(Debug)]
struct Decoded {
    tags: HashMap<String, Tag>,
    kind: &'static str,
}

/// The tile's features, layer by layer; an empty map for a 204.
async fn decode(app: &TestApp, path: &str) -> BTreeMap<String, Vec<Decoded>> {
    let r = app.get(path).await;
    if r.status() == StatusCode::NO_CONTENT {
        return BTreeMap::new();
    }
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    assert_eq!(header(&r, "content-type").as_deref(), Some(MVT));
    let bytes = r.bytes().await.unwrap().to_vec();
    let reader = Reader::new(bytes).expect("a valid MVT");
    let mut out = BTreeMap::new();
    for (i, name) in reader.get_layer_names().unwrap().into_iter().enumerate() {
        let features = reader
            .get_features(i)
            .unwrap()
            .into_iter()
            .map(|f| Decoded {
                kind: match f.geometry {
                    geo::Geometry::Point(_) | geo::Geometry::MultiPoint(_) => "point",
                    geo::Geometry::LineString(_) | geo::Geometry::MultiLineString(_) => "line",
                    _ => "polygon",
                },
                tags: f.properties.unwrap_or_default(),
            })
            .collect();
        out.insert(name, features);
    }
    out
}

fn text(tags: &HashMap<String, Tag>, key: &str) -> String {
    match tags.get(key) {
        Some(Tag::String(s)) => s.clone(),
        other => panic!("{key} is not a string: {other:?}"),
    }
}

fn count(tags: &HashMap<String, Tag>, key: &str) -> u64 {
    match tags.get(key) {
        Some(Tag::UInt(n)) => *n,
        Some(Tag::Int(n)) | Some(Tag::SInt(n)) => *n as u64,
        other => panic!("{key} is not a count: {other:?}"),
    }
}

fn is_cluster(tags: &HashMap<String, Tag>) -> bool {
    match tags.get("cluster") {
        Some(Tag::Bool(b)) => *b,
        other => panic!("cluster is not a flag: {other:?}"),
    }
}

fn kind_of(shape: &Shape) -> &'static str {
    match shape {
        Shape::Points(_) => "point",
        Shape::Lines(_) => "line",
        Shape::Polygons(_) => "polygon",
    }
}

fn tile_path(collection: &str, z: u32, x: u32, y: u32, query: &str) -> String {
    format!("/collections/{collection}/tiles/WebMercatorQuad/{z}/{y}/{x}{query}")
}

/// The tiles at zoom `z` over the dataset's middle.
fn tiles_over(data: &Dataset, z: u32, most: usize) -> Vec<(u32, u32)> {
    let mut tiles: BTreeSet<(u32, u32)> = BTreeSet::new();
    for item in &data.items {
        tiles.insert(tile_of(position(item), z));
    }
    tiles.into_iter().step_by(3).take(most).collect()
}

/// At a zoom that draws priorities one by one, a tile holds exactly once
/// every priority with a vertex in it, nothing that does not meet it and
/// its buffer, each with its own attributes and geometry type.
#[tokio::test]
async fn a_detailed_tile_holds_each_priority_in_it_once_with_its_attributes() {
    let (app, data) = seeded(41).await;
    let by_id: HashMap<&str, &Item> = data.items.iter().map(|i| (i.id.as_str(), i)).collect();
    let z = 14;
    let mut checked = 0;
    for (x, y) in tiles_over(&data, z, 40) {
        let layers = decode(&app, &tile_path("priorities", z, x, y, "")).await;
        let features = layers.get("priorities").map(Vec::as_slice).unwrap_or(&[]);
        let mut seen = BTreeSet::new();
        for f in features {
            assert!(!is_cluster(&f.tags), "no clusters at zoom {z}");
            let id = text(&f.tags, "id");
            assert!(seen.insert(id.clone()), "{id} twice in {z}/{x}/{y}");
            let item = by_id[id.as_str()];
            assert_eq!(text(&f.tags, "category"), item.category);
            assert_eq!(text(&f.tags, "status"), item.status);
            assert_eq!(text(&f.tags, "council"), item.council);
            assert_eq!(f.kind, kind_of(&item.shape), "{id}");
        }
        let (min, max) = lon_lat_box(z, x, y, 64.0);
        let may: BTreeSet<String> = data
            .items
            .iter()
            .filter(|i| intersects_box(&i.shape, min, max))
            .map(|i| i.id.clone())
            .collect();
        let (min, max) = lon_lat_box(z, x, y, 0.0);
        let must: BTreeSet<String> = data
            .items
            .iter()
            .filter(|i| {
                vertices(&i.shape)
                    .iter()
                    .any(|p| min[0] < p[0] && p[0] < max[0] && min[1] < p[1] && p[1] < max[1])
            })
            .map(|i| i.id.clone())
            .collect();
        assert!(
            must.is_subset(&seen),
            "{z}/{x}/{y} misses {:?}",
            must.difference(&seen).collect::<Vec<_>>()
        );
        assert!(
            seen.is_subset(&may),
            "{z}/{x}/{y} has extra {:?}",
            seen.difference(&may).collect::<Vec<_>>()
        );
        checked += must.len();
    }
    assert!(checked > 50, "only {checked} priorities checked");
}

/// Below the cluster zoom, a tile's clusters (and lone priorities) count
/// every matching priority whose position lies in the tile once: the sums
/// equal the brute-force counts, in all and per status, with and without
/// filters.
#[tokio::test]
async fn cluster_counts_add_up_to_the_filtered_count_over_the_tile() {
    let (app, mut data) = seeded(42).await;
    check_clusters(&app, &data).await;
    // Deletions and status changes are counted out and in again.
    for item in data.items.iter().step_by(7).take(150) {
        let r = app
            .client
            .delete(app.url(&format!("/collections/priorities/items/{}", item.id)))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
    }
    let mut deleted = data
        .items
        .iter()
        .step_by(7)
        .take(150)
        .map(|i| i.id.clone())
        .collect::<BTreeSet<_>>();
    data.items.retain(|i| !deleted.contains(&i.id));
    deleted.clear();
    check_clusters(&app, &data).await;
}

/// Checks the clusters of tiles over `data` at zooms 6 and 9 (counted from
/// the index's pyramid) and 11 (from a scan) against brute force.
async fn check_clusters(app: &TestApp, data: &Dataset) {
    for (query, keep) in [
        ("", (|_: &Item| true) as fn(&Item) -> bool),
        (
            "?status=proposed,approved&category=water,health",
            |i: &Item| {
                matches!(i.status, "proposed" | "approved")
                    && matches!(i.category, "water" | "health")
            },
        ),
    ] {
        for z in [6, 9, 11] {
            let mut total = 0;
            for (x, y) in tiles_over(data, z, 12) {
                let [x0, y0, x1, y1] = unit_box(z, x, y, 0.0);
                let inside: Vec<&Item> = data
                    .items
                    .iter()
                    .filter(|i| keep(i))
                    .filter(|i| {
                        let [ux, uy] = to_unit(position(i));
                        x0 <= ux && ux < x1 && y0 <= uy && uy < y1
                    })
                    .collect();
                let layers = decode(app, &tile_path("priorities", z, x, y, query)).await;
                let features = layers.get("priorities").map(Vec::as_slice).unwrap_or(&[]);
                let mut sum = 0;
                let mut per_status: BTreeMap<&str, u64> = BTreeMap::new();
                for f in features {
                    if is_cluster(&f.tags) {
                        sum += count(&f.tags, "point_count");
                        for s in STATUSES {
                            *per_status.entry(s).or_default() +=
                                count(&f.tags, &format!("status_{s}"));
                        }
                    } else {
                        sum += 1;
                        let status = text(&f.tags, "status");
                        let s = STATUSES.iter().find(|s| **s == status).unwrap();
                        *per_status.entry(s).or_default() += 1;
                    }
                }
                assert_eq!(sum, inside.len() as u64, "{z}/{x}/{y}{query}");
                for s in STATUSES {
                    let expected = inside.iter().filter(|i| i.status == s).count() as u64;
                    assert_eq!(
                        per_status.get(s).copied().unwrap_or(0),
                        expected,
                        "{s} in {z}/{x}/{y}{query}"
                    );
                }
                assert!(features.len() <= 256, "at most one cluster per cell");
                total += sum;
            }
            assert!(total > 0, "zoom {z}{query} counted nothing");
        }
    }
}

/// A tile's `ETag` changes when a priority is written into it, and the next
/// tile holds it; an unchanged tile is answered 304 to its tag.
#[tokio::test]
async fn a_write_in_a_tile_changes_its_tag_and_its_content() {
    let app = crate::helpers::spawn_seeded_app().await;
    let mut feature = priority();
    let first = create_priority_id(&app, &feature).await;
    let at = [
        feature["geometry"]["coordinates"][0].as_f64().unwrap(),
        feature["geometry"]["coordinates"][1].as_f64().unwrap(),
    ];
    let z = 16;
    let (x, y) = tile_of(at, z);
    let path = tile_path("priorities", z, x, y, "");
    let r = app.get(&path).await;
    assert_eq!(r.status(), StatusCode::OK);
    let tag = header(&r, "etag").expect("an ETag");
    assert!(
        header(&r, "cache-control")
            .unwrap()
            .contains("must-revalidate")
    );
    let again = app
        .client
        .get(app.url(&path))
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert!(again.bytes().await.unwrap().is_empty());

    feature["geometry"]["coordinates"] = json!([at[0] + 0.0001, at[1] + 0.0001]);
    let second = create_priority_id(&app, &feature).await;
    let after = app
        .client
        .get(app.url(&path))
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::OK);
    assert_ne!(header(&after, "etag").unwrap(), tag);
    let ids: BTreeSet<String> = decode(&app, &path).await["priorities"]
        .iter()
        .map(|f| text(&f.tags, "id"))
        .collect();
    assert_eq!(ids, BTreeSet::from([first, second]));
}

/// Items pages and collection documents carry tags too, answered 304.
#[tokio::test]
async fn items_pages_and_collection_documents_are_revalidated_by_tag() {
    let app = crate::helpers::spawn_seeded_app().await;
    for path in [
        "/collections/priorities/items?limit=5",
        "/collections/parishes",
        "/collections",
    ] {
        let r = app.get(path).await;
        let tag = header(&r, "etag").unwrap_or_else(|| panic!("{path} has an ETag"));
        let again = app
            .client
            .get(app.url(path))
            .header("if-none-match", &tag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
    }
    let r = app.get("/collections/priorities/items?limit=5").await;
    let tag = header(&r, "etag").unwrap();
    create_priority_id(&app, &priority()).await;
    let after = app
        .client
        .get(app.url("/collections/priorities/items?limit=5"))
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::OK);
}

/// A territory tile's counts are the priorities inside each territory that
/// pass the tile's filters, as the items endpoint counts them.
#[tokio::test]
async fn territory_tiles_carry_the_filtered_counts_of_each_territory() {
    let app = crate::demo::demo_app(tempfile::TempDir::new().unwrap()).await;
    let (_, parishes) = app.get_json("/collections/parishes/items?limit=1000").await;
    let first = &parishes["features"][0];
    let ring = &first["geometry"]["coordinates"][0][0];
    let corner = [ring[0][0].as_f64().unwrap(), ring[0][1].as_f64().unwrap()];
    let z = 9;
    let (x, y) = tile_of(corner, z);
    for query in ["", "?status=proposed&category=water"] {
        let layers = decode(&app, &tile_path("parishes", z, x, y, query)).await;
        let features = &layers["parishes"];
        assert!(!features.is_empty());
        let mut seen = BTreeSet::new();
        for f in features {
            assert_eq!(f.kind, "polygon");
            let code = text(&f.tags, "code");
            assert!(seen.insert(code.clone()), "{code} twice");
            let filter = if query.is_empty() {
                String::new()
            } else {
                format!("&{}", &query[1..])
            };
            let (_, page) = app
                .get_json(&format!(
                    "/collections/priorities/items?limit=1&parish={code}{filter}"
                ))
                .await;
            assert_eq!(
                count(&f.tags, "priorities"),
                page["numberMatched"].as_u64().unwrap(),
                "{code}{query}"
            );
        }
    }
}

/// The documents around the tiles, and tiles that do not exist.
#[tokio::test]
async fn tilesets_matrix_sets_tilejson_and_missing_tiles() {
    let app = crate::helpers::spawn_seeded_app().await;
    let (_, conformance) = app.get_json("/conformance").await;
    for class in [
        "core",
        "tileset",
        "tilesets-list",
        "geodata-tilesets",
        "mvt",
    ] {
        let uri = format!("http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/{class}");
        assert!(
            conformance["conformsTo"]
                .as_array()
                .unwrap()
                .contains(&json!(uri)),
            "{class}"
        );
    }
    let (status, tms) = app.get_json("/tileMatrixSets/WebMercatorQuad").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(tms["id"], "WebMercatorQuad");
    assert_eq!(tms["tileMatrices"].as_array().unwrap().len(), 25);
    let (_, sets) = app.get_json("/collections/priorities/tiles").await;
    assert_eq!(sets["tilesets"][0]["dataType"], "vector");
    let (_, set) = app
        .get_json("/collections/parishes/tiles/WebMercatorQuad")
        .await;
    let item = set["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "item")
        .unwrap();
    assert_eq!(item["templated"], true);
    assert!(
        item["href"]
            .as_str()
            .unwrap()
            .ends_with("/{tileMatrix}/{tileRow}/{tileCol}")
    );
    assert_eq!(set["layers"][0]["id"], "parishes");
    let (_, tilejson) = app
        .get_json("/collections/priorities/tiles/WebMercatorQuad/tilejson.json?status=proposed")
        .await;
    assert_eq!(tilejson["tilejson"], "3.0.0");
    let url = tilejson["tiles"][0].as_str().unwrap();
    assert!(
        url.ends_with("/collections/priorities/tiles/WebMercatorQuad/{z}/{y}/{x}?status=proposed"),
        "{url}"
    );
    assert_eq!(tilejson["vector_layers"][0]["id"], "priorities");
    let (_, collection) = app.get_json("/collections/priorities").await;
    assert!(
        collection["links"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["rel"] == "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector")
    );

    for (path, segment) in [
        (
            "/collections/priorities/tiles/WebMercatorQuad/25/0/0",
            "tileMatrix",
        ),
        (
            "/collections/priorities/tiles/WebMercatorQuad/2/4/0",
            "tileRow",
        ),
        (
            "/collections/priorities/tiles/WebMercatorQuad/2/0/4",
            "tileCol",
        ),
        (
            "/collections/priorities/tiles/WebMercatorQuad/2/x/0",
            "tileRow",
        ),
        (
            "/collections/priorities/tiles/WorldCRS84Quad/2/0/0",
            "tileMatrixSetId",
        ),
        (
            "/collections/councils/tiles/WebMercatorQuad/2/0/0",
            "collectionId",
        ),
    ] {
        assert_problem(
            app.get(path).await,
            StatusCode::NOT_FOUND,
            ("parameter", segment),
        )
        .await;
    }
    assert_problem(
        app.get("/collections/priorities/tiles/WebMercatorQuad/2/0/0?status=sideways")
            .await,
        StatusCode::BAD_REQUEST,
        ("parameter", "status"),
    )
    .await;
    assert_problem(
        app.get("/collections/priorities/tiles/WebMercatorQuad/2/0/0?zoom=3")
            .await,
        StatusCode::BAD_REQUEST,
        ("parameter", "zoom"),
    )
    .await;
}

/// GDAL's MVT driver (what QGIS reads vector tiles with) reads a served
/// tile: its layer, and as many features as the tile holds.
#[tokio::test]
async fn gdal_reads_a_served_tile() {
    if !crate::gdal::gdal_available() {
        return;
    }
    let (app, data) = seeded(43).await;
    let z = 14;
    let (x, y) = tiles_over(&data, z, 1)[0];
    let path = tile_path("priorities", z, x, y, "");
    let decoded = decode(&app, &path).await["priorities"].len() as u64;
    let bytes = app.get(&path).await.bytes().await.unwrap();
    let dir = tempfile::TempDir::new().unwrap();
    // The driver reads the tile's place in the grid from its path.
    let file = dir.path().join(format!("{z}/{x}/{y}.pbf"));
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, &bytes).unwrap();
    let run = crate::gdal::ogrinfo(
        vec![
            "-ro".into(),
            "-so".into(),
            file.display().to_string(),
            "priorities".into(),
        ],
        false,
    )
    .await;
    assert!(
        run.stdout.contains("Layer name: priorities"),
        "{}",
        run.stdout
    );
    assert_eq!(crate::gdal::feature_count(&run), decoded, "{}", run.stdout);
}

/// A territory's items count what the priorities filters given to them
/// select, for every territory of the level, as the items endpoint counts.
#[tokio::test]
async fn territory_items_count_the_priorities_their_filters_select() {
    let app = crate::demo::demo_app(tempfile::TempDir::new().unwrap()).await;
    let filters = "status=proposed,approved&category=water,health,roads";
    let (status, page) = app
        .get_json(&format!("/collections/municipalities/items?{filters}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let features = page["features"].as_array().unwrap();
    assert!(!features.is_empty());
    let mut counted = 0;
    for f in features {
        let code = f["properties"]["code"].as_str().unwrap();
        let (_, all) = app
            .get_json(&format!(
                "/collections/priorities/items?limit=1&municipality={code}&{filters}"
            ))
            .await;
        let n = all["numberMatched"].as_u64().unwrap();
        assert_eq!(f["properties"]["priorities"], n, "{code}");
        let (_, water) = app
            .get_json(&format!(
                "/collections/priorities/items?limit=1&municipality={code}&status=proposed,approved&category=water"
            ))
            .await;
        assert_eq!(
            f["properties"]["category_water"], water["numberMatched"],
            "{code}"
        );
        assert_eq!(f["properties"]["status_done"], 0, "{code}");
        counted += n;
        let (_, one) = app
            .get_json(&format!(
                "/collections/municipalities/items/{code}?{filters}"
            ))
            .await;
        assert_eq!(one["properties"]["priorities"], n, "{code}");
    }
    assert!(counted > 0);
    assert_problem(
        app.get("/collections/parishes/items?status=sideways").await,
        StatusCode::BAD_REQUEST,
        ("parameter", "status"),
    )
    .await;
}

/// The clusters as GeoJSON are the vector tiles' clusters: for every tile of
/// the zoom meeting the box, the same counts, adding up to the priorities
/// whose position lies in those tiles.
#[tokio::test]
async fn geojson_clusters_are_the_tiles_clusters() {
    let (app, data) = seeded(44).await;
    let z = 9;
    let (lon0, lat0, lon1, lat1) = (-67.2, 10.2, -66.6, 10.6);
    let (x0, y0) = tile_of([lon0, lat1], z);
    let (x1, y1) = tile_of([lon1, lat0], z);
    for query in ["", "&category=water,roads"] {
        let path = format!(
            "/collections/priorities/clusters?zoom={z}&bbox={lon0},{lat0},{lon1},{lat1}{query}"
        );
        let (status, body) = app.get_json(&path).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let features = body["features"].as_array().unwrap();
        let sum: u64 = features
            .iter()
            .map(|f| f["properties"]["point_count"].as_u64().unwrap())
            .sum();
        assert_eq!(body["numberMatched"], sum);
        let keep = |i: &&Item| query.is_empty() || matches!(i.category, "water" | "roads");
        let expected = data
            .items
            .iter()
            .filter(keep)
            .filter(|i| {
                let (x, y) = tile_of(position(i), z);
                (x0..=x1).contains(&x) && (y0..=y1).contains(&y)
            })
            .count() as u64;
        assert_eq!(sum, expected, "{query}");
        let mut from_tiles = 0;
        for x in x0..=x1 {
            for y in y0..=y1 {
                let layers = decode(
                    &app,
                    &tile_path("priorities", z, x, y, &query.replacen('&', "?", 1)),
                )
                .await;
                from_tiles += layers.get("priorities").map_or(0, Vec::len);
            }
        }
        assert_eq!(features.len(), from_tiles, "{query}");
    }
    assert_problem(
        app.get("/collections/priorities/clusters?zoom=16&bbox=-70,5,-60,12")
            .await,
        StatusCode::BAD_REQUEST,
        ("parameter", "bbox"),
    )
    .await;
    assert_problem(
        app.get("/collections/priorities/clusters?bbox=-70,5,-60,12")
            .await,
        StatusCode::BAD_REQUEST,
        ("parameter", "zoom"),
    )
    .await;
}
