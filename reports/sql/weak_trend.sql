-- The number of early-warning villages in every loaded quarter up to the report's.
SELECT s.period, count(w.unit_code) AS weak_villages
FROM (SELECT DISTINCT period FROM marts.unit_scores WHERE period <= $period) AS s
LEFT JOIN marts.weak_villages AS w ON w.period = s.period
GROUP BY s.period
ORDER BY s.period
