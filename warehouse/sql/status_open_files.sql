-- ronghe status: a rejected file is open until a file at the same path is received
-- later and loads.
SELECT f.path, array_to_string(f.reasons, ',') AS reasons, f.quarantined_at
FROM quarantine.files f
WHERE NOT EXISTS (
    SELECT 1 FROM meta.file_manifest m
    WHERE m.path = f.path AND m.status <> 'rejected' AND m.received_at > f.quarantined_at
)
ORDER BY f.quarantined_at DESC, f.path;
