-- Corrections whose 填报时间 is implausible (CONTRACT §3 supersession, §9 the round): the
-- reports in temp table incoming (unit_code, period, _file, submitted_at, first_row, rank)
-- that are corrections: raw.{kind} already holds a version of the same (unit, period) from
-- another file, or a version of this run was received before (a lower rank); and whose
-- submitted_at is before the first version's (the earliest received). A version whose
-- submitted_at is past the round's correction limit of its unit's level (temp table
-- windows: period, level, until) never loads (validation: out_of_range); one loaded
-- before that rule does not count as the first version either, so it never blocks a
-- correction. {kind} is a declared kind's name, never input.
WITH raw_firsts AS (
    SELECT
        r.unit_code,
        r.period,
        arg_min(r.submitted_at, r.received_at) AS first_submitted
    FROM raw.{kind} AS r
    SEMI JOIN incoming AS i ON r.unit_code = i.unit_code AND r.period = i.period
    LEFT JOIN core.units AS u ON u.unit_code = r.unit_code
    LEFT JOIN windows AS w ON w.period = r.period AND w.level = u.level
    WHERE r.source_sha256 NOT IN (SELECT _file FROM incoming)
      AND (w.until IS NULL OR r.submitted_at <= w.until)
    GROUP BY ALL
),
batch_firsts AS (
    SELECT unit_code, period, arg_min(submitted_at, rank) AS first_submitted,
        min(rank) AS first_rank
    FROM incoming
    GROUP BY ALL
),
firsts AS (
    -- the first version is the warehouse's where it holds one, else this run's earliest
    SELECT b.unit_code, b.period,
        coalesce(r.first_submitted, b.first_submitted) AS first_submitted,
        CASE WHEN r.unit_code IS NULL THEN b.first_rank END AS own_first_rank
    FROM batch_firsts AS b
    LEFT JOIN raw_firsts AS r ON r.unit_code = b.unit_code AND r.period = b.period
)
SELECT
    i.unit_code,
    i.period,
    i._file AS source_sha256,
    i.submitted_at,
    i.first_row,
    f.first_submitted,
    'before_first' AS why
FROM incoming AS i
JOIN firsts AS f ON f.unit_code = i.unit_code AND f.period = i.period
WHERE (f.own_first_rank IS NULL OR i.rank <> f.own_first_rank)
  AND i.submitted_at < f.first_submitted
ORDER BY i._file, i.unit_code, i.period
