-- The reports the scores count (CONTRACT §11) with [approval] required = true: for each
-- report (kind, unit, period) its newest version that is approved (审核通过) or that did not
-- come through the portal (a deposit's file needs no approval). A version whose latest
-- transition in meta.approvals is submitted or returned is held back: where the current
-- version (core.*) is held, the newest countable older version (raw.*, same order as
-- core_keyed_report.sql / core_projects.sql) counts instead, or none. Where nothing is
-- held the current version counts, so with every report approved the scores are those of
-- [approval] required = false. warehouse/marts.py creates these views before the marts.
CREATE OR REPLACE TEMP VIEW approval_held AS
SELECT kind, unit_code, period, source_sha256
FROM (
    SELECT kind, unit_code, period, source_sha256, arg_max(state, seq) AS state
    FROM meta.approvals
    GROUP BY ALL
)
WHERE state <> 'approved';

CREATE OR REPLACE TEMP VIEW counted_supervision AS
SELECT c.*
FROM core.supervision AS c
WHERE NOT EXISTS (
    SELECT 1 FROM approval_held AS h
    WHERE h.kind = 'supervision' AND h.unit_code = c.unit_code AND h.period = c.period
      AND h.source_sha256 = c.source_sha256
)
UNION ALL BY NAME
SELECT * EXCLUDE (received_at, row_number, version_rank)
FROM (
    SELECT
        r.*,
        row_number() OVER (
            PARTITION BY r.unit_code, r.period
            ORDER BY r.submitted_at DESC, r.received_at DESC, r.source_sha256 DESC
        ) AS version_rank
    FROM raw.supervision AS r
    WHERE NOT EXISTS (
        SELECT 1 FROM approval_held AS h
        WHERE h.kind = 'supervision' AND h.unit_code = r.unit_code AND h.period = r.period
          AND h.source_sha256 = r.source_sha256
    )
      AND EXISTS (
        SELECT 1 FROM core.supervision AS c
        JOIN approval_held AS h
            ON h.kind = 'supervision' AND h.unit_code = c.unit_code AND h.period = c.period
           AND h.source_sha256 = c.source_sha256
        WHERE c.unit_code = r.unit_code AND c.period = r.period
    )
)
WHERE version_rank = 1;

CREATE OR REPLACE TEMP VIEW counted_economy AS
SELECT c.*
FROM core.economy AS c
WHERE NOT EXISTS (
    SELECT 1 FROM approval_held AS h
    WHERE h.kind = 'economy' AND h.unit_code = c.unit_code AND h.period = c.period
      AND h.source_sha256 = c.source_sha256
)
UNION ALL BY NAME
SELECT * EXCLUDE (received_at, row_number, version_rank)
FROM (
    SELECT
        r.*,
        row_number() OVER (
            PARTITION BY r.unit_code, r.period
            ORDER BY r.submitted_at DESC, r.received_at DESC, r.source_sha256 DESC
        ) AS version_rank
    FROM raw.economy AS r
    WHERE NOT EXISTS (
        SELECT 1 FROM approval_held AS h
        WHERE h.kind = 'economy' AND h.unit_code = r.unit_code AND h.period = r.period
          AND h.source_sha256 = r.source_sha256
    )
      AND EXISTS (
        SELECT 1 FROM core.economy AS c
        JOIN approval_held AS h
            ON h.kind = 'economy' AND h.unit_code = c.unit_code AND h.period = c.period
           AND h.source_sha256 = c.source_sha256
        WHERE c.unit_code = r.unit_code AND c.period = r.period
    )
)
WHERE version_rank = 1;

CREATE OR REPLACE TEMP VIEW counted_projects AS
SELECT c.*
FROM core.projects AS c
WHERE NOT EXISTS (
    SELECT 1 FROM approval_held AS h
    WHERE h.kind = 'projects' AND h.unit_code = c.unit_code AND h.period = c.period
      AND h.source_sha256 = c.source_sha256
)
UNION ALL BY NAME
SELECT r.* EXCLUDE (received_at, row_number)
FROM raw.projects AS r
SEMI JOIN (
    SELECT unit_code, period, source_sha256
    FROM (
        SELECT
            v.unit_code,
            v.period,
            v.source_sha256,
            max(v.submitted_at) AS submitted_at,
            max(v.received_at) AS received_at
        FROM raw.projects AS v
        WHERE NOT EXISTS (
            SELECT 1 FROM approval_held AS h
            WHERE h.kind = 'projects' AND h.unit_code = v.unit_code AND h.period = v.period
              AND h.source_sha256 = v.source_sha256
        )
          AND EXISTS (
            SELECT 1 FROM core.projects AS c
            JOIN approval_held AS h
                ON h.kind = 'projects' AND h.unit_code = c.unit_code AND h.period = c.period
               AND h.source_sha256 = c.source_sha256
            WHERE c.unit_code = v.unit_code AND c.period = v.period
        )
        GROUP BY ALL
    )
    QUALIFY row_number() OVER (
        PARTITION BY unit_code, period
        ORDER BY submitted_at DESC, received_at DESC, source_sha256 DESC
    ) = 1
) AS w ON r.unit_code = w.unit_code AND r.period = w.period AND r.source_sha256 = w.source_sha256;
