-- Priorities. `pk` is the row key: it orders priorities by creation and gives
-- paging a stable sort key. `id` is the public UUID. Geometry is RFC 7946
-- GeoJSON text: the spatial index lives in memory, so the store only needs to
-- keep it faithfully. Times are microseconds since the Unix epoch (UTC).

CREATE TABLE priorities (
    pk           INTEGER PRIMARY KEY,
    id           TEXT    NOT NULL UNIQUE,
    council_code TEXT    NOT NULL REFERENCES councils (code),
    title        TEXT    NOT NULL,
    description  TEXT,
    category     TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    rank         INTEGER CHECK (rank BETWEEN 1 AND 10),
    families     INTEGER CHECK (families >= 0),
    geometry     TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    version      INTEGER NOT NULL CHECK (version >= 1)
);

CREATE INDEX priorities_council ON priorities (council_code);
