-- `ronghe status --period` for a quarter with no marts.filing_status yet (no run has
-- touched it): every unit valid in $period, for supervision and economy, is missing
-- (未报送) until it files. Same columns as receipts_status.sql. Read-only.
SELECT
    u.unit_code,
    u.name,
    u.level,
    u.parent_code,
    k.kind,
    'missing' AS status,
    CAST(NULL AS TIMESTAMP) AS submitted_at,
    CAST(NULL AS TIMESTAMP) AS received_at,
    0 AS problems,
    CASE u.level
        WHEN 'county' THEN u.unit_code
        WHEN 'township' THEN u.parent_code
        ELSE p.parent_code
    END AS county_code
FROM core.units AS u
CROSS JOIN (VALUES ('supervision'), ('economy')) AS k (kind)
LEFT JOIN core.units AS p ON p.unit_code = u.parent_code
WHERE (u.valid_from IS NULL OR u.valid_from <= $period)
  AND (u.valid_to IS NULL OR u.valid_to >= $period)
ORDER BY u.unit_code, CASE k.kind WHEN 'supervision' THEN 1 ELSE 2 END
