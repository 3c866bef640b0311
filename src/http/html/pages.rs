//! The pages, written with maud, which escapes every text and attribute
//! value: titles, descriptions and notes written by the public are shown
//! as text, never as markup.

use maud::{DOCTYPE, Markup, html};
use serde_json::Value;

/// A value as the text of a table cell: strings as they are, `null` as a
/// dash, anything else as compact JSON.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "—".into(),
        other => other.to_string(),
    }
}

fn str_of<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key].as_str().unwrap_or("")
}

/// A link's target as a page: `f=html` added.
fn as_page(href: &str) -> String {
    with_format(href, "html")
}

/// A link's target with `f=<format>` added (its links carry no `f`).
fn with_format(href: &str, format: &str) -> String {
    let separator = if href.contains('?') { '&' } else { '?' };
    format!("{href}{separator}f={format}")
}

/// The frame of every page.
fn page(title: &str, json_href: Option<&str>, map: bool, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="es" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · prioridades" }
                @if map {
                    link rel="stylesheet" href="/assets/maplibre/maplibre-gl.css";
                    script type="module" src="/assets/views.js" {}
                }
                link rel="stylesheet" href="/assets/views.css";
            }
            body {
                header {
                    nav aria-label="API" {
                        a href="/?f=html" { "prioridades" }
                        a href="/collections?f=html" { "Colecciones" }
                        a href="/map" { "Mapa" }
                        @if let Some(href) = json_href { a href=(href) type="application/json" { "JSON" } }
                    }
                }
                main { h1 { (title) } (body) }
            }
        }
    }
}

fn links(document: &Value) -> Markup {
    html! {
        ul {
            @for link in document["links"].as_array().into_iter().flatten() {
                li {
                    a href=(str_of(link, "href")) { (str_of(link, "title")) }
                    " (" (str_of(link, "rel")) ", " (str_of(link, "type")) ")"
                }
            }
        }
    }
}

/// The landing page.
pub fn landing(document: &Value) -> Markup {
    let body = html! {
        p { (str_of(document, "description")) }
        p { a href="/map" { "Abrir el mapa de prioridades" } " · " a href="/collections?f=html" { "Colecciones" } }
        h2 { "Enlaces" }
        (links(document))
    };
    page(str_of(document, "title"), Some("/?f=json"), false, body)
}

/// The conformance classes.
pub fn conformance(document: &Value) -> Markup {
    let body = html! {
        ul {
            @for class in document["conformsTo"].as_array().into_iter().flatten() {
                li { code { (text(class)) } }
            }
        }
    };
    page("Conformance", Some("/conformance?f=json"), false, body)
}

/// The list of collections.
pub fn collections(document: &Value) -> Markup {
    let body = html! {
        table {
            thead { tr { th { "id" } th { "Título" } th { "Descripción" } } }
            tbody {
                @for c in document["collections"].as_array().into_iter().flatten() {
                    tr {
                        td { a href=(format!("/collections/{}?f=html", str_of(c, "id"))) { (str_of(c, "id")) } }
                        td { (str_of(c, "title")) }
                        td { (str_of(c, "description")) }
                    }
                }
            }
        }
    };
    page("Colecciones", Some("/collections?f=json"), false, body)
}

/// One collection's description.
pub fn collection(document: &Value) -> Markup {
    let id = str_of(document, "id");
    let body = html! {
        p { (str_of(document, "description")) }
        @if id == "priorities" {
            p { a href="/collections/priorities/items?f=html" { "Ver las prioridades (tabla y mapa)" } }
        }
        h2 { "Extensión" }
        pre { (document["extent"].to_string()) }
        h2 { "Enlaces" }
        (links(document))
    };
    let json = format!("/collections/{id}?f=json");
    page(str_of(document, "title"), Some(&json), false, body)
}

/// A link of `document` with relation `rel`.
fn link_href<'a>(document: &'a Value, rel: &str) -> Option<&'a str> {
    document["links"]
        .as_array()?
        .iter()
        .find(|l| l["rel"] == rel)
        .and_then(|l| l["href"].as_str())
}

/// The columns of a table of priorities.
const COLUMNS: [&str; 7] = [
    "title",
    "category",
    "status",
    "council",
    "parish",
    "placement",
    "created_at",
];

/// A page of priorities: the map, the table and the paging links.
pub fn items(document: &Value) -> Markup {
    let features = document["features"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    let own = with_format(
        link_href(document, "self").unwrap_or("/collections/priorities/items"),
        "json",
    );
    let body = html! {
        p { (text(&document["numberMatched"])) " prioridades; " (features.len()) " en esta página." }
        div id="view-map" class="view-map" data-source=(own) role="region" aria-label="mapa" {}
        (paging(document, "páginas (arriba)"))
        table {
            thead { tr { th { "id" } @for c in COLUMNS { th { (c) } } } }
            tbody {
                @for f in features {
                    tr {
                        td { a href=(format!("/collections/priorities/items/{}?f=html", str_of(f, "id"))) { (str_of(f, "id")) } }
                        @for c in COLUMNS { td { (text(&f["properties"][c])) } }
                    }
                }
            }
        }
        (paging(document, "páginas (abajo)"))
    };
    page("Prioridades", Some(&own), true, body)
}

/// The paging links; each of the two has a label of its own (two
/// landmarks of one name are ambiguous to a screen reader).
fn paging(document: &Value, label: &str) -> Markup {
    html! {
        nav class="paging" aria-label=(label) {
            @if let Some(prev) = link_href(document, "prev") { a rel="prev" href=(as_page(prev)) { "← Anterior" } }
            @if let Some(next) = link_href(document, "next") { a rel="next" href=(as_page(next)) { "Siguiente →" } }
        }
    }
}

/// One priority: its map, its properties and its history.
pub fn item(document: &Value, history: &[Value]) -> Markup {
    let id = str_of(document, "id");
    let own = format!("/collections/priorities/items/{id}?f=json");
    let properties = document["properties"].as_object();
    let body = html! {
        p { (text(&document["properties"]["description"])) }
        div id="view-map" class="view-map" data-source=(own) role="region" aria-label="mapa" {}
        h2 { "Propiedades" }
        table {
            tbody {
                tr { th scope="row" { "id" } td { (id) } }
                @for (name, value) in properties.into_iter().flatten() {
                    tr { th scope="row" { (name) } td { (text(value)) } }
                }
            }
        }
        h2 { "Historial" }
        table {
            thead { tr { th { "at" } th { "actor" } th { "action" } th { "note" } th { "changes" } } }
            tbody {
                @for entry in history {
                    tr {
                        td { (text(&entry["at"])) }
                        td { (text(&entry["actor"])) }
                        td { (text(&entry["action"])) }
                        td { (text(&entry["note"])) }
                        td { (text(&entry["changes"])) }
                    }
                }
            }
        }
    };
    let title = document["properties"]["title"].as_str().unwrap_or(id);
    page(title, Some(&own), true, body)
}
