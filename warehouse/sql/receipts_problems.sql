-- Receipts (回执): the problems of each returned report of $period (kind, unit), from
-- its most recently received quarantined file: what the filer must fix now (for a
-- returned correction, the correction sent back while the older version counts).
WITH p AS (
    SELECT
        q.kind,
        q.unit_code,
        q.source_sha256,
        q.sheet_row,
        q."column",
        q.column_zh,
        q.value,
        q.reason,
        q.message_zh,
        m.path,
        m.received_at,
        dense_rank() OVER (
            PARTITION BY q.kind, q.unit_code ORDER BY m.received_at DESC, q.source_sha256
        ) AS version
    FROM quarantine.problems AS q
    LEFT JOIN meta.file_manifest AS m ON m.sha256 = q.source_sha256
    WHERE q.period = $period AND q.unit_code IS NOT NULL AND q.kind IS NOT NULL
)
SELECT kind, unit_code, source_sha256, path, received_at, sheet_row, column_zh, value, reason, message_zh
FROM p
WHERE version = 1
ORDER BY unit_code, kind, sheet_row NULLS FIRST, message_zh
