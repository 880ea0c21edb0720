-- 数据质量: files that could not be processed at all (they carry no quarter).
SELECT f.path, r.reason, f.detail
FROM quarantine.files AS f, unnest(f.reasons) AS r(reason)
ORDER BY f.path, r.reason
