-- The files rejected whole to tell (notify/produce.py): of $shas, or received after
-- $since. The reasons, the path, the unit owning the file's source when it was pulled,
-- and the problems' sentences.
SELECT f.sha256, f.reasons, f.path,
       (SELECT any_value(p.unit_code) FROM meta.pulls p WHERE p.sha256 = f.sha256) AS unit_code,
       coalesce((SELECT list(p.message_zh ORDER BY p."column" NULLS FIRST)
                 FROM quarantine.problems p WHERE p.source_sha256 = f.sha256
                   AND p.unit_code IS NULL), []) AS sentences
FROM quarantine.files f
JOIN meta.file_manifest m ON m.sha256 = f.sha256
WHERE ($shas IS NOT NULL AND list_contains($shas, f.sha256))
   OR ($since IS NOT NULL AND m.received_at > $since)
ORDER BY f.sha256;
