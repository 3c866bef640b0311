//! Who may do what: roles, their scopes, and bearer tokens.
//!
//! A token's secret is random; only its SHA-256 is stored, so a copy of the
//! database does not hand out working credentials.

use super::time::Micros;
use std::fmt;

use rand::Rng;
use sha2::{Digest, Sha256};

use super::codes::{CouncilCode, Level, TerritoryCode};

/// A role and the part of the country it acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// Speaks for one council: creates and edits its proposed priorities and
    /// orders its agenda.
    Spokesperson(CouncilCode),
    /// Installed for a territory: reviews, moves through the workflow,
    /// annotates and edits the priorities located there.
    Cabinet(TerritoryCode),
    /// Reads everything, writes nothing.
    Planner,
    /// Everything, including tokens, councils and territories.
    Admin,
}

impl Role {
    /// The role's name: `spokesperson`, `cabinet`, `planner` or `admin`.
    pub fn name(&self) -> &'static str {
        match self {
            Role::Spokesperson(_) => "spokesperson",
            Role::Cabinet(_) => "cabinet",
            Role::Planner => "planner",
            Role::Admin => "admin",
        }
    }

    /// The scope as text: a council code, a territory code, or none.
    pub fn scope(&self) -> Option<String> {
        match self {
            Role::Spokesperson(c) => Some(c.to_string()),
            Role::Cabinet(t) => Some(t.to_string()),
            Role::Planner | Role::Admin => None,
        }
    }

    /// Builds a role from its name and scope, checking the scope's form:
    /// a council code for spokespeople, a 2-, 4- or 6-digit territory code
    /// for cabinets, none for planners and admins.
    pub fn parse(name: &str, scope: Option<&str>) -> Result<Role, String> {
        match (name, scope) {
            ("spokesperson", Some(s)) => Ok(Role::Spokesperson(s.parse()?)),
            ("spokesperson", None) => Err("a spokesperson's scope is a council code".into()),
            ("cabinet", Some(s)) => {
                let level = Level::ALL
                    .into_iter()
                    .find(|l| l.digits() == s.len())
                    .ok_or_else(|| {
                        format!(
                            "a cabinet's scope is a state, municipality or parish code; got {s:?}"
                        )
                    })?;
                Ok(Role::Cabinet(TerritoryCode::parse(level, s)?))
            }
            ("cabinet", None) => {
                Err("a cabinet's scope is a state, municipality or parish code".into())
            }
            ("planner", None) => Ok(Role::Planner),
            ("admin", None) => Ok(Role::Admin),
            ("planner" | "admin", Some(_)) => Err(format!("a {name} has no scope")),
            (other, _) => Err(format!(
                "unknown role {other:?}; expected spokesperson, cabinet, planner or admin"
            )),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.scope() {
            Some(scope) => write!(f, "{}:{scope}", self.name()),
            None => f.write_str(self.name()),
        }
    }
}

/// An authenticated caller: the token's public id and its role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The public id of the caller's token.
    pub token_id: String,
    /// What the token allows, and where.
    pub role: Role,
}

impl Principal {
    /// How the caller is named in history: `admin:3fa9c2d1`, `cabinet:01:77aa0b12`.
    pub fn actor(&self) -> String {
        format!("{}:{}", self.role, self.token_id)
    }
}

/// Who asks the service for an administrative write: a caller holding a
/// token, whose role must allow it, or the command line, whose user can
/// open the store anyway and so may do everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor<'a> {
    /// `prioridades import`, `import-territories`, `token …`.
    CommandLine,
    /// A request with a valid bearer token.
    Caller(&'a Principal),
}

impl Actor<'_> {
    /// Whether this actor may administer (tokens, catalog, imports): the
    /// command line may; a caller needs the admin role.
    pub fn may_administer(&self) -> Result<(), String> {
        match self {
            Actor::CommandLine => Ok(()),
            Actor::Caller(p) => p.role.may_administer(),
        }
    }

    /// How the actor is named in history.
    pub fn name(&self) -> String {
        match self {
            Actor::CommandLine => "command-line".into(),
            Actor::Caller(p) => p.actor(),
        }
    }
}

/// A token as stored: never its secret.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredToken {
    /// The public id, the part of the secret before the dot.
    pub id: String,
    /// SHA-256 of the secret, hex.
    pub hash: String,
    /// What the token allows, and where.
    pub role: Role,
    /// A note on whom it is for.
    pub label: Option<String>,
    /// When it was created.
    pub created_at: Micros,
    /// When it was revoked; `None` while it is valid.
    pub revoked_at: Option<Micros>,
}

/// A new token: its public id and the secret handed to its holder once.
pub struct NewToken {
    /// The public id.
    pub id: String,
    /// The whole secret a bearer sends; only its hash is stored.
    pub secret: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Creates a token: an 8-hex-digit id and a secret `prio_<id>_<64 hex digits>`
/// from the operating system's random source.
pub fn new_token() -> NewToken {
    let mut rng = rand::rng();
    let mut id = [0u8; 4];
    let mut secret = [0u8; 32];
    rng.fill_bytes(&mut id);
    rng.fill_bytes(&mut secret);
    let id = hex(&id);
    NewToken {
        secret: format!("prio_{id}_{}", hex(&secret)),
        id,
    }
}

/// The SHA-256 of a secret, in hex: what the store keeps and looks up.
pub fn hash_secret(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_only_their_hash_is_kept() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a.secret, b.secret);
        assert!(a.secret.starts_with(&format!("prio_{}_", a.id)));
        assert_eq!(hash_secret(&a.secret).len(), 64);
        assert_ne!(hash_secret(&a.secret), hash_secret(&b.secret));
        assert!(!hash_secret(&a.secret).contains(&a.secret[14..]));
    }

    #[test]
    fn roles_check_their_scopes() {
        assert_eq!(Role::parse("admin", None).unwrap(), Role::Admin);
        assert!(Role::parse("admin", Some("01")).is_err());
        assert!(
            matches!(Role::parse("cabinet", Some("0101")).unwrap(), Role::Cabinet(t) if t.level() == Level::Municipality)
        );
        assert!(Role::parse("cabinet", Some("01010")).is_err());
        assert!(Role::parse("cabinet", None).is_err());
        assert!(Role::parse("spokesperson", Some("CC-1")).is_ok());
        assert!(Role::parse("spokesperson", Some("a b")).is_err());
        assert!(Role::parse("mayor", None).is_err());
        assert_eq!(
            Role::parse("cabinet", Some("01")).unwrap().to_string(),
            "cabinet:01"
        );
    }
}

/// Why an authenticated caller may not do something (403).
pub type Denied = String;

/// What a priority looks like to an authorization check: whose it is,
/// where it lies, and where it stands.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// The council whose priority it is.
    pub council: &'a CouncilCode,
    /// The parish it is placed in (by location, or its council's).
    pub parish: TerritoryCode,
    /// Where it stands in its review.
    pub status: super::priority::Status,
}

impl Role {
    fn covers(&self, parish: TerritoryCode) -> bool {
        matches!(self, Role::Cabinet(t) if parish.is_within(*t))
    }

    fn speaks_for(&self, council: &CouncilCode) -> bool {
        matches!(self, Role::Spokesperson(c) if c == council)
    }

    /// May create `new`: admins; a council's spokesperson, for that council,
    /// as a proposal.
    pub fn may_create(&self, new: Subject) -> Result<(), Denied> {
        use super::priority::Status;
        match self {
            Role::Admin => Ok(()),
            Role::Spokesperson(_)
                if self.speaks_for(new.council) && new.status == Status::Proposed =>
            {
                Ok(())
            }
            Role::Spokesperson(c) if self.speaks_for(new.council) => Err(format!(
                "a spokesperson of {c} creates priorities as proposed; a cabinet moves them on"
            )),
            Role::Spokesperson(c) => Err(format!(
                "a spokesperson of {c} cannot create priorities of council {}",
                new.council
            )),
            _ => Err(format!("a {} cannot create priorities", self.name())),
        }
    }

    /// May change `before` into `after` (PUT, PATCH): admins; the council's
    /// spokesperson while it is proposed; a cabinet whose territory holds it
    /// before and after.
    pub fn may_edit(&self, before: Subject, after: Subject) -> Result<(), Denied> {
        use super::priority::Status;
        match self {
            Role::Admin => Ok(()),
            Role::Spokesperson(c) => {
                if !self.speaks_for(before.council) || !self.speaks_for(after.council) {
                    Err(format!(
                        "a spokesperson of {c} edits only that council's priorities"
                    ))
                } else if before.status != Status::Proposed {
                    Err(format!(
                        "a spokesperson edits priorities while proposed; this one is {}",
                        before.status
                    ))
                } else {
                    Ok(())
                }
            }
            Role::Cabinet(t) => {
                if self.covers(before.parish) && self.covers(after.parish) {
                    Ok(())
                } else {
                    Err(format!(
                        "a cabinet of {t} acts only on priorities located in {t}"
                    ))
                }
            }
            Role::Planner => Err("a planner reads; it does not write".into()),
        }
    }

    /// May delete: admins; the council's spokesperson while it is proposed.
    pub fn may_delete(&self, subject: Subject) -> Result<(), Denied> {
        use super::priority::Status;
        match self {
            Role::Admin => Ok(()),
            Role::Spokesperson(_)
                if self.speaks_for(subject.council) && subject.status == Status::Proposed =>
            {
                Ok(())
            }
            Role::Spokesperson(c) => Err(format!(
                "a spokesperson of {c} withdraws only that council's priorities, while proposed"
            )),
            _ => Err(format!("a {} cannot delete priorities", self.name())),
        }
    }

    /// May move a priority through the workflow or annotate it: admins; a
    /// cabinet whose territory holds it.
    pub fn may_review(&self, subject: Subject) -> Result<(), Denied> {
        match self {
            Role::Admin => Ok(()),
            Role::Cabinet(t) if self.covers(subject.parish) => Ok(()),
            Role::Cabinet(t) => Err(format!(
                "a cabinet of {t} acts only on priorities located in {t}"
            )),
            _ => Err(format!(
                "only a cabinet reviews priorities, not a {}",
                self.name()
            )),
        }
    }

    /// May reorder a council's agenda: admins; that council's spokesperson.
    pub fn may_order_agenda(&self, council: &CouncilCode) -> Result<(), Denied> {
        match self {
            Role::Admin => Ok(()),
            Role::Spokesperson(_) if self.speaks_for(council) => Ok(()),
            _ => Err(format!(
                "only council {council}'s spokesperson orders its agenda"
            )),
        }
    }

    /// May manage tokens, territories, councils, communes and boundaries.
    pub fn may_administer(&self) -> Result<(), Denied> {
        match self {
            Role::Admin => Ok(()),
            _ => Err(format!("only an admin may do this, not a {}", self.name())),
        }
    }
}
