-- marts.filing_status for $period (CONTRACT §5): every unit valid in the period, for
-- supervision and economy, and projects where the unit filed one (loaded or not) or owes
-- one. owed (CONTRACT §9 "What a unit owes"): supervision and economy always; projects
-- only by a unit with a project not yet finished (its latest status in an earlier quarter
-- of the same year is not completed 竣工).
-- loaded: a current report exists (core.*); quarantined: reports were received for the
-- unit, kind and period (quarantine.reports, or problem rows naming the unit, e.g. of a
-- rejected consolidated file) but none loaded; missing: nothing received.
-- approval: the latest meta.approvals transition of the current version (null when it did
-- not come through the portal: a deposit's file needs no approval).
-- returned_correction: loaded, and a newer version of the same report was quarantined
-- (a correction sent back while the older version still counts). Newer: received later
-- than the version that counts, whatever 填报时间 it carries (a correction returned for
-- a 填报时间 before the first version's, or one past the round, is a correction all the
-- same: the filer sent it after the one that counts, and must hear why it was returned).
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
returned_versions AS (
    SELECT kind, unit_code, source_sha256
    FROM quarantine.reports WHERE period = $period AND unit_code IS NOT NULL
    UNION ALL
    SELECT DISTINCT p.kind, p.unit_code, p.source_sha256
    FROM quarantine.problems AS p
    WHERE p.period = $period AND p.unit_code IS NOT NULL AND p.kind IS NOT NULL
      AND NOT EXISTS (
          SELECT 1 FROM quarantine.reports AS r
          WHERE r.source_sha256 = p.source_sha256 AND r.kind = p.kind
            AND r.unit_code = p.unit_code AND r.period = $period
      )
),
corrections_returned AS (
    SELECT DISTINCT q.kind, q.unit_code
    FROM returned_versions AS q
    JOIN current AS c ON c.kind = q.kind AND c.unit_code = q.unit_code
    LEFT JOIN meta.file_manifest AS qm ON qm.sha256 = q.source_sha256
    LEFT JOIN meta.file_manifest AS cm ON cm.sha256 = c.source_sha256
    WHERE q.source_sha256 <> c.source_sha256
      AND qm.received_at > cm.received_at
),
project_states AS (
    SELECT unit_code, project_id, arg_max(status, period) AS last_status
    FROM core.projects
    WHERE substr(period, 1, 4) = substr($period, 1, 4) AND period < $period
    GROUP BY unit_code, project_id
),
owes_projects AS (
    SELECT DISTINCT unit_code FROM project_states WHERE last_status <> 'completed'
),
approval AS (
    SELECT kind, unit_code, source_sha256, arg_max(state, seq) AS state
    FROM meta.approvals WHERE period = $period
    GROUP BY ALL
),
kinds AS (
    SELECT u.unit_code, k.kind
    FROM units AS u CROSS JOIN (VALUES ('supervision'), ('economy')) AS k (kind)
    UNION
    SELECT unit_code, kind FROM current WHERE kind = 'projects'
    UNION
    SELECT unit_code, kind FROM returned_by_unit WHERE kind = 'projects'
    UNION
    SELECT unit_code, 'projects' FROM owes_projects
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
    CASE WHEN c.unit_code IS NOT NULL THEN coalesce(m.arrived_at, m.received_at) END
        AS arrived_at,
    CASE WHEN c.unit_code IS NOT NULL THEN m.received_at ELSE r.quarantined_at END
        AS received_at,
    c.source_sha256,
    coalesce(r.problems, 0) AS problems,
    c.unit_code IS NOT NULL AND x.unit_code IS NOT NULL AS returned_correction,
    k.kind <> 'projects' OR o.unit_code IS NOT NULL AS owed,
    a.state AS approval
FROM kinds AS k
JOIN units AS u USING (unit_code)
LEFT JOIN current AS c ON c.kind = k.kind AND c.unit_code = k.unit_code
LEFT JOIN returned_by_unit AS r ON r.kind = k.kind AND r.unit_code = k.unit_code
LEFT JOIN corrections_returned AS x ON x.kind = k.kind AND x.unit_code = k.unit_code
LEFT JOIN meta.file_manifest AS m ON m.sha256 = c.source_sha256
LEFT JOIN owes_projects AS o ON o.unit_code = k.unit_code
LEFT JOIN approval AS a
    ON a.kind = k.kind AND a.unit_code = k.unit_code AND a.source_sha256 = c.source_sha256
