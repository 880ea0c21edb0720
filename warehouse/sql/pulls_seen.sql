-- What meta.pulls remembers of the sources named in $sources: taken (or too large to take)
-- or seen incomplete.
SELECT source, remote_path, size, modified_at, outcome
FROM meta.pulls
WHERE source IN $sources AND outcome IN ('pulled', 'same_bytes', 'incomplete', 'too_large');
