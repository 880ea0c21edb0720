-- The quarantined reports to tell (notify/produce.py): of the files $shas, or of the
-- files received after $since. The unit (else the unit owning the file's source), the
-- reasons, the problems' sentences in the receipts' order, the file's path, the deadline.
WITH files AS (
    SELECT sha256, path FROM meta.file_manifest
    WHERE ($shas IS NOT NULL AND list_contains($shas, sha256))
       OR ($since IS NOT NULL AND received_at > $since)
),
owners AS (
    SELECT p.sha256, any_value(p.unit_code) AS unit_code
    FROM meta.pulls p SEMI JOIN files f ON f.sha256 = p.sha256
    GROUP BY p.sha256
),
quarantined AS (
    SELECT q.source_sha256, q.kind, coalesce(q.unit_code, o.unit_code) AS unit_code, q.period,
           q.unit_code AS named_unit,
           list_sort(list_distinct(flatten(list(q.reasons)))) AS reasons
    FROM quarantine.reports q
    SEMI JOIN files f ON f.sha256 = q.source_sha256
    LEFT JOIN owners o ON o.sha256 = q.source_sha256
    GROUP BY ALL
)
SELECT q.source_sha256, q.kind, q.unit_code, q.period, q.reasons, f.path,
       coalesce((SELECT list(p.message_zh ORDER BY p.sheet_row NULLS FIRST, p."column")
                 FROM quarantine.problems p
                 WHERE p.source_sha256 = q.source_sha256 AND p.kind = q.kind
                   AND p.unit_code IS NOT DISTINCT FROM q.named_unit
                   AND p.period IS NOT DISTINCT FROM q.period), []) AS sentences,
       s.due_at
FROM quarantined q
JOIN files f ON f.sha256 = q.source_sha256
LEFT JOIN marts.filing_status s
       ON s.unit_code = q.unit_code AND s.period = q.period AND s.kind = q.kind
WHERE q.unit_code IS NOT NULL
ORDER BY q.unit_code, q.kind, q.period, q.source_sha256;
