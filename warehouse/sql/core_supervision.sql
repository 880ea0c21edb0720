-- Refresh the current supervision reports of the (unit, period) keys in temp table affected_keys.
-- Newest wins: later submitted_at, on a tie the version received later (CONTRACT §3).
DELETE FROM core.supervision AS c
USING affected_keys AS a
WHERE c.unit_code = a.unit_code AND c.period = a.period;

INSERT INTO core.supervision
SELECT * EXCLUDE (received_at, row_number, version_rank)
FROM (
    SELECT
        r.*,
        row_number() OVER (
            PARTITION BY r.unit_code, r.period
            ORDER BY r.submitted_at DESC, r.received_at DESC, r.source_sha256 DESC
        ) AS version_rank
    FROM raw.supervision AS r
    SEMI JOIN affected_keys AS a ON r.unit_code = a.unit_code AND r.period = a.period
)
WHERE version_rank = 1;
