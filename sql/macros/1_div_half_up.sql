-- Exact integer division rounded half-up, for non-negative HUGEINT numerators and
-- positive denominators. DuckDB's DECIMAL division returns DOUBLE, so every division
-- the engine needs is done on scaled integers through this macro.
CREATE OR REPLACE TEMP MACRO div_half_up(num, den) AS (2 * num + den) // (2 * den)
