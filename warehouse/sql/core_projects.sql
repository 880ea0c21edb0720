-- Refresh the current project reports of the (unit, period) keys in temp table affected_keys.
-- A project report is all rows of one unit and period from one file; the newest report
-- (latest submitted_at, on a tie the one received later) supersedes the others whole.
DELETE FROM core.projects AS c
USING affected_keys AS a
WHERE c.unit_code = a.unit_code AND c.period = a.period;

INSERT INTO core.projects
WITH reports AS (
    SELECT
        r.unit_code,
        r.period,
        r.source_sha256,
        max(r.submitted_at) AS submitted_at,
        max(r.received_at) AS received_at
    FROM raw.projects AS r
    SEMI JOIN affected_keys AS a ON r.unit_code = a.unit_code AND r.period = a.period
    GROUP BY ALL
),
winners AS (
    SELECT unit_code, period, source_sha256
    FROM reports
    QUALIFY row_number() OVER (
        PARTITION BY unit_code, period
        ORDER BY submitted_at DESC, received_at DESC, source_sha256 DESC
    ) = 1
)
SELECT r.* EXCLUDE (received_at, row_number)
FROM raw.projects AS r
SEMI JOIN winners AS w
    ON r.unit_code = w.unit_code AND r.period = w.period AND r.source_sha256 = w.source_sha256
ORDER BY r.unit_code, r.period, r.row_number;
