-- 数据质量: quarantined reports of the quarter, one row per report and reason.
SELECT q.kind, q.unit_code, q.source_sha256, r.reason, q.record
FROM quarantine.reports AS q, unnest(q.reasons) AS r(reason)
WHERE q.period = $period
ORDER BY q.kind, q.unit_code, r.reason
