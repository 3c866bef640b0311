//! The change sequence: the change feed, the `Change-Sequence` header, and
//! two replicas (two applications on one store) keeping each other current.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use prioridades::config::ServeArgs;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::helpers::{
    TestApp, assert_problem, council, create_priority, database_url, header, priority,
    spawn_app_in, spawn_seeded_app,
};

/// Every page of the feed from `since`, `limit` at a time, following the
/// `next` links: the entries in order.
async fn read_feed(app: &TestApp, since: i64, limit: usize) -> Vec<Value> {
    let mut entries = Vec::new();
    let mut url = app.url(&format!(
        "/collections/priorities/changes?since={since}&limit={limit}"
    ));
    let mut after = since;
    loop {
        let r = app.client.get(&url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let page: Value = r.json().await.unwrap();
        assert_eq!(page["since"], since, "{page}");
        assert_eq!(page["after"], after, "{page}");
        let changes = page["changes"].as_array().expect("changes").clone();
        let next_link = page["links"]
            .as_array()
            .expect("links")
            .iter()
            .find(|l| l["rel"] == "next")
            .map(|l| l["href"].as_str().unwrap().to_owned());
        assert_eq!(next_link.is_some(), changes.len() == limit, "{page}");
        let next = page["next"].as_i64().expect("next");
        assert_eq!(
            next,
            changes.last().map_or(after, |c| c["seq"].as_i64().unwrap())
        );
        entries.extend(changes);
        match next_link {
            Some(href) => {
                url = href;
                after = next;
            }
            None => return entries,
        }
    }
}

fn seq_header(response: &reqwest::Response) -> i64 {
    header(response, "change-sequence")
        .expect("a Change-Sequence header")
        .parse()
        .expect("an integer")
}

fn with_title(title: &str) -> Value {
    let mut p = priority();
    p["properties"]["title"] = json!(title);
    p
}

#[tokio::test]
async fn the_feed_lists_every_changed_priority_once_across_pages() {
    let app = spawn_seeded_app().await;
    // The truth, kept by hand: id → (version, deleted).
    let mut truth: BTreeMap<String, (i64, bool)> = BTreeMap::new();
    for i in 0..23 {
        let p = create_priority(&app, &with_title(&format!("Prioridad número {i}"))).await;
        truth.insert(p["id"].as_str().unwrap().to_owned(), (1, false));
    }
    let ids: Vec<String> = truth.keys().cloned().collect();
    for id in ids.iter().step_by(3) {
        let r = app
            .client
            .patch(app.url(&format!("/collections/priorities/items/{id}")))
            .header("content-type", "application/merge-patch+json")
            .body(json!({"properties": {"families": 12}}).to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        truth.get_mut(id).unwrap().0 = 2;
    }
    for id in ids.iter().skip(1).step_by(5) {
        let r = app
            .client
            .delete(app.url(&format!("/collections/priorities/items/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        truth.get_mut(id).unwrap().1 = true;
    }

    for limit in [1, 4, 7, 100] {
        let entries = read_feed(&app, 0, limit).await;
        let seqs: Vec<i64> = entries.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
        assert!(
            seqs.windows(2).all(|w| w[0] < w[1]),
            "in change order: {seqs:?}"
        );
        let listed: BTreeSet<&str> = entries.iter().map(|e| e["id"].as_str().unwrap()).collect();
        assert_eq!(
            listed.len(),
            entries.len(),
            "each priority once (limit {limit})"
        );
        assert_eq!(
            listed,
            truth.keys().map(String::as_str).collect(),
            "every priority ever written (limit {limit})"
        );
        for e in &entries {
            let id = e["id"].as_str().unwrap();
            let (version, deleted) = truth[id];
            assert_eq!(e["version"], version, "{e}");
            if deleted {
                assert_eq!(e["action"], "deleted", "{e}");
                assert!(e.get("feature").is_none(), "{e}");
            } else {
                // Seen from the beginning, everything still there was created.
                assert_eq!(e["action"], "created", "{e}");
                let (status, current) = app
                    .get_json(&format!("/collections/priorities/items/{id}"))
                    .await;
                assert_eq!(status, StatusCode::OK);
                let mut feature = e["feature"].clone();
                // The single item carries links; the feed's Feature does not.
                let mut current = current;
                current.as_object_mut().unwrap().remove("links");
                feature.as_object_mut().unwrap().remove("links");
                assert_eq!(feature, current, "the feed's Feature is the stored one");
            }
        }
    }
}

#[tokio::test]
async fn a_client_synced_to_a_number_sees_only_later_changes() {
    let app = spawn_seeded_app().await;
    let kept = create_priority(&app, &with_title("Se queda")).await;
    let edited = create_priority(&app, &with_title("Se edita")).await;
    let gone = create_priority(&app, &with_title("Se borra")).await;
    let (_, page) = app.get_json("/collections/priorities/changes").await;
    let synced = page["latest"].as_i64().unwrap();
    assert_eq!(page["changes"].as_array().unwrap().len(), 3);

    let (_, nothing) = app
        .get_json(&format!("/collections/priorities/changes?since={synced}"))
        .await;
    assert_eq!(
        nothing["changes"],
        json!([]),
        "nothing after the latest number"
    );
    assert_eq!(nothing["next"], synced);

    let r = app
        .client
        .patch(app.url(&format!(
            "/collections/priorities/items/{}",
            edited["id"].as_str().unwrap()
        )))
        .header("content-type", "application/merge-patch+json")
        .body(json!({"properties": {"title": "Editada"}}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .client
        .delete(app.url(&format!(
            "/collections/priorities/items/{}",
            gone["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let born = create_priority(&app, &with_title("Nueva")).await;

    let entries = read_feed(&app, synced, 100).await;
    let actions: Vec<(String, String)> = entries
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap().to_owned(),
                e["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let id = |v: &Value| v["id"].as_str().unwrap().to_owned();
    assert_eq!(
        actions,
        vec![
            (id(&edited), "updated".to_owned()),
            (id(&gone), "deleted".to_owned()),
            (id(&born), "created".to_owned()),
        ]
    );
    assert!(!actions.iter().any(|(i, _)| *i == id(&kept)));
    assert_eq!(entries[0]["feature"]["properties"]["title"], "Editada");
}

#[tokio::test]
async fn every_response_names_the_change_number_it_reflects() {
    let app = spawn_seeded_app().await;
    let r = app.get("/collections/priorities/items").await;
    let start = seq_header(&r);
    let r = app
        .post_json("/collections/priorities/items", &priority())
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let after_write = seq_header(&r);
    assert_eq!(after_write, start + 1, "one priority written: one change");
    let (_, page) = app
        .get_json(&format!("/collections/priorities/changes?since={start}"))
        .await;
    assert_eq!(page["latest"], after_write);
    assert_eq!(page["changes"][0]["seq"], after_write);
    // Errors say it too, and a refused write changes nothing. A Feature with
    // neither geometry nor properties is refused at its geometry, checked first.
    let r = app
        .post_json("/collections/priorities/items", &json!({"type": "Feature"}))
        .await;
    assert_eq!(seq_header(&r), after_write);
    let problem = assert_problem(
        r,
        StatusCode::UNPROCESSABLE_ENTITY,
        ("pointer", "/geometry"),
    )
    .await;
    assert_eq!(problem["type"], "urn:prioridades:problem:invalid-field");
    // Catalog writes take a number but are not priorities of the feed.
    let r = app
        .post_json(
            "/collections/councils/items",
            &council("CC-2", "Consejo Comunal Dos", "010101"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(seq_header(&r), after_write + 1);
    let (_, page) = app
        .get_json(&format!(
            "/collections/priorities/changes?since={after_write}"
        ))
        .await;
    assert_eq!(page["changes"], json!([]));
    assert_eq!(page["latest"], after_write + 1);
}

#[tokio::test]
async fn the_feed_refuses_bad_parameters() {
    let app = spawn_seeded_app().await;
    for (query, parameter) in [
        ("since=-1", "since"),
        ("since=abc", "since"),
        ("since=1.5", "since"),
        ("limit=0", "limit"),
        ("limit=ten", "limit"),
        ("since=5&after=4", "after"),
        ("after=-2", "after"),
        ("sinse=3", "sinse"),
    ] {
        let r = app
            .get(&format!("/collections/priorities/changes?{query}"))
            .await;
        assert_problem(r, StatusCode::BAD_REQUEST, ("parameter", parameter)).await;
    }
}

/// A second application on the store of `app`: another replica.
async fn replica_of(app: &TestApp) -> TestApp {
    let url = database_url(&app.dir);
    spawn_app_in(TempDir::new().unwrap(), ServeArgs::for_database(url)).await
}

/// Polls `path` on `app` until `done` holds of its status and body; the time it took.
async fn wait_for(
    app: &TestApp,
    path: &str,
    done: impl Fn(StatusCode, &Value) -> bool,
) -> Duration {
    let started = Instant::now();
    loop {
        let r = app.get(path).await;
        let status = r.status();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        if done(status, &body) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{path} did not change on the other replica: {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn replicas_see_each_others_writes() {
    let a = spawn_seeded_app().await;
    let b = replica_of(&a).await;

    // A priority written on A appears on B, in lists and by id.
    let created = create_priority(&a, &priority()).await;
    let id = created["id"].as_str().unwrap();
    let item = format!("/collections/priorities/items/{id}");
    let took = wait_for(&b, &item, |s, _| s == StatusCode::OK).await;
    eprintln!("a create on A was served by B after {took:?}");
    let (_, mut on_b) = b.get_json(&item).await;
    let (_, mut on_a) = a.get_json(&item).await;
    // Links name each replica's own address; the rest is the same.
    on_a.as_object_mut().unwrap().remove("links");
    on_b.as_object_mut().unwrap().remove("links");
    assert_eq!(on_b, on_a);
    let (_, list) = b.get_json("/collections/priorities/items").await;
    assert_eq!(list["numberMatched"], 1);

    // An edit on B reaches A, with the same ETag on both.
    let r = b
        .client
        .patch(b.url(&item))
        .header("content-type", "application/merge-patch+json")
        .header("if-match", "\"1\"")
        .body(json!({"properties": {"title": "Editada en B"}}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let etag = header(&r, "etag").unwrap();
    let written_at = seq_header(&r);
    wait_for(&a, &item, |_, body| {
        body["properties"]["title"] == "Editada en B"
    })
    .await;
    let r = a.get(&item).await;
    assert_eq!(header(&r, "etag").unwrap(), etag);
    // The number a response reflects follows (it never runs ahead of the index).
    let started = Instant::now();
    while seq_header(&a.get("/").await) < written_at {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "A's number lags"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // A stale If-Match on A, after the write on B, is refused.
    let r = a
        .client
        .patch(a.url(&item))
        .header("content-type", "application/merge-patch+json")
        .header("if-match", "\"1\"")
        .body(json!({"properties": {"title": "Perdida"}}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PRECONDITION_FAILED);

    // A council created on A can take priorities written on B at once: B
    // catches up before it checks a write.
    let r = a
        .post_json(
            "/collections/councils/items",
            &council("CC-2", "Consejo Comunal Dos", "010101"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let mut second = priority();
    second["properties"]["council"] = json!("CC-2");
    let r = b.post_json("/collections/priorities/items", &second).await;
    assert_eq!(r.status(), StatusCode::CREATED);

    // A deletion on A disappears from B.
    let r = a.client.delete(a.url(&item)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    wait_for(&b, &item, |s, _| s == StatusCode::NOT_FOUND).await;

    // Both replicas end with the same answers and the same number.
    let settle = |app: &TestApp| {
        let app = app.base.clone();
        async move {
            let r = reqwest::get(format!("{app}/collections/priorities/items"))
                .await
                .unwrap();
            (seq_header(&r), r.json::<Value>().await.unwrap())
        }
    };
    wait_for(&a, "/collections/priorities/items", |_, body| {
        body["numberMatched"] == 1
    })
    .await;
    let (seq_a, mut list_a) = settle(&a).await;
    // B publishes the number after its index holds the change (it reads the
    // changed priorities' transitions in between), so it may show the
    // deletion with the number before it for a moment: wait until it
    // reaches A's number, then both must agree.
    let started = Instant::now();
    let (seq_b, mut list_b) = loop {
        let (seq, list) = settle(&b).await;
        if seq >= seq_a || started.elapsed() > Duration::from_secs(10) {
            break (seq, list);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(seq_a, seq_b);
    for list in [&mut list_a, &mut list_b] {
        list.as_object_mut().unwrap().remove("timeStamp");
        list.as_object_mut().unwrap().remove("links");
    }
    assert_eq!(list_a, list_b);
}
