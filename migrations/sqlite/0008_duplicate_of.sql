-- A priority closed as the duplicate of another (status `duplicate`) names
-- the original's public id here; NULL otherwise. No foreign key: an
-- original may be deleted, and its duplicates keep naming it. No index: the
-- in-memory index answers every question about duplicates.

ALTER TABLE priorities ADD COLUMN duplicate_of TEXT;
