-- The problems of the files one run received ($sha256s), with each unit's name: what the
-- run's quarantine artifact lists (flows: a run with quarantined reports). At most
-- $limit rows, in unit, kind and row order; total counts them all.
SELECT
    q.unit_code,
    u.name,
    q.kind,
    q.period,
    q.sheet_row,
    q.message_zh,
    m.path,
    count(*) OVER () AS total
FROM quarantine.problems AS q
LEFT JOIN core.units AS u ON u.unit_code = q.unit_code
LEFT JOIN meta.file_manifest AS m ON m.sha256 = q.source_sha256
WHERE q.source_sha256 IN (SELECT unnest($sha256s::VARCHAR[]))
ORDER BY q.unit_code NULLS LAST, q.kind, q.period, q.sheet_row NULLS FIRST, q.message_zh
LIMIT $limit
