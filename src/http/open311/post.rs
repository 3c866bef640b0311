//! `POST requests`: a new service request, created as a proposed priority
//! by the caller whose token is the `api_key` (a spokesperson, for its own
//! council), through the same checks as `POST /collections/priorities/items`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde::Serialize;
use serde_json::json;

use super::super::AppState;
use super::super::extract::{NoParams, Query};
use super::super::problem::ApiError;
use super::{Format, respond};
use crate::domain::BodyError;
use crate::domain::auth::Role;
use crate::domain::priority::{Category, MAX_TITLE_CHARS, PriorityDraft};

/// The form fields a request may carry; those after `attribute[families]`
/// are GeoReport's and accepted but not kept (no personal data is stored).
pub const POST_FIELDS: [&str; 17] = [
    "api_key",
    "service_code",
    "lat",
    "long",
    "description",
    "attribute[council]",
    "attribute[families]",
    "jurisdiction_id",
    "address_string",
    "address_id",
    "email",
    "device_id",
    "account_id",
    "first_name",
    "last_name",
    "phone",
    "media_url",
];

const FORM: &str = "application/x-www-form-urlencoded";

/// The answer to a created request.
#[derive(Debug, Serialize)]
struct Created {
    service_request_id: String,
    service_notice: &'static str,
    account_id: Option<String>,
}

/// The form's fields, each at most once and each one of [`POST_FIELDS`].
fn fields(body: &[u8]) -> Result<Vec<(String, String)>, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|e| ApiError::parameter("", format!("the form cannot be decoded: {e}")))?;
    for (i, (name, _)) in pairs.iter().enumerate() {
        if !POST_FIELDS.contains(&name.as_str()) {
            return Err(ApiError::unknown_parameter(name, &POST_FIELDS));
        }
        if pairs[..i].iter().any(|(n, _)| n == name) {
            return Err(ApiError::parameter(
                name,
                format!("{name} is given more than once"),
            ));
        }
    }
    Ok(pairs)
}

/// The member of the form a draft's JSON pointer stands for.
fn field_of(pointer: &str) -> &'static str {
    match pointer.rsplit('/').next().unwrap_or("") {
        "council" => "attribute[council]",
        "families" => "attribute[families]",
        "category" => "service_code",
        "title" | "description" => "description",
        _ => "lat",
    }
}

/// `POST requests.{json,xml}`.
pub async fn create<const JSON: bool>(
    State(state): State<AppState>,
    _: Query<NoParams>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if media.split(';').next().map(str::trim) != Some(FORM) {
        return Err(ApiError::unsupported_media_type(media, &[FORM]));
    }
    if body.len() > state.config.max_body_bytes {
        return Err(ApiError::too_large(state.config.max_body_bytes));
    }
    let form = fields(&body)?;
    let get = |name: &str| {
        form.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let secret = get("api_key")
        .ok_or_else(|| ApiError::unauthorized("api_key is required: a spokesperson's token"))?;
    let who = state
        .service
        .authenticate(secret)
        .await?
        .ok_or_else(|| ApiError::unauthorized("api_key is not a valid token"))?;
    let required = |name: &'static str| {
        get(name)
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| ApiError::parameter(name, format!("{name} is required")))
    };
    let category: Category = required("service_code")?
        .parse()
        .map_err(|e: String| ApiError::parameter("service_code", e))?;
    let number = |name: &'static str| -> Result<f64, ApiError> {
        let text = get(name).ok_or_else(|| {
            ApiError::parameter(
                name,
                "lat and long are required: addresses are not geocoded here",
            )
        })?;
        text.trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .ok_or_else(|| {
                ApiError::parameter(name, format!("{name} must be a number; got {text:?}"))
            })
    };
    let (lat, long) = (number("lat")?, number("long")?);
    let council = match (get("attribute[council]"), &who.role) {
        (Some(c), _) => c.to_owned(),
        (None, Role::Spokesperson(c)) => c.to_string(),
        (None, _) => {
            return Err(ApiError::parameter(
                "attribute[council]",
                "attribute[council] is required unless the api_key is a spokesperson's",
            ));
        }
    };
    let text = required("description")?.trim();
    let title: String = text
        .lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(MAX_TITLE_CHARS)
        .collect();
    let mut properties = json!({"council": council, "title": title, "category": category.as_str()});
    if text != title {
        properties["description"] = json!(text);
    }
    if let Some(f) = get("attribute[families]") {
        let families: u64 = f.trim().parse().map_err(|_| {
            ApiError::parameter(
                "attribute[families]",
                format!("attribute[families] is a whole number; got {f:?}"),
            )
        })?;
        properties["families"] = json!(families);
    }
    let feature = json!({
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [long, lat]},
        "properties": properties,
    });
    let draft = PriorityDraft::from_feature(&feature, "").map_err(|e| match e {
        BodyError::Invalid(f) => ApiError::parameter(field_of(&f.pointer), f.detail),
        BodyError::WrongShape { pointer, detail } => {
            ApiError::parameter(field_of(&pointer), detail)
        }
    })?;
    let written = state.service.create_priority(&who, draft).await?;
    let created = Created {
        service_request_id: written.id.to_string(),
        service_notice: "Registrada como prioridad propuesta; la revisará el gabinete de su territorio.",
        account_id: None,
    };
    let format = if JSON { Format::Json } else { Format::Xml };
    Ok(respond(
        StatusCode::CREATED,
        format,
        "service_requests",
        "request",
        &[created],
    ))
}
