-- ronghe sources: each source's last attempt, newest first.
SELECT source, unit_code, attempted_at, reached, reached_at, files_seen, files_pulled, error
FROM meta.source_status
ORDER BY source;
