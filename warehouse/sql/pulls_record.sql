-- One pull's files ($run_id, from pulls_in): a new row per (source, path, size, mtime);
-- an earlier incomplete or failed sighting of the same path is replaced by it (its first
-- sighting, when the file arrived, is carried in first_seen_at by sources/pull.py).
DELETE FROM meta.pulls p USING pulls_in i
WHERE p.source = i.source AND p.remote_path = i.remote_path
  AND (p.outcome IN ('incomplete', 'failed')
       OR (p.size = i.size AND p.modified_at IS NOT DISTINCT FROM i.modified_at));
INSERT INTO meta.pulls BY NAME
SELECT
    source, unit_code, remote_path, size, modified_at, sha256, pulled_at, $run_id AS run_id,
    outcome, error, first_seen_at
FROM pulls_in;
