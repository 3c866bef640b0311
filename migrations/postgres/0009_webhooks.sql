-- Webhooks: an admin registers a URL with a filter (the items endpoint's
-- query parameters); a dispatcher reads the change sequence after each
-- hook's cursor, enqueues one delivery per matching change, and POSTs it
-- signed with the hook's secret until the receiver answers 2xx.
--
-- The secret is stored as is (not hashed): the dispatcher needs it to
-- compute each delivery's HMAC-SHA256. It is shown once, when the hook is
-- created, and never in a listing. (PostgreSQL twin of migrations/sqlite/0009.)

CREATE TABLE webhooks (
    id          TEXT    PRIMARY KEY,
    url         TEXT    NOT NULL,
    -- The items query string the hook selects priorities with ('' = all).
    filter_query TEXT   NOT NULL,
    description TEXT,
    secret      TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    -- The last change number examined for this hook: every change up to
    -- it has its delivery enqueued (or did not match).
    cursor_seq  BIGINT  NOT NULL
);

-- One delivery per hook and change: pending until acknowledged (2xx) or
-- out of attempts.
CREATE TABLE webhook_deliveries (
    id              TEXT    PRIMARY KEY,
    hook_id         TEXT    NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    seq             BIGINT  NOT NULL,
    priority_id     TEXT    NOT NULL,
    event           TEXT    NOT NULL,
    -- The JSON body POSTed, fixed when the delivery is enqueued.
    payload         TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        BIGINT  NOT NULL DEFAULT 0,
    next_attempt_at BIGINT  NOT NULL,
    -- A process delivering it holds it until then (replicas share the table).
    claimed_until   BIGINT  NOT NULL DEFAULT 0,
    last_status     BIGINT,
    last_error      TEXT,
    delivered_at    BIGINT,
    UNIQUE (hook_id, seq)
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_of_priority ON webhook_deliveries (hook_id, priority_id);
