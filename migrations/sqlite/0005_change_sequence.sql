-- The change sequence. Every committed write takes the next numbers of one
-- counter, held locked from the start of its transaction to its commit, so
-- sequence numbers become visible in order: a reader that has seen every
-- change up to N and reads "after N" misses nothing. Replicas keep their
-- in-memory index current with it, and clients sync with the change feed.

CREATE TABLE change_sequence (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    -- The last number taken.
    last_seq       INTEGER NOT NULL,
    -- The number of the last change to councils or communes.
    councils_seq   INTEGER NOT NULL,
    -- The number of the last change to territories or their boundaries.
    territories_seq INTEGER NOT NULL
);

-- The latest change of each priority (one row per priority, deletions kept
-- as tombstones): "what changed after N" is a range of `seq`.
CREATE TABLE priority_changes (
    priority_id TEXT    PRIMARY KEY,
    seq         INTEGER NOT NULL UNIQUE,
    -- The change that created the current row (a deleted id can be created again).
    created_seq INTEGER NOT NULL,
    pk          INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    deleted     INTEGER NOT NULL CHECK (deleted IN (0, 1)),
    at          INTEGER NOT NULL
);

-- Priorities stored before the sequence existed count as created in row order.
INSERT INTO priority_changes (priority_id, seq, created_seq, pk, version, deleted, at)
    SELECT id, pk, pk, pk, version, 0, updated_at FROM priorities;

INSERT INTO change_sequence (id, last_seq, councils_seq, territories_seq)
    VALUES (1, coalesce((SELECT max(pk) FROM priorities), 0), 0, 0);
