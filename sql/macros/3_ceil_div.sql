-- ceil(a / b) for non-negative DECIMAL(38, 9) a and positive b, on exact scaled integers.
CREATE OR REPLACE TEMP MACRO ceil_div(a, b) AS
    (to_scaled(a) + to_scaled(b) - 1) // to_scaled(b)
