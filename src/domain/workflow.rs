//! The review workflow of a priority and the action plan an approved
//! priority carries (the Agenda Concreta de Acción's planning fields).

use chrono::NaiveDate;
use serde_json::Value;

use super::FieldError;
use super::time::parse_calendar_date;
use super::wire::{Object, from_json, trimmed};

string_enum! {
    /// Where a priority stands in its review.
    Status {
        /// Raised by its council, waiting for review.
        Proposed = "proposed",
        /// Approved, with an action plan.
        Approved = "approved",
        /// Being carried out.
        InProgress = "in_progress",
        /// Carried out.
        Done = "done",
        /// Turned down.
        Rejected = "rejected",
        /// Closed as the duplicate of another priority (its `duplicate_of`).
        Duplicate = "duplicate",
    }
}

/// The statuses a priority may move to from `from`.
///
/// proposed → approved | rejected | duplicate; approved → in_progress |
/// rejected | duplicate; in_progress → done; a rejected, done or duplicate
/// priority can be reopened to proposed.
pub fn allowed_moves(from: Status) -> &'static [Status] {
    match from {
        Status::Proposed => &[Status::Approved, Status::Rejected, Status::Duplicate],
        Status::Approved => &[Status::InProgress, Status::Rejected, Status::Duplicate],
        Status::InProgress => &[Status::Done],
        Status::Rejected | Status::Done | Status::Duplicate => &[Status::Proposed],
    }
}

/// Whether a priority in `status` is still on its council's agenda.
pub fn is_open(status: Status) -> bool {
    matches!(
        status,
        Status::Proposed | Status::Approved | Status::InProgress
    )
}

/// Who carries a priority out.
pub const RESPONSIBLE_KINDS: [&str; 5] = [
    "ministry",
    "governorship",
    "mayoralty",
    "commune",
    "council",
];

/// The plan of an approved priority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// What the work is to achieve.
    pub objective: String,
    /// The goal (*meta*), e.g. "300 m of pipe replaced".
    pub goal: String,
    /// One of [`RESPONSIBLE_KINDS`].
    pub responsible_kind: String,
    /// The responsible entity's name.
    pub responsible_name: String,
    /// What it needs: materials, labour, funds.
    pub resources: String,
    /// When the work starts.
    pub start_date: NaiveDate,
    /// When it is to be done; past it, an open priority is overdue.
    pub target_date: NaiveDate,
}

impl Plan {
    /// A plan with empty texts, starting and due on `day`: what unit tests
    /// of dates and statuses need.
    #[cfg(test)]
    pub(crate) fn due(day: NaiveDate) -> Plan {
        Plan {
            objective: String::new(),
            goal: String::new(),
            responsible_kind: "council".into(),
            responsible_name: String::new(),
            resources: String::new(),
            start_date: day,
            target_date: day,
        }
    }
}

const MAX_PLAN_TEXT: usize = 2_000;

/// A plan's text member: trimmed, 1 to 2,000 characters.
#[derive(Debug, serde::Deserialize)]
#[serde(try_from = "String")]
struct PlanText(String);

impl TryFrom<String> for PlanText {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let s = trimmed(s);
        if !s.is_empty() && s.chars().count() <= MAX_PLAN_TEXT {
            Ok(PlanText(s))
        } else {
            Err(text_required())
        }
    }
}

fn text_required() -> String {
    format!("required: text of 1 to {MAX_PLAN_TEXT} characters")
}

/// A plan's date member: `YYYY-MM-DD`.
#[derive(Debug, serde::Deserialize)]
#[serde(try_from = "String")]
struct PlanDate(NaiveDate);

impl TryFrom<String> for PlanDate {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        parse_calendar_date(&s)
            .map(PlanDate)
            .ok_or_else(|| format!("{s:?} is not a date YYYY-MM-DD"))
    }
}

/// Who carries the plan out, as sent: one of [`RESPONSIBLE_KINDS`].
#[derive(Debug, serde::Deserialize)]
#[serde(try_from = "String")]
struct ResponsibleKind(String);

impl TryFrom<String> for ResponsibleKind {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let PlanText(kind) = PlanText::try_from(s)?;
        if RESPONSIBLE_KINDS.contains(&kind.as_str()) {
            Ok(ResponsibleKind(kind))
        } else {
            Err(format!(
                "unknown kind {kind:?}; expected one of {}",
                RESPONSIBLE_KINDS.join(", ")
            ))
        }
    }
}

/// A plan as sent (`{"objective", "goal", "responsible": {"kind",
/// "name"}, "resources", "start_date", "target_date"}`). Members are
/// optional here so that a missing one is reported with the domain's own
/// message, in a fixed order, by [`PlanInput::into_plan`].
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    objective: Option<PlanText>,
    goal: Option<PlanText>,
    responsible: Option<Object<ResponsibleInput>>,
    resources: Option<PlanText>,
    start_date: Option<PlanDate>,
    target_date: Option<PlanDate>,
}

/// `responsible`: other members are ignored, as they always were.
#[derive(Debug, serde::Deserialize)]
struct ResponsibleInput {
    kind: Option<ResponsibleKind>,
    name: Option<PlanText>,
}

impl PlanInput {
    /// The plan, found at `pointer` in its document: every member is
    /// required, and the target date is not before the start date.
    pub fn into_plan(self, pointer: &str) -> Result<Plan, FieldError> {
        // Pointers are written only for an error: start-up reads every
        // stored plan through here.
        let missing = |at: &str, detail: String| FieldError::new(format!("{pointer}/{at}"), detail);
        let text = |v: Option<PlanText>, at: &str| {
            v.map(|t| t.0).ok_or_else(|| missing(at, text_required()))
        };
        let date = |v: Option<PlanDate>, at: &str| {
            v.map(|d| d.0)
                .ok_or_else(|| missing(at, "required: a date YYYY-MM-DD".into()))
        };
        let Object(responsible) = self.responsible.ok_or_else(|| {
            missing(
                "responsible",
                "required: {\"kind\": ..., \"name\": ...}".into(),
            )
        })?;
        let kind = responsible
            .kind
            .ok_or_else(|| missing("responsible/kind", text_required()))?;
        let plan = Plan {
            objective: text(self.objective, "objective")?,
            goal: text(self.goal, "goal")?,
            responsible_kind: kind.0,
            responsible_name: text(responsible.name, "responsible/name")?,
            resources: text(self.resources, "resources")?,
            start_date: date(self.start_date, "start_date")?,
            target_date: date(self.target_date, "target_date")?,
        };
        if plan.target_date < plan.start_date {
            return Err(FieldError::new(
                format!("{pointer}/target_date"),
                "the target date is before the start date",
            ));
        }
        Ok(plan)
    }
}

impl Plan {
    /// Reads a plan object found at `pointer`; every member is required.
    pub fn from_json(value: &Value, pointer: &str) -> Result<Plan, FieldError> {
        let Object(input): Object<PlanInput> = from_json(value, pointer).map_err(|e| {
            if e.pointer == pointer {
                FieldError::new(pointer, "the plan must be an object")
            } else {
                e
            }
        })?;
        input.into_plan(pointer)
    }

    /// The plan as the API writes it.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The plan's JSON text, as stored.
    pub fn to_text(&self) -> String {
        // Strings and dates cannot fail to serialize.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The plan's JSON: members in this order, dates as `YYYY-MM-DD`. Written
/// straight into Feature texts, and through [`Plan::to_json`] elsewhere.
impl serde::Serialize for Plan {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(serde::Serialize)]
        struct Responsible<'a> {
            kind: &'a str,
            name: &'a str,
        }
        #[derive(serde::Serialize)]
        struct Members<'a> {
            objective: &'a str,
            goal: &'a str,
            responsible: Responsible<'a>,
            resources: &'a str,
            // chrono writes a date as `YYYY-MM-DD`.
            start_date: NaiveDate,
            target_date: NaiveDate,
        }
        Members {
            objective: &self.objective,
            goal: &self.goal,
            responsible: Responsible {
                kind: &self.responsible_kind,
                name: &self.responsible_name,
            },
            resources: &self.resources,
            start_date: self.start_date,
            target_date: self.target_date,
        }
        .serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plan() -> Value {
        json!({"objective": "Agua", "goal": "300 m de tubería", "responsible": {"kind": "mayoralty", "name": "Alcaldía de Libertador"},
               "resources": "Tubería PEAD", "start_date": "2026-01-10", "target_date": "2026-06-30"})
    }

    #[test]
    fn a_complete_plan_round_trips() {
        let p = Plan::from_json(&plan(), "/plan").unwrap();
        assert_eq!(p.to_json(), plan());
        // Members in the order they are documented, as written into Features.
        assert_eq!(p.to_text(), plan().to_string());
    }

    #[test]
    fn each_missing_or_bad_member_is_named() {
        for (member, value, pointer) in [
            ("objective", Value::Null, "/plan/objective"),
            ("goal", json!(""), "/plan/goal"),
            (
                "responsible",
                json!({"kind": "king", "name": "x"}),
                "/plan/responsible/kind",
            ),
            ("start_date", json!("2026-13-01"), "/plan/start_date"),
            ("target_date", json!("2025-01-01"), "/plan/target_date"),
            ("colour", json!("red"), "/plan/colour"),
        ] {
            let mut p = plan();
            if value.is_null() {
                p.as_object_mut().unwrap().remove(member);
            } else {
                p[member] = value;
            }
            assert_eq!(
                Plan::from_json(&p, "/plan").unwrap_err().pointer,
                pointer,
                "{member}"
            );
        }
    }

    #[test]
    fn the_workflow_allows_only_its_moves() {
        use Status::*;
        for from in Status::ALL {
            for to in Status::ALL {
                let allowed = matches!(
                    (from, to),
                    (Proposed, Approved)
                        | (Proposed, Rejected)
                        | (Approved, InProgress)
                        | (Approved, Rejected)
                        | (Proposed, Duplicate)
                        | (Approved, Duplicate)
                        | (InProgress, Done)
                        | (Rejected, Proposed)
                        | (Done, Proposed)
                        | (Duplicate, Proposed)
                );
                assert_eq!(allowed_moves(*from).contains(to), allowed, "{from} → {to}");
            }
        }
    }
}
