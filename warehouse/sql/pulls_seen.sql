-- What meta.pulls remembers of the sources named in $sources: taken (or too large to take)
-- or seen incomplete, and when a listing first saw a path still waiting or unreadable (its
-- arrival, §9).
SELECT source, remote_path, size, modified_at, outcome, coalesce(first_seen_at, pulled_at)
FROM meta.pulls
WHERE source IN $sources
  AND outcome IN ('pulled', 'same_bytes', 'incomplete', 'failed', 'too_large');
