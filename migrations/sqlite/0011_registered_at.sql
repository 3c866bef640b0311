-- When a council or a commune was registered here (microseconds since the
-- Unix epoch, UTC): their temporal property, which `datetime` filters and
-- the collections' temporal extent spans. NULL for the rows registered
-- before this column existed: their time is unknown, not invented.

ALTER TABLE councils ADD COLUMN created_at INTEGER;
ALTER TABLE communes ADD COLUMN created_at INTEGER;
