-- Receipts (回执): every file received for a registered unit in $period, one row per
-- (file, unit its rows name): loaded rows (raw.*, every version), quarantined reports
-- and problem rows (e.g. of a file rejected whole for a missing column). `loaded`: the
-- unit's rows of the file were loaded; `counts`: the file is the unit's current version.
WITH named AS (
    SELECT 'supervision' AS kind, source_sha256 AS sha256, unit_code, true AS loaded
    FROM raw.supervision WHERE period = $period
    UNION
    SELECT 'economy', source_sha256, unit_code, true FROM raw.economy WHERE period = $period
    UNION
    SELECT 'projects', source_sha256, unit_code, true FROM raw.projects WHERE period = $period
    UNION
    SELECT kind, source_sha256, unit_code, false
    FROM quarantine.reports WHERE period = $period AND unit_code IS NOT NULL
    UNION
    SELECT kind, source_sha256, unit_code, false
    FROM quarantine.problems
    WHERE period = $period AND unit_code IS NOT NULL AND kind IS NOT NULL
),
current AS (
    SELECT 'supervision' AS kind, source_sha256 AS sha256, unit_code
    FROM core.supervision WHERE period = $period
    UNION
    SELECT 'economy', source_sha256, unit_code FROM core.economy WHERE period = $period
    UNION
    SELECT 'projects', source_sha256, unit_code FROM core.projects WHERE period = $period
)
SELECT
    n.sha256,
    n.unit_code,
    n.kind,
    bool_or(n.loaded) AS loaded,
    bool_or(c.sha256 IS NOT NULL) AS counts,
    any_value(m.path) AS path,
    any_value(m.received_at) AS received_at,
    any_value(m.status) AS file_status,
    any_value(f.reasons) AS file_reasons,
    any_value(m.sheets) AS sheets
FROM named AS n
JOIN core.units AS u ON u.unit_code = n.unit_code
JOIN meta.file_manifest AS m ON m.sha256 = n.sha256
LEFT JOIN quarantine.files AS f ON f.sha256 = n.sha256
LEFT JOIN current AS c ON c.sha256 = n.sha256 AND c.unit_code = n.unit_code AND c.kind = n.kind
GROUP BY n.sha256, n.unit_code, n.kind
ORDER BY received_at, n.sha256, n.unit_code
