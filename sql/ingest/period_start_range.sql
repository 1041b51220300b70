-- The span of the windows' starts in some usage files (the sensor's "which periods changed").
SELECT min(period_start) AS first_start, max(period_start) AS last_start
FROM ({landed_source})
