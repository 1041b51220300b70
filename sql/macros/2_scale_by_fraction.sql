-- scaled * active / period, rounded half-up, on HUGEINT without overflow for any catalog value:
-- scaled * active / period = (scaled // period) * active + (scaled % period) * active / period.
CREATE OR REPLACE TEMP MACRO scale_by_fraction(scaled, active, period) AS
    (scaled // period) * active + div_half_up((scaled % period) * active, period)
