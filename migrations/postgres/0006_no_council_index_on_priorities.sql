-- No query reads priorities by council: the in-memory index answers those,
-- and councils are never deleted nor re-coded, so the foreign key never
-- looks for a council's priorities either. The index on council_code only
-- cost writes: council codes come in no order, so each bulk batch rewrote
-- leaves all over it.

DROP INDEX priorities_council;
