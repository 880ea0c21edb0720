-- marts.filing_status for $period (CONTRACT §5): every unit valid in the period, for
-- supervision and economy, and projects where the unit filed one (loaded or not).
-- loaded: a current report exists (core.*); quarantined: reports were received for the
-- unit, kind and period (quarantine.reports, or problem rows naming the unit, e.g. of a
-- rejected consolidated file) but none loaded; missing: nothing received.
DELETE FROM marts.filing_status WHERE period = $period;

INSERT INTO marts.filing_status BY NAME
WITH units AS (
    SELECT unit_code, level, parent_code
    FROM core.units
    WHERE (valid_from IS NULL OR valid_from <= $period)
      AND (valid_to IS NULL OR $period <= valid_to)
),
current AS (
    SELECT 'supervision' AS kind, unit_code, submitted_at, source_sha256
    FROM core.supervision WHERE period = $period
    UNION ALL
    SELECT 'economy', unit_code, submitted_at, source_sha256
    FROM core.economy WHERE period = $period
    UNION ALL
    SELECT 'projects', unit_code, max(submitted_at), min(source_sha256)
    FROM core.projects WHERE period = $period
    GROUP BY unit_code
),
returned AS (
    SELECT kind, unit_code, max(quarantined_at) AS quarantined_at, 0 AS problems
    FROM quarantine.reports WHERE period = $period AND unit_code IS NOT NULL
    GROUP BY kind, unit_code
    UNION ALL
    SELECT kind, unit_code, max(quarantined_at), count(*)
    FROM quarantine.problems
    WHERE period = $period AND unit_code IS NOT NULL AND kind IS NOT NULL
    GROUP BY kind, unit_code
),
returned_by_unit AS (
    SELECT kind, unit_code, max(quarantined_at) AS quarantined_at, sum(problems) AS problems
    FROM returned
    GROUP BY kind, unit_code
),
kinds AS (
    SELECT u.unit_code, k.kind
    FROM units AS u CROSS JOIN (VALUES ('supervision'), ('economy')) AS k (kind)
    UNION
    SELECT unit_code, kind FROM current WHERE kind = 'projects'
    UNION
    SELECT unit_code, kind FROM returned_by_unit WHERE kind = 'projects'
)
SELECT
    $period AS period,
    u.unit_code,
    u.level,
    u.parent_code,
    k.kind,
    CASE
        WHEN c.unit_code IS NOT NULL THEN 'loaded'
        WHEN r.unit_code IS NOT NULL THEN 'quarantined'
        ELSE 'missing'
    END AS status,
    c.submitted_at,
    CASE WHEN c.unit_code IS NOT NULL THEN m.received_at ELSE r.quarantined_at END
        AS received_at,
    c.source_sha256,
    coalesce(r.problems, 0) AS problems
FROM kinds AS k
JOIN units AS u USING (unit_code)
LEFT JOIN current AS c ON c.kind = k.kind AND c.unit_code = k.unit_code
LEFT JOIN returned_by_unit AS r ON r.kind = k.kind AND r.unit_code = k.unit_code
LEFT JOIN meta.file_manifest AS m ON m.sha256 = c.source_sha256
