-- The layout of the warehouse's tables: a warehouse written by a fusion-rating with another
-- layout is refused with what to do, rather than failing on a missing column (rating.warehouse).
CREATE TABLE IF NOT EXISTS schema_version (
    version  INTEGER NOT NULL  -- the layout's number (rating.warehouse.SCHEMA_VERSION); one row,
                               -- written when the warehouse is created
)
