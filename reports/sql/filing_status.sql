-- 报送情况: every unit's filing of each kind in the quarter (CONTRACT §5, §9): loaded,
-- quarantined or missing, on time or not, and whether a newer version was returned.
SELECT
    f.unit_code,
    f.kind,
    f.status,
    f.submitted_at,
    f.problems,
    f.timeliness,
    f.returned_correction,
    f.due_at
FROM marts.filing_status AS f
WHERE f.period = $period
ORDER BY f.unit_code, f.kind
