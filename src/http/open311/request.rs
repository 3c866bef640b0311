//! A priority as an Open311 GeoReport v2 service request, and the
//! categories as its services.

use serde::Serialize;
use serde_json::Value;

use crate::domain::geometry::representative_point;
use crate::domain::priority::{Category, Status};
use crate::index::Index;
use crate::index::priorities::Entry;

/// A category's name, in Spanish, as a service's `service_name`.
pub fn service_name(c: Category) -> &'static str {
    match c {
        Category::Water => "Agua",
        Category::Electricity => "Electricidad",
        Category::Roads => "Vialidad",
        Category::Health => "Salud",
        Category::Education => "Educación",
        Category::Security => "Seguridad",
        Category::Housing => "Vivienda",
        Category::Environment => "Ambiente",
        Category::Gas => "Gas",
        Category::Transport => "Transporte",
        Category::Telecom => "Telecomunicaciones",
        Category::Food => "Alimentación",
        Category::CultureSport => "Cultura y deporte",
        Category::Other => "Otros",
    }
}

/// Open311's two statuses: a priority is `open` until it is done or
/// rejected.
pub fn open311_status(s: Status) -> &'static str {
    match s {
        Status::Done | Status::Rejected | Status::Duplicate => "closed",
        _ => "open",
    }
}

/// One service (a category), as `GET services` lists it.
#[derive(Debug, Serialize)]
pub struct Service {
    pub service_code: &'static str,
    pub service_name: &'static str,
    pub description: String,
    /// Whether `GET services/{code}` has attributes: the council a request
    /// is for, and the families it benefits.
    pub metadata: bool,
    /// Requests are answered by people, not at once.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub keywords: &'static str,
    pub group: &'static str,
}

/// Every category as a service.
pub fn services() -> Vec<Service> {
    Category::ALL
        .iter()
        .map(|c| Service {
            service_code: c.as_str(),
            service_name: service_name(*c),
            description: format!(
                "Prioridades de la categoría {} en las Agendas Concretas de Acción de los consejos comunales",
                service_name(*c).to_lowercase()
            ),
            metadata: true,
            kind: "batch",
            keywords: c.as_str(),
            group: "prioridades",
        })
        .collect()
}

/// One service request, with the members GeoReport v2 defines (absent
/// values are `null` in JSON, empty elements in XML).
#[derive(Debug, Serialize)]
pub struct ServiceRequest {
    pub service_request_id: String,
    pub status: &'static str,
    /// The workflow status it stands at, the last note's place in Open311.
    pub status_notes: String,
    pub service_name: &'static str,
    pub service_code: &'static str,
    pub description: String,
    pub agency_responsible: Option<String>,
    pub service_notice: Option<String>,
    pub requested_datetime: String,
    pub updated_datetime: String,
    pub expected_datetime: Option<String>,
    pub address: String,
    pub address_id: Option<String>,
    pub zipcode: Option<String>,
    pub lat: f64,
    pub long: f64,
    pub media_url: Option<String>,
}

/// The request a priority is: its title and description as the
/// description, its parish and municipality as the address, its plan's
/// responsible and target date as the agency and expected time.
pub fn service_request(index: &Index, entry: &Entry) -> ServiceRequest {
    let feature: Value = serde_json::from_str(&entry.feature).unwrap_or_default();
    let props = &feature["properties"];
    let text = |v: &Value| v.as_str().map(str::to_owned);
    let title = text(&props["title"]).unwrap_or_default();
    let description = match text(&props["description"]) {
        Some(d) if !d.is_empty() => format!("{title}\n\n{d}"),
        _ => title,
    };
    let name = |code: Option<crate::domain::codes::TerritoryCode>| {
        code.and_then(|c| index.catalog.territory(c))
            .map(|t| t.name.clone())
    };
    let address = [
        name(Some(entry.parish)),
        name(
            entry
                .parish
                .at_level(crate::domain::codes::Level::Municipality),
        ),
        name(entry.parish.at_level(crate::domain::codes::Level::State)),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    let point = representative_point(&entry.geometry);
    let created = text(&props["created_at"]).unwrap_or_default();
    ServiceRequest {
        service_request_id: entry.id.to_string(),
        status: open311_status(entry.status),
        status_notes: entry.status.as_str().to_owned(),
        service_name: service_name(entry.category),
        service_code: entry.category.as_str(),
        description,
        agency_responsible: text(&props["plan"]["responsible"]),
        service_notice: None,
        updated_datetime: text(&props["updated_at"]).unwrap_or_else(|| created.clone()),
        requested_datetime: created,
        expected_datetime: entry.target_date.map(|d| format!("{d}T00:00:00Z")),
        address,
        address_id: Some(entry.parish.to_string()),
        zipcode: None,
        lat: point.y(),
        long: point.x(),
        media_url: None,
    }
}
