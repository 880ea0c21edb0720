-- 报送情况: every unit's filing of each kind in the quarter (CONTRACT §5).
SELECT f.unit_code, f.kind, f.status, f.submitted_at, f.problems
FROM marts.filing_status AS f
WHERE f.period = $period
