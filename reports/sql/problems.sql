-- 数据质量: the problem sentences of the quarter's quarantined reports (CONTRACT §5).
SELECT p.kind, p.unit_code, p.sheet_row, p."column", p.column_zh, p.value, p.reason, p.message_zh
FROM quarantine.problems AS p
WHERE p.period = $period
ORDER BY p.unit_code, p.kind, p.sheet_row NULLS FIRST, p."column"
