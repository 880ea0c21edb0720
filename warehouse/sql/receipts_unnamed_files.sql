-- Receipts (回执): the files of $period whose rows name no registered unit (rejected
-- whole: unreadable_file, unknown_kind, empty_file, missing_columns without a readable
-- unit; or only rows without a unit). filers/owners.py puts each on the receipt of the
-- unit that owns its source or inbox folder.
-- Their period: the canonical periods their rows name, where any can be read; else
-- the period of the run that received them (`ronghe run --period P`: P; a backfill:
-- its last quarter); else the quarter that ended most recently before they were
-- received (reports arrive after their quarter).
WITH named AS (
    SELECT source_sha256 AS sha256, unit_code FROM raw.supervision
    UNION
    SELECT source_sha256, unit_code FROM raw.economy
    UNION
    SELECT source_sha256, unit_code FROM raw.projects
    UNION
    SELECT source_sha256, unit_code FROM quarantine.reports
    UNION
    SELECT source_sha256, unit_code FROM quarantine.problems
),
unnamed AS (
    SELECT m.sha256, m.path, m.kind, m.status, m.received_at, m.run_id, m.sheets
    FROM meta.file_manifest AS m
    WHERE m.status <> 'loaded'
      AND NOT EXISTS (
          SELECT 1 FROM named AS n JOIN core.units AS u ON u.unit_code = n.unit_code
          WHERE n.sha256 = m.sha256
      )
),
row_periods AS (
    SELECT source_sha256 AS sha256, period FROM quarantine.reports
    UNION
    SELECT source_sha256, period FROM quarantine.problems
),
periods AS (
    SELECT x.sha256, coalesce(rp.period, rn.period) AS period
    FROM unnamed AS x
    LEFT JOIN (
        SELECT sha256, period FROM row_periods
        WHERE regexp_full_match(period, '\d{4}Q[1-4]')
    ) AS rp ON rp.sha256 = x.sha256
    LEFT JOIN (
        SELECT
            m.sha256,
            coalesce(
                CASE WHEN regexp_full_match(r.parameters ->> 'period', '\d{4}Q[1-4]')
                    THEN r.parameters ->> 'period' END,
                CASE WHEN regexp_full_match(r.parameters ->> 'to', '\d{4}Q[1-4]')
                    THEN r.parameters ->> 'to' END,
                strftime(m.received_at - INTERVAL 3 MONTH, '%Y') || 'Q'
                    || quarter(m.received_at - INTERVAL 3 MONTH)
            ) AS period
        FROM unnamed AS m
        LEFT JOIN meta.runs AS r ON r.run_id = m.run_id
    ) AS rn ON rn.sha256 = x.sha256
)
SELECT DISTINCT x.sha256, x.path, x.kind, x.status AS file_status, x.received_at,
    f.reasons AS file_reasons, x.sheets
FROM unnamed AS x
JOIN periods AS p ON p.sha256 = x.sha256
LEFT JOIN quarantine.files AS f ON f.sha256 = x.sha256
WHERE p.period = $period
ORDER BY x.received_at, x.sha256
