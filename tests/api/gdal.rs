//! GDAL's OAPIF driver (what QGIS reads OGC API – Features with) against the
//! running server: `ogrinfo` lists every collection, and counts what the
//! API counts with a bbox (`-spat`) and an attribute filter (`-where`),
//! which it sends to the server as a CQL filter.
//!
//! Needs `ogrinfo` on PATH (Debian: `gdal-bin`). Without it the tests say so
//! loudly and pass, unless `PRIORIDADES_REQUIRE_GDAL=1` (set by `.ci/run`,
//! so CI never skips them), which makes a missing GDAL a failure.

use std::io::Write;
use std::process::Command;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::ogc_filter::{enc, ogc_app};

/// Whether `ogrinfo` runs; if not, fails when GDAL is required, else warns.
pub(crate) fn gdal_available() -> bool {
    let found = Command::new("ogrinfo")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("PRIORIDADES_REQUIRE_GDAL").as_deref() != Ok("1"),
            "PRIORIDADES_REQUIRE_GDAL=1 but ogrinfo is not on PATH (apt-get install gdal-bin)"
        );
        // Straight to the process's stderr: libtest captures eprintln!.
        let _ = writeln!(
            std::io::stderr(),
            "\n########################################################\n\
             ##  GDAL test SKIPPED: ogrinfo is not on PATH.        ##\n\
             ##  Debian: apt-get install gdal-bin                  ##\n\
             ########################################################\n"
        );
    }
    found
}

/// What `ogrinfo` printed.
pub(crate) struct Run {
    pub(crate) stdout: String,
    stderr: String,
}

/// Runs `ogrinfo args` (with `CPL_DEBUG=ON` when `debug`) off the runtime's
/// threads, so the server keeps answering; expects success.
pub(crate) async fn ogrinfo(args: Vec<String>, debug: bool) -> Run {
    let shown = args.join(" ");
    let output = tokio::task::spawn_blocking(move || {
        let mut command = Command::new("ogrinfo");
        command
            .args(&args)
            // The server is local: no proxy.
            .env_remove("http_proxy")
            .env_remove("HTTP_PROXY")
            .env_remove("https_proxy")
            .env_remove("HTTPS_PROXY")
            .env("NO_PROXY", "127.0.0.1,localhost")
            .env("CPL_DEBUG", if debug { "ON" } else { "OFF" });
        command.output().expect("ogrinfo runs")
    })
    .await
    .unwrap();
    let run = Run {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(
        output.status.success(),
        "ogrinfo {shown} failed:\n{}\n{}",
        run.stdout,
        run.stderr
    );
    run
}

/// The `Feature Count:` ogrinfo printed.
pub(crate) fn feature_count(run: &Run) -> u64 {
    run.stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("Feature Count: "))
        .unwrap_or_else(|| panic!("a feature count in:\n{}\n{}", run.stdout, run.stderr))
        .parse()
        .unwrap()
}

/// `numberMatched` of `/collections/{collection}/items?{query}`.
async fn matched(app: &TestApp, collection: &str, query: &str) -> u64 {
    let (status, body) = app
        .get_json(&format!("/collections/{collection}/items?limit=1&{query}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{collection}?{query}: {body}");
    body["numberMatched"].as_u64().expect("numberMatched")
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn ogrinfo_lists_every_collection_and_counts_what_the_api_counts() {
    if !gdal_available() {
        return;
    }
    let app = ogc_app().await;
    let source = format!("OAPIF:{}", app.base);

    let listing = ogrinfo(strings(&["-ro", "-so", &source]), false).await;
    let (_, body): (_, Value) = app.get_json("/collections").await;
    let ids: Vec<&str> = body["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"priorities") && ids.contains(&"councils"));
    for id in &ids {
        let listed = listing.stdout.lines().any(|l| {
            l.split_once(": ").is_some_and(|(n, rest)| {
                n.trim().parse::<u32>().is_ok() && rest.split(' ').next() == Some(id)
            })
        });
        assert!(listed, "ogrinfo lists {id}:\n{}", listing.stdout);
    }

    let all = ogrinfo(
        strings(&["-ro", "-al", "-so", &source, "priorities"]),
        false,
    )
    .await;
    assert_eq!(feature_count(&all), matched(&app, "priorities", "").await);

    // A bbox: the seed's geometries lie wholly inside or outside it, so
    // GDAL's own envelope test agrees with the server's.
    let (x0, y0, x1, y1) = ("-66.98", "10.42", "-66.92", "10.46");
    let bbox = format!("bbox={x0},{y0},{x1},{y1}");
    for collection in ["priorities", "councils"] {
        let expected = matched(&app, collection, &bbox).await;
        assert!(expected > 0, "{collection} has features in the box");
        let run = ogrinfo(
            strings(&[
                "-ro", "-al", "-so", "-spat", x0, y0, x1, y1, &source, collection,
            ]),
            false,
        )
        .await;
        assert_eq!(feature_count(&run), expected, "-spat on {collection}");
    }

    let water = matched(&app, "priorities", "category=water").await;
    assert!(water > 0);
    let run = ogrinfo(
        strings(&[
            "-ro",
            "-al",
            "-so",
            "-where",
            "category = 'water'",
            &source,
            "priorities",
        ]),
        false,
    )
    .await;
    assert_eq!(feature_count(&run), water, "-where category = 'water'");
}

/// The items requests GDAL logged (with `CPL_DEBUG=ON`).
fn items_requests(run: &Run) -> Vec<&str> {
    run.stderr
        .lines()
        .filter(|l| l.contains("/collections/priorities/items"))
        .collect()
}

#[tokio::test]
async fn ogrinfo_sends_a_where_with_like_to_the_server_as_a_filter() {
    if !gdal_available() {
        return;
    }
    let app = ogc_app().await;
    let source = format!("OAPIF:{}", app.base);
    let where_ =
        |clause: &str| strings(&["-ro", "-al", "-so", "-where", clause, &source, "priorities"]);

    // GDAL reads `filter-lang`'s enum in the OpenAPI document, finds
    // `cql-text` and sends the clause as a filter.
    let run = ogrinfo(where_("category LIKE 'wat%'"), true).await;
    let requests = items_requests(&run);
    assert!(
        requests.iter().any(|l| l.contains("filter=")
            && l.contains("LIKE")
            && l.contains("filter-lang=cql-text")),
        "GDAL sent the LIKE to the server as a cql-text filter; its requests were:\n{}",
        requests.join("\n")
    );
    let expected = matched(
        &app,
        "priorities",
        &format!("filter={}", enc("category LIKE 'wat%'")),
    )
    .await;
    assert!(expected > 0);
    assert_eq!(feature_count(&run), expected, "{}", requests.join("\n"));

    // OGR SQL's ILIKE goes as the draft's ILIKE, which the server reads
    // as CQL2's CASEI(…) LIKE CASEI(…).
    let run = ogrinfo(where_("category ILIKE 'WAT%'"), true).await;
    let requests = items_requests(&run);
    let expected = matched(
        &app,
        "priorities",
        &format!("filter={}", enc("CASEI(category) LIKE CASEI('WAT%')")),
    )
    .await;
    assert!(expected > 0);
    assert_eq!(feature_count(&run), expected, "{}", requests.join("\n"));

    // `title` is no query parameter: GDAL 3.6 learns that it may filter on
    // it from the queryables (the link with the draft's rel `queryables`,
    // the draft's `queryables` array, served as application/json), and
    // sends the condition too.
    let run = ogrinfo(where_("title LIKE 'Agua%'"), true).await;
    let requests = items_requests(&run);
    assert!(
        requests
            .iter()
            .any(|l| l.contains("filter=") && l.contains("title")),
        "GDAL sent the condition on title to the server; its requests were:\n{}",
        requests.join("\n")
    );
    let expected = matched(
        &app,
        "priorities",
        &format!("filter={}", enc("title LIKE 'Agua%'")),
    )
    .await;
    assert!(expected >= 2);
    assert_eq!(
        feature_count(&run),
        expected,
        "requests:\n{}",
        requests.join("\n")
    );
}

#[tokio::test]
async fn councils_take_a_bbox_in_crs84_or_another_crs() {
    let app = ogc_app().await;
    let (_, all) = app.get_json("/collections/councils/items?limit=100").await;
    let inside: Vec<&str> = all["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            let c = &f["geometry"]["coordinates"];
            let (x, y) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
            (-66.98..=-66.92).contains(&x) && (10.42..=10.46).contains(&y)
        })
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(!inside.is_empty() && inside.len() < all["features"].as_array().unwrap().len());
    for query in [
        "bbox=-66.98,10.42,-66.92,10.46".to_owned(),
        format!(
            "bbox=10.42,-66.98,10.46,-66.92&bbox-crs={}",
            enc("http://www.opengis.net/def/crs/EPSG/0/4326")
        ),
    ] {
        let (status, body) = app
            .get_json(&format!("/collections/councils/items?{query}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let got: Vec<&str> = body["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap())
            .collect();
        assert_eq!(got, inside, "{query}");
        assert_eq!(body["numberMatched"], json!(inside.len()));
    }
    let r = app
        .get("/collections/councils/items?bbox=-66.98,10.42,-66.92")
        .await;
    crate::helpers::assert_problem(r, StatusCode::BAD_REQUEST, ("parameter", "bbox")).await;
}
