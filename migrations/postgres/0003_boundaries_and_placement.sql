-- Territorial boundaries and the placement of priorities by location
-- (PostgreSQL twin of migrations/sqlite/0003; see there).

ALTER TABLE states ADD COLUMN boundary TEXT;
ALTER TABLE municipalities ADD COLUMN boundary TEXT;
ALTER TABLE parishes ADD COLUMN boundary TEXT;

ALTER TABLE priorities ADD COLUMN located_parish TEXT REFERENCES parishes (code);
