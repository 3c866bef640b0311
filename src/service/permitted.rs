//! What a caller may do to the priorities collection or one priority, as
//! the write path would decide it: what `OPTIONS` answers in `Allow`, so a
//! client (QGIS) offers only the edits that will be accepted.

use uuid::Uuid;

use super::{Service, subject};
use crate::domain::auth::Principal;

/// The writes a caller may make.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Permitted {
    /// Create (POST to the collection).
    pub create: bool,
    /// Replace or patch (PUT, PATCH).
    pub edit: bool,
    /// Delete.
    pub delete: bool,
}

impl Service {
    /// What `who` may do to the collection (`id` none) or to priority `id`
    /// (`Some(None)`: an id that names no priority).
    /// Anonymous callers may only read. Creating is decided for a proposal
    /// of the caller's own council (the write names the council).
    pub fn permitted(&self, who: Option<&Principal>, id: Option<Option<Uuid>>) -> Permitted {
        use crate::domain::auth::Role;
        let Some(who) = who else {
            return Permitted::default();
        };
        match id {
            None => Permitted {
                create: matches!(who.role, Role::Admin | Role::Spokesperson(_)),
                ..Permitted::default()
            },
            Some(id) => {
                let index = self.index().read();
                let Some(entry) = id.and_then(|id| index.priorities.get(&id)) else {
                    // No such priority (QGIS asks about `unknown_id` when its
                    // layer is empty): what the role allows on some priority.
                    return Permitted {
                        create: false,
                        edit: !matches!(who.role, Role::Planner),
                        delete: matches!(who.role, Role::Admin | Role::Spokesperson(_)),
                    };
                };
                Permitted {
                    create: false,
                    // An edit that keeps the council and status: the least
                    // any edit needs.
                    edit: who.role.may_edit(subject(entry), subject(entry)).is_ok(),
                    delete: who.role.may_delete(subject(entry)).is_ok(),
                }
            }
        }
    }
}
