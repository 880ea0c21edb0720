-- ronghe status: open quarantined reports: no version of the same (kind, unit, period)
-- was loaded after the quarantined one.
WITH loaded AS (
    SELECT 'supervision' AS kind, unit_code, period, received_at FROM raw.supervision
    UNION ALL SELECT 'projects', unit_code, period, received_at FROM raw.projects
    UNION ALL SELECT 'economy', unit_code, period, received_at FROM raw.economy
)
SELECT q.kind, q.unit_code, q.period, array_to_string(q.reasons, ',') AS reasons,
       -- a pulled file by its source and path there (its own is the pull's staging copy)
       coalesce((SELECT any_value(p.source || ':' || p.remote_path) FROM meta.pulls p
                 WHERE p.sha256 = q.source_sha256), m.path) AS path,
       coalesce(m.received_at, q.quarantined_at) AS received_at
FROM quarantine.reports q
LEFT JOIN meta.file_manifest m ON m.sha256 = q.source_sha256
WHERE NOT EXISTS (
    SELECT 1 FROM loaded l
    WHERE l.kind = q.kind AND l.unit_code = q.unit_code AND l.period = q.period
      AND l.received_at > coalesce(m.received_at, q.quarantined_at)
)
ORDER BY received_at DESC, q.kind, q.unit_code, q.period;
