SELECT DISTINCT reason FROM redecided WHERE reason IS NOT NULL ORDER BY reason
