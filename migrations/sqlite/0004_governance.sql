-- Governance: communes, access tokens, the action plan of approved
-- priorities, and the append-only history of every change.

-- A commune (comuna) groups councils.
CREATE TABLE communes (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

ALTER TABLE councils ADD COLUMN commune_code TEXT REFERENCES communes (code);
ALTER TABLE councils ADD COLUMN spokespeople INTEGER NOT NULL DEFAULT 0 CHECK (spokespeople >= 0);

-- The Agenda Concreta de Acción plan of an approved priority, as JSON:
-- objective, goal, responsible {kind, name}, resources, start_date, target_date.
ALTER TABLE priorities ADD COLUMN plan TEXT;

-- Bearer tokens. Only the SHA-256 of the secret is kept; the secret is shown
-- once, when the token is created.
CREATE TABLE tokens (
    id         TEXT PRIMARY KEY,
    hash       TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL,
    scope      TEXT,
    label      TEXT,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

-- Every change to a priority, in order; rows are only ever added.
CREATE TABLE priority_history (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    priority_id TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    changes     TEXT    NOT NULL,
    note        TEXT
);

CREATE INDEX priority_history_by_priority ON priority_history (priority_id, seq);
