//! Editing from QGIS (OGC API – Features Part 4): `OPTIONS` answers `Allow`
//! with what the caller may do, and what it lists is what the server then
//! does; a POST's `Location` is spelled so on the wire; a merge-patch PATCH
//! is seen by the next GET.

use std::collections::BTreeSet;

use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{
    ITEMS, client_with, council, create_priority_id, each_case, get_priority, header, priority,
    spawn_seeded_app,
};

/// The methods of `OPTIONS path`'s `Allow` header.
async fn allowed(client: &Client, url: &str) -> BTreeSet<String> {
    let r = client
        .request(Method::OPTIONS, url)
        .send()
        .await
        .expect("OPTIONS");
    assert!(r.status().is_success(), "OPTIONS {url}: {}", r.status());
    let allow = header(&r, "allow").unwrap_or_else(|| panic!("OPTIONS {url} answers Allow"));
    allow.split(',').map(|m| m.trim().to_owned()).collect()
}

fn methods(m: &[&str]) -> BTreeSet<String> {
    m.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn options_allow_only_what_the_caller_may_do_and_the_server_then_does_it() {
    let app = spawn_seeded_app().await;
    let r = app
        .post_json(
            "/collections/councils/items",
            &council("CC-2", "Consejo Comunal Dos", "010101"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = create_priority_id(&app, &priority()).await;
    let other = client_with(&app.token("spokesperson", Some("CC-2")).await);
    let own = client_with(&app.token("spokesperson", Some("CC-1")).await);
    let anonymous = Client::new();
    let items = app.url(ITEMS);
    let item = app.url(&format!("{ITEMS}/{id}"));
    let unknown = app.url(&format!("{ITEMS}/00000000-0000-4000-8000-000000000000"));
    let malformed = app.url(&format!("{ITEMS}/not-a-uuid"));
    let read = methods(&["GET", "HEAD", "OPTIONS"]);
    let writes = methods(&["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"]);
    let cases = vec![
        ("anonymous_on_items", (&anonymous, &items, read.clone())),
        ("anonymous_on_an_item", (&anonymous, &item, read.clone())),
        (
            "anonymous_on_an_unknown_id",
            (&anonymous, &unknown, read.clone()),
        ),
        (
            "anonymous_on_a_malformed_id",
            (&anonymous, &malformed, read.clone()),
        ),
        (
            "admin_on_items",
            (
                &app.client,
                &items,
                methods(&["GET", "HEAD", "OPTIONS", "POST"]),
            ),
        ),
        ("admin_on_an_item", (&app.client, &item, writes.clone())),
        (
            "admin_on_an_unknown_id",
            (&app.client, &unknown, writes.clone()),
        ),
        (
            "admin_on_a_malformed_id",
            (&app.client, &malformed, writes.clone()),
        ),
        (
            "another_councils_spokesperson_on_items",
            (&other, &items, methods(&["GET", "HEAD", "OPTIONS", "POST"])),
        ),
        (
            "another_councils_spokesperson_on_the_item",
            (&other, &item, read.clone()),
        ),
    ];
    each_case(cases, async |(client, url, expected)| {
        assert_eq!(allowed(client, url).await, expected, "{url}");
    })
    .await;

    // Its own spokesperson may edit it.
    let own_allow = allowed(&own, &item).await;
    assert!(
        own_allow.contains("PUT") && own_allow.contains("PATCH"),
        "{own_allow:?}"
    );

    // What is not listed is refused; what is listed is done.
    let patch = |client: &Client, title: &str| {
        client
            .patch(&item)
            .header("content-type", "application/merge-patch+json")
            .body(json!({"properties": {"title": title}}).to_string())
            .send()
    };
    let r = patch(&other, "Ajena").await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = anonymous.delete(&item).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = patch(&own, "Propia").await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        get_priority(&app, &id).await["properties"]["title"],
        "Propia"
    );
}

/// Sends `request` (a whole HTTP/1.1 request) to `base` on a connection of
/// its own; returns the response head as sent and the body.
async fn raw_exchange(base: &str, request: &str) -> (String, String) {
    let address = base.strip_prefix("http://").unwrap();
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).await.unwrap();
    let text = String::from_utf8(bytes).expect("UTF-8");
    let (head, body) = text.split_once("\r\n\r\n").expect("a head and a body");
    (head.to_owned(), body.to_owned())
}

#[tokio::test]
async fn a_post_answers_location_spelled_so_on_the_wire_and_a_merge_patch_is_then_seen() {
    let app = spawn_seeded_app().await;
    let body = priority().to_string();
    let host = app.base.strip_prefix("http://").unwrap();
    let request = format!(
        "POST {ITEMS} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/geo+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        app.admin_token,
        body.len()
    );
    let (head, _) = raw_exchange(&app.base, &request).await;
    assert!(head.starts_with("HTTP/1.1 201"), "{head}");
    let location = head
        .lines()
        .find_map(|l| l.strip_prefix("Location: "))
        .unwrap_or_else(|| panic!("a `Location: ` line, spelled so: {head}"))
        .to_owned();
    let (_, listed) = app.get_json(&format!("{ITEMS}?limit=10")).await;
    let id = listed["features"][0]["id"].as_str().unwrap().to_owned();
    assert!(
        location.ends_with(&format!("/items/{id}")),
        "{location} names {id}"
    );
    assert_eq!(location, app.url(&format!("{ITEMS}/{id}")));

    // QGIS edits with a merge patch to that URL.
    let r = app
        .client
        .patch(&location)
        .header("content-type", "application/merge-patch+json")
        .body(json!({"properties": {"title": "Tubería nueva", "families": 40}}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (status, after): (StatusCode, Value) = app
        .get_json(location.strip_prefix(app.base.as_str()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(after["properties"]["title"], "Tubería nueva");
    assert_eq!(after["properties"]["families"], 40);
    assert_eq!(
        after["properties"]["category"],
        priority()["properties"]["category"],
        "what the patch leaves out stays"
    );
}
