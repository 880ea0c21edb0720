-- Refresh the current reports of a kind keyed by (unit, period): core.{kind} from raw.{kind},
-- for the (unit, period) keys in temp table affected_keys ({kind} is a declared kind name).
-- Newest wins: later submitted_at, on a tie the version received later (CONTRACT §3).
DELETE FROM core.{kind} AS c
USING affected_keys AS a
WHERE c.unit_code = a.unit_code AND c.period = a.period;

INSERT INTO core.{kind}
SELECT * EXCLUDE (received_at, row_number, version_rank)
FROM (
    SELECT
        r.*,
        row_number() OVER (
            PARTITION BY r.unit_code, r.period
            ORDER BY r.submitted_at DESC, r.received_at DESC, r.source_sha256 DESC
        ) AS version_rank
    FROM raw.{kind} AS r
    SEMI JOIN affected_keys AS a ON r.unit_code = a.unit_code AND r.period = a.period
)
WHERE version_rank = 1;
