-- The newest fusion-rating that wrote this warehouse, by the revision of its schema within the
-- layout (rating.warehouse.SCHEMA_REVISION): an older one refuses the warehouse, saying so,
-- rather than failing on a column or view it does not know (it cannot write beside them).
CREATE TABLE IF NOT EXISTS schema_revision (
    revision  INTEGER NOT NULL  -- rating.warehouse.SCHEMA_REVISION of the newest writer; one
                                -- row. Absent table: written before revisions were recorded
)
