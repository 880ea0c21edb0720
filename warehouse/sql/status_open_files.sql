-- ronghe status: a rejected file is open until a file received later from the same
-- place loads: the same inbox path, or, for a pulled file, the same path at the same
-- source (a pulled file's own path is the pull's staging copy, gone once archived: it
-- is shown as source:path instead).
WITH place AS (
    SELECT m.sha256, m.path, m.status, m.received_at,
           (SELECT any_value(p.source || ':' || p.remote_path) FROM meta.pulls p
            WHERE p.sha256 = m.sha256) AS pulled_from
    FROM meta.file_manifest m
)
SELECT coalesce(r.pulled_from, f.path) AS path, array_to_string(f.reasons, ',') AS reasons,
       f.quarantined_at
FROM quarantine.files f
LEFT JOIN place r ON r.sha256 = f.sha256
WHERE NOT EXISTS (
    SELECT 1 FROM place l
    WHERE l.status <> 'rejected' AND l.received_at > f.quarantined_at
      AND (l.path = f.path OR (r.pulled_from IS NOT NULL AND l.pulled_from = r.pulled_from))
)
ORDER BY f.quarantined_at DESC, 1;
