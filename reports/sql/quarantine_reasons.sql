-- 数据质量: quarantined reports of the quarter, one row per report and reason, with the
-- path of the file it came from (the 通报 shows the file's name only, never its folder).
SELECT q.kind, q.unit_code, q.source_sha256, r.reason, q.record, m.path AS source_path
FROM quarantine.reports AS q
CROSS JOIN unnest(q.reasons) AS r(reason)
LEFT JOIN meta.file_manifest AS m ON m.sha256 = q.source_sha256
WHERE q.period = $period
ORDER BY q.kind, q.unit_code, r.reason
