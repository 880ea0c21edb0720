-- Each source's last attempt (from status_in); reached_at keeps the last time it was reached.
INSERT INTO meta.source_status
SELECT source, unit_code, attempted_at, reached, error, files_seen, files_pulled,
       CASE WHEN reached THEN attempted_at END
FROM status_in
ON CONFLICT (source) DO UPDATE SET
    unit_code = excluded.unit_code,
    attempted_at = excluded.attempted_at,
    reached = excluded.reached,
    error = excluded.error,
    files_seen = excluded.files_seen,
    files_pulled = excluded.files_pulled,
    reached_at = coalesce(excluded.reached_at, meta.source_status.reached_at);
