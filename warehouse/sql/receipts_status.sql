-- Receipts (回执) and `ronghe status --period`: marts.filing_status of $period with the
-- names of each unit and its parent, and its county-level unit (itself, its parent or
-- its grandparent). Read from the published warehouse.
SELECT
    f.unit_code,
    u.name,
    f.level,
    f.parent_code,
    f.kind,
    f.status,
    f.submitted_at,
    f.received_at,
    f.problems,
    coalesce(f.returned_correction, false) AS returned_correction,
    m.path AS file_path,
    CASE f.level
        WHEN 'county' THEN f.unit_code
        WHEN 'township' THEN f.parent_code
        ELSE p.parent_code
    END AS county_code
FROM marts.filing_status AS f
JOIN core.units AS u ON u.unit_code = f.unit_code
LEFT JOIN core.units AS p ON p.unit_code = f.parent_code
LEFT JOIN meta.file_manifest AS m ON m.sha256 = f.source_sha256
WHERE f.period = $period
ORDER BY f.unit_code, CASE f.kind WHEN 'supervision' THEN 1 WHEN 'economy' THEN 2 ELSE 3 END
