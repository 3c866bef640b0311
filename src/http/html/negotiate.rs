//! Whether a request asks for HTML: `f=html`, or no `f` and an `Accept`
//! header that prefers HTML to JSON.

use axum::http::{HeaderMap, header};

/// `Some((true, rest))` when the request asks for HTML, `rest` being its
/// query without `f=html`; `None` otherwise (including an `f` given twice,
/// which the endpoint's parameter check refuses).
pub fn wants_html(query: Option<&str>, headers: &HeaderMap) -> Option<(bool, Option<String>)> {
    let query = query.unwrap_or("");
    let mut formats = query
        .split('&')
        .filter(|pair| pair.split_once('=').map_or(*pair, |(name, _)| name).eq("f"));
    match (formats.next(), formats.next()) {
        (Some("f=html"), None) => {
            let rest: Vec<&str> = query.split('&').filter(|p| *p != "f=html").collect();
            Some((true, Some(rest.join("&"))))
        }
        (Some(_), _) => None,
        (None, _) => {
            let accept = headers.get(header::ACCEPT)?.to_str().ok()?;
            prefers_html(accept).then(|| (true, Some(query.to_owned())))
        }
    }
}

/// Whether an `Accept` header names HTML with a higher q-value than any
/// JSON type it names. Wildcards count for neither, so `*/*` (curl) and
/// an absent header keep JSON; a browser's
/// `text/html,application/xhtml+xml,…,*/*;q=0.8` gets HTML.
pub fn prefers_html(accept: &str) -> bool {
    if !accept.contains("html") {
        return false;
    }
    let (mut html, mut json) = (0.0_f32, 0.0_f32);
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|v| v.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        match media.as_str() {
            "text/html" | "application/xhtml+xml" => html = html.max(q),
            "application/json" | "application/geo+json" => json = json.max(q),
            _ => {}
        }
    }
    html > 0.0 && html > json
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn browsers_get_html_and_api_clients_json() {
        let chrome = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8";
        assert!(prefers_html(chrome));
        assert!(!prefers_html("*/*"));
        assert!(!prefers_html("application/json"));
        assert!(!prefers_html("application/geo+json, text/html;q=0.5"));
        assert!(!prefers_html("text/html, application/json"));
        assert!(prefers_html("application/json;q=0.5, text/html"));
        assert!(!prefers_html("text/html;q=0"));
    }

    #[test]
    fn f_decides_before_accept_and_html_is_taken_out_of_the_query() {
        let none = HeaderMap::new();
        assert_eq!(
            wants_html(Some("limit=2&f=html&offset=4"), &none),
            Some((true, Some("limit=2&offset=4".into())))
        );
        assert_eq!(wants_html(Some("f=json"), &accept("text/html")), None);
        assert_eq!(wants_html(Some("f=html&f=html"), &none), None);
        assert_eq!(wants_html(Some("limit=2"), &none), None);
        assert_eq!(
            wants_html(Some("limit=2"), &accept("text/html")),
            Some((true, Some("limit=2".into())))
        );
        assert_eq!(wants_html(None, &accept("*/*")), None);
    }
}
