//! The JSON request bodies that are not Features, as serde types: a
//! transition, a note, a token request and an agenda's order. A member of
//! the wrong type, an unknown one or one the domain refuses is a 422 naming
//! it by JSON pointer (`/status`, `/plan/responsible/kind`, `/order/3`);
//! a missing one is reported by the domain's own rule.

use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::extract::FromBody;
use super::problem::ApiError;
use crate::domain::FieldError;
use crate::domain::priority::Status;
use crate::domain::wire::{Object, from_json, trimmed};
use crate::domain::workflow::{Plan, PlanInput};

/// `document` as a `T`: a failure of a member is a 422 at its pointer, one
/// of the document as a whole (not an object) `whole`'s answer.
/// A body read into `T`; a failure of the whole document (not a member)
/// is `whole()`.
pub(super) fn typed_body<T: serde::de::DeserializeOwned>(
    document: &Value,
    whole: impl FnOnce() -> ApiError,
) -> Result<T, ApiError> {
    typed(document, |_| whole())
}

fn typed<T: serde::de::DeserializeOwned>(
    document: &Value,
    whole: impl FnOnce(FieldError) -> ApiError,
) -> Result<T, ApiError> {
    from_json(document, "").map_err(|e| {
        if e.pointer.is_empty() {
            whole(e)
        } else {
            ApiError::invalid_field(e)
        }
    })
}

/// Longest note, in characters.
const MAX_NOTE_CHARS: usize = 2_000;

/// A note recorded in a priority's history: 1 to 2,000 characters, trimmed.
#[derive(Debug, Deserialize)]
#[serde(try_from = "String")]
pub struct Note(pub String);

impl TryFrom<String> for Note {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let chars = s.chars().count();
        let s = trimmed(s);
        if !s.is_empty() && chars <= MAX_NOTE_CHARS {
            Ok(Note(s))
        } else {
            Err(format!(
                "a note is text of 1 to {MAX_NOTE_CHARS} characters"
            ))
        }
    }
}

/// `POST .../transitions`: `{"status": ..., "note": ..., "plan": {...},
/// "duplicate_of": ...}`.
pub struct Transition {
    pub to: Status,
    pub note: Option<String>,
    pub plan: Option<Plan>,
    pub duplicate_of: Option<Uuid>,
}

impl FromBody for Transition {
    fn from_body(document: Value) -> Result<Self, ApiError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Wire {
            status: Option<Status>,
            note: Option<Note>,
            plan: Option<Object<PlanInput>>,
            duplicate_of: Option<AgendaId>,
        }
        let wire: Wire = typed(&document, |_| {
            ApiError::wrong_document(
                "",
                "a transition is a JSON object {\"status\": ..., \"note\": ..., \"plan\": ..., \"duplicate_of\": ...}",
            )
        })?;
        let to = wire.status.ok_or_else(|| {
            ApiError::invalid_field(FieldError::new(
                "/status",
                "required: the status to move to",
            ))
        })?;
        let plan = match wire.plan {
            Some(Object(p)) => Some(p.into_plan("/plan").map_err(ApiError::invalid_field)?),
            None => None,
        };
        Ok(Transition {
            to,
            note: wire.note.map(|n| n.0),
            plan,
            duplicate_of: wire.duplicate_of.map(|AgendaId(id)| id),
        })
    }
}

/// `POST .../notes`: `{"note": ...}`.
pub struct NoteRequest(pub String);

impl FromBody for NoteRequest {
    fn from_body(document: Value) -> Result<Self, ApiError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Wire {
            note: Option<Note>,
        }
        let required = || ApiError::invalid_field(FieldError::new("/note", "required"));
        let wire: Wire = typed(&document, |_| required())?;
        wire.note.map(|n| NoteRequest(n.0)).ok_or_else(required)
    }
}

/// `POST /tokens`: `{"role": ..., "scope": ..., "label": ...}`, the role
/// and scope as sent (the domain parses the pair).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub role: Option<String>,
    pub scope: Option<String>,
    pub label: Option<String>,
}

/// What a token request without a role is told.
pub const ROLE_REQUIRED: &str = "required: spokesperson, cabinet, planner or admin";

impl FromBody for TokenRequest {
    fn from_body(document: Value) -> Result<Self, ApiError> {
        typed(&document, |_| {
            ApiError::invalid_field(FieldError::new("/role", ROLE_REQUIRED))
        })
    }
}

/// A priority's id, in an agenda's order or as a transition's
/// `duplicate_of`.
#[derive(Deserialize)]
#[serde(try_from = "String")]
struct AgendaId(Uuid);

impl TryFrom<String> for AgendaId {
    type Error = &'static str;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Uuid::parse_str(&s)
            .map(AgendaId)
            .map_err(|_| "must be a priority id (UUID)")
    }
}

/// `PUT .../agenda`: `{"order": [id, ...]}`, first rank first. Other
/// members are ignored, as they always were.
pub struct AgendaOrder(pub Vec<Uuid>);

impl FromBody for AgendaOrder {
    fn from_body(document: Value) -> Result<Self, ApiError> {
        #[derive(Deserialize)]
        struct Wire {
            order: Option<Vec<AgendaId>>,
        }
        let required = || {
            ApiError::invalid_field(FieldError::new(
                "/order",
                "required: the ids of the agenda, first rank first",
            ))
        };
        let wire: Wire = typed(&document, |_| required())?;
        let order = wire.order.ok_or_else(required)?;
        Ok(AgendaOrder(
            order.into_iter().map(|AgendaId(id)| id).collect(),
        ))
    }
}
