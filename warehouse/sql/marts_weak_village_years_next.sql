-- After the determination of the year of $period (a fourth quarter) is rebuilt, refresh
-- the status of the following year's rows, which is relative to it (see
-- marts_weak_village_years.sql). Other quarters: nothing happens.
UPDATE marts.weak_village_years AS y
SET status = CASE
    WHEN y.weak AND coalesce(prev.weak, false) THEN 'continuing'
    WHEN y.weak THEN 'new'
    WHEN prev.weak THEN 'rectified'
END
FROM (
    SELECT nxt.unit_code, p.weak
    FROM marts.weak_village_years AS nxt
    LEFT JOIN marts.weak_village_years AS p
        ON p.unit_code = nxt.unit_code AND p.year = nxt.year - 1
    WHERE nxt.year = CAST(substr($period, 1, 4) AS INTEGER) + 1
) AS prev
WHERE $period LIKE '%Q4'
  AND y.year = CAST(substr($period, 1, 4) AS INTEGER) + 1
  AND prev.unit_code = y.unit_code
