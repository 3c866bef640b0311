//! `/statistics` as CSV, with the JSON's columns and rows, chosen by
//! `Accept` unless `f` says otherwise, quoting names with commas and quotes;
//! and bad statistics parameters refused naming them.

use std::collections::BTreeMap;

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{TestApp, assert_problem, header};
use crate::statistics::{spawn_dataset_app, statistics};

// ---------------------------------------------------------------- CSV

/// Parses RFC 4180 CSV: quoted fields may hold commas, quotes (doubled) and
/// line breaks; records end with CRLF.
pub(crate) fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                '"' => quoted = false,
                other => field.push(other),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            ',' => record.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {
                chars.next();
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            other => field.push(other),
        }
    }
    assert!(!quoted, "an unterminated quoted field");
    assert!(
        field.is_empty() && record.is_empty(),
        "the last record does not end with CRLF"
    );
    records
}

/// A JSON row's values in column order, as CSV fields.
fn as_fields(row: &Value, columns: &[Value]) -> Vec<String> {
    columns
        .iter()
        .map(|c| match &row[c.as_str().unwrap()] {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        })
        .collect()
}

async fn csv(app: &TestApp, query: &str, accept: Option<&str>) -> (String, String) {
    let mut request = app.client.get(app.url(&format!("/statistics?{query}")));
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    let r = request.send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{query}");
    let content_type = header(&r, "content-type").unwrap_or_default();
    (content_type, r.text().await.unwrap())
}

#[tokio::test]
async fn statistics_as_csv_have_the_json_columns_and_rows() {
    let (app, _) = spawn_dataset_app().await;
    for query in [
        "group_by=state",
        "group_by=municipality",
        "group_by=parish",
        "group_by=parish&state=01&category=water,roads",
        "group_by=municipality&bbox=-66.9,10.47,-66.5,10.52&status=done",
    ] {
        let json_body = statistics(&app, query).await;
        let columns = json_body["columns"].as_array().unwrap();
        let (content_type, text) = csv(&app, &format!("{query}&f=csv"), None).await;
        assert!(content_type.starts_with("text/csv"), "{content_type}");

        let records = parse_csv(&text);
        let header: Vec<String> = columns
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(records[0], header, "{query}");
        let rows = json_body["rows"].as_array().unwrap();
        assert_eq!(records.len(), rows.len() + 1, "{query}");
        for (record, row) in records[1..].iter().zip(rows) {
            assert_eq!(record, &as_fields(row, columns), "{query}");
        }
    }
}

#[tokio::test]
async fn accept_text_csv_selects_csv_unless_f_asks_for_json() {
    let (app, _) = spawn_dataset_app().await;
    let (_, by_parameter) = csv(&app, "group_by=parish&f=csv", None).await;
    let (content_type, by_header) = csv(&app, "group_by=parish", Some("text/csv")).await;
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    assert_eq!(by_header, by_parameter);
    let (content_type, _) = csv(&app, "group_by=parish", Some("text/html;q=0.9, text/csv")).await;
    assert!(content_type.starts_with("text/csv"), "{content_type}");

    let (content_type, text) = csv(&app, "group_by=parish&f=json", Some("text/csv")).await;
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["group_by"], "parish");
    let (content_type, _) = csv(&app, "group_by=parish", None).await;
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
}

#[tokio::test]
async fn territory_names_with_commas_and_quotes_are_quoted_in_csv() {
    let (app, _) = spawn_dataset_app().await;

    let (_, text) = csv(&app, "group_by=parish&f=csv", None).await;

    assert!(text.contains("\"Sucre, Antímano\""), "{text}");
    assert!(text.contains("\"El \"\"Rosal\"\"\""), "{text}");
    let records = parse_csv(&text);
    let names: BTreeMap<&str, &str> = records[1..]
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    assert_eq!(names["010102"], "Sucre, Antímano");
    assert_eq!(names["010201"], "El \"Rosal\"");
    assert!(records.iter().all(|r| r.len() == records[0].len()));
}

// ---------------------------------------------------------------- refused requests

#[tokio::test]
async fn bad_statistics_parameters_are_refused_naming_them() {
    let (app, _) = spawn_dataset_app().await;
    let cases = [
        ("group_by=country", "group_by"),
        ("group_by=", "group_by"),
        ("group_by=parish&group_by=state", "group_by"),
        ("f=xml", "f"),
        ("f=geojson&group_by=x", "group_by"),
        ("limit=10", "limit"),
        ("offset=10", "offset"),
        ("colour=red", "colour"),
        ("state=03", "state"),
        ("parish=0101", "parish"),
        ("category=magic", "category"),
        ("status=lost", "status"),
        ("council=CC-99", "council"),
        ("bbox=1,2,3", "bbox"),
        ("datetime=yesterday", "datetime"),
        ("placement=nowhere", "placement"),
    ];
    for (query, parameter) in cases {
        let r = app.get(&format!("/statistics?{query}")).await;
        assert_problem(r, StatusCode::BAD_REQUEST, ("parameter", parameter)).await;
    }
    let r = app
        .client
        .get(app.url("/statistics?f=xml"))
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_problem(r, StatusCode::BAD_REQUEST, ("parameter", "f")).await;
}
