//! Councils and communes have a temporal property, `created_at` (when they
//! were registered): `datetime` selects by it, the collections' temporal
//! extent spans it, and it survives edits and restarts. Every answer is
//! compared with a filter over the times the API itself reported.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use prioridades::config::ServeArgs;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, assert_problem, council, database_url, spawn_app, spawn_app_in};

/// Each feature's id and `created_at`, as the items list them.
async fn registered(app: &TestApp, collection: &str) -> Vec<(String, DateTime<Utc>)> {
    let (status, body) = app
        .get_json(&format!("/collections/{collection}/items?limit=1000"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let at = f["properties"]["created_at"]
                .as_str()
                .unwrap_or_else(|| panic!("{f}"));
            let at = DateTime::parse_from_rfc3339(at)
                .unwrap()
                .with_timezone(&Utc);
            (f["id"].as_str().unwrap().to_owned(), at)
        })
        .collect()
}

/// Whether a time passes a `datetime`, as the test computes it.
type Keep = Box<dyn Fn(DateTime<Utc>) -> bool>;

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// `datetime` on `collection` against the same test over `known`, for
/// intervals and instants built from the times themselves.
async fn check_datetime(app: &TestApp, collection: &str, known: &[(String, DateTime<Utc>)]) {
    let mut times: Vec<DateTime<Utc>> = known.iter().map(|(_, t)| *t).collect();
    times.sort();
    let (first, last) = (times[0], times[times.len() - 1]);
    let middle = times[times.len() / 2];
    let day = first.date_naive().to_string();
    let cases: Vec<(String, Keep)> = vec![
        (rfc3339(middle), Box::new(move |t| t == middle)),
        (
            format!("../{}", rfc3339(middle)),
            Box::new(move |t| t <= middle),
        ),
        (
            format!("{}/..", rfc3339(middle)),
            Box::new(move |t| t >= middle),
        ),
        (
            format!("{}/{}", rfc3339(times[1]), rfc3339(times[times.len() - 2])),
            Box::new(move |t| t >= times[1] && t <= times[times.len() - 2]),
        ),
        (
            format!("{}/..", rfc3339(last + chrono::TimeDelta::seconds(1))),
            Box::new(|_| false),
        ),
        ("../..".into(), Box::new(|_| true)),
        (
            day.clone(),
            Box::new(move |t| t.date_naive().to_string() == day),
        ),
        ("../2000-01-01T00:00:00Z".into(), Box::new(|_| false)),
    ];
    for (datetime, keep) in cases {
        let want: BTreeSet<String> = known
            .iter()
            .filter(|(_, t)| keep(*t))
            .map(|(id, _)| id.clone())
            .collect();
        let query = format!(
            "/collections/{collection}/items?limit=1000&datetime={}",
            urlencode(&datetime)
        );
        let (status, body) = app.get_json(&query).await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        let got: BTreeSet<String> = body["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(got, want, "{collection} datetime={datetime}");
        assert_eq!(
            body["numberMatched"],
            want.len(),
            "{collection} datetime={datetime}"
        );
    }
    let (_, doc) = app.get_json(&format!("/collections/{collection}")).await;
    let interval = &doc["extent"]["temporal"]["interval"][0];
    assert_eq!(
        interval,
        &json!([rfc3339(first), rfc3339(last)]),
        "{collection}: {doc}"
    );
    let r = app
        .get(&format!(
            "/collections/{collection}/items?datetime=yesterday"
        ))
        .await;
    assert_problem(r, StatusCode::BAD_REQUEST, ("parameter", "datetime")).await;
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

#[tokio::test]
async fn councils_and_communes_are_selected_by_when_they_were_registered() {
    let app = spawn_app().await;
    app.seed_minimal_catalog().await;
    for i in 0..6 {
        tokio::time::sleep(Duration::from_millis(3)).await;
        let commune = json!({"type": "Feature", "geometry": null,
                             "properties": {"code": format!("COM-{i}"), "name": format!("Comuna {i}")}});
        let r = app.post_json("/collections/communes/items", &commune).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        tokio::time::sleep(Duration::from_millis(3)).await;
        let mut c = council(&format!("CC-T{i}"), &format!("Consejo {i}"), "010101");
        c["properties"]["commune"] = json!(format!("COM-{i}"));
        let r = app.post_json("/collections/councils/items", &c).await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let councils = registered(&app, "councils").await;
    let communes = registered(&app, "communes").await;
    assert_eq!((councils.len(), communes.len()), (7, 6));
    let distinct: BTreeSet<_> = councils.iter().map(|(_, t)| *t).collect();
    assert_eq!(
        distinct.len(),
        councils.len(),
        "the councils were registered apart"
    );
    check_datetime(&app, "councils", &councils).await;
    check_datetime(&app, "communes", &communes).await;

    // An edit keeps the time; a client sending it back is not refused.
    let one = app.get_json("/collections/councils/items/CC-T2").await.1;
    let patch =
        json!({"properties": {"name": "Consejo renombrado", "created_at": "2000-01-01T00:00:00Z"}});
    let r = app
        .client
        .patch(app.url("/collections/councils/items/CC-T2"))
        .header("content-type", "application/merge-patch+json")
        .body(patch.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let after = app.get_json("/collections/councils/items/CC-T2").await.1;
    assert_eq!(after["properties"]["name"], "Consejo renombrado");
    assert_eq!(
        after["properties"]["created_at"],
        one["properties"]["created_at"]
    );

    // Stored: the same after a restart.
    let dir = app.stop().await;
    let url = database_url(&dir);
    let app = spawn_app_in(dir, ServeArgs::for_database(url)).await;
    assert_eq!(registered(&app, "councils").await, councils);
    assert_eq!(registered(&app, "communes").await, communes);
}
