-- The chase (催报, CONTRACT §9) of $period at $now: every report of marts.filing_status
-- that is owed (a projects report only while a project is unfinished) and still missing,
-- or returned and not filed again (status quarantined: received, none loaded), whose
-- deadline (due_at) has passed, with the unit's township and county and the days past
-- the deadline. Read from the published warehouse.
SELECT
    f.unit_code,
    u.name,
    f.level,
    f.parent_code,
    CASE f.level
        WHEN 'county' THEN f.unit_code
        WHEN 'township' THEN f.parent_code
        ELSE p.parent_code
    END AS county_code,
    CASE f.level WHEN 'village' THEN f.parent_code WHEN 'township' THEN f.unit_code END
        AS township_code,
    f.kind,
    f.status,
    f.due_at,
    date_diff('day', f.due_at, $now) AS days_overdue,
    f.received_at,
    f.problems
FROM marts.filing_status AS f
JOIN core.units AS u ON u.unit_code = f.unit_code
LEFT JOIN core.units AS p ON p.unit_code = f.parent_code
WHERE f.period = $period
  AND f.status IN ('missing', 'quarantined')
  AND coalesce(f.owed, f.kind <> 'projects')
  AND f.due_at IS NOT NULL
  AND $now > f.due_at
ORDER BY f.unit_code, CASE f.kind WHEN 'supervision' THEN 1 WHEN 'economy' THEN 2 ELSE 3 END
