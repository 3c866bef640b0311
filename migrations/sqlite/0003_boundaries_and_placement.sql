-- Territorial boundaries and the placement of priorities by location.
--
-- A territory's boundary is RFC 7946 GeoJSON text (Polygon or MultiPolygon),
-- NULL until boundaries of its level are imported.
-- A priority's located_parish is the parish its location falls in, computed
-- when parish boundaries exist (and recomputed when they are re-imported);
-- NULL means no parish boundaries were loaded, and the priority is placed by
-- its council's parish. Keeping it here spares a start-up from re-placing
-- every priority.

ALTER TABLE states ADD COLUMN boundary TEXT;
ALTER TABLE municipalities ADD COLUMN boundary TEXT;
ALTER TABLE parishes ADD COLUMN boundary TEXT;

ALTER TABLE priorities ADD COLUMN located_parish TEXT REFERENCES parishes (code);
