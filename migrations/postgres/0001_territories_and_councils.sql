-- Territories and councils (PostgreSQL twin of migrations/sqlite/0001).
-- Codes are INE-style: 2 digits for a state, 4 for a municipality (its
-- state's code plus 2), 6 for a parish (its municipality's code plus 2); the
-- parent column repeats the prefix so foreign keys hold it.

CREATE TABLE states (
    code TEXT PRIMARY KEY CHECK (length(code) = 2),
    name TEXT NOT NULL
);

CREATE TABLE municipalities (
    code       TEXT PRIMARY KEY CHECK (length(code) = 4),
    state_code TEXT NOT NULL REFERENCES states (code),
    name       TEXT NOT NULL,
    CHECK (substr(code, 1, 2) = state_code)
);

CREATE TABLE parishes (
    code              TEXT PRIMARY KEY CHECK (length(code) = 6),
    municipality_code TEXT NOT NULL REFERENCES municipalities (code),
    name              TEXT NOT NULL,
    CHECK (substr(code, 1, 4) = municipality_code)
);

-- A communal council; location is a GeoJSON Point, or NULL when unknown.
CREATE TABLE councils (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    parish_code TEXT NOT NULL REFERENCES parishes (code),
    location    TEXT
);

CREATE INDEX councils_parish ON councils (parish_code);
