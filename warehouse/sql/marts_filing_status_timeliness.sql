-- marts.filing_status of $period: due_at and timeliness (CONTRACT §9), after the rows are
-- inserted (marts_filing_status.sql). The deadline of each level is bound from the rules
-- ($due_village, $due_township, $due_county); "now" is $now (a parameter, for tests).
-- A report is on time by the ARRIVAL of its FIRST version that loaded (the manifest's
-- arrived_at: first seen at its deposit by a pull, the portal's confirmation, or the inbox
-- file's modification time), never by the time it was loaded (a backfill of files filed on
-- time years ago is on time) nor by its 填报时间 (a filer can type any date); a later
-- correction does not make a report late. A version that was returned does not count.
UPDATE marts.filing_status AS f
SET due_at = t.due_at, first_received_at = t.first_received_at,
    first_arrived_at = t.first_arrived_at, timeliness = t.timeliness
FROM (
    WITH deadlines AS (
        SELECT * FROM (
            VALUES ('village', $due_village), ('township', $due_township),
                ('county', $due_county)
        ) AS d (level, due_at)
    ),
    versions AS (
        SELECT DISTINCT unit_code, 'supervision' AS kind, source_sha256
        FROM raw.supervision WHERE period = $period
        UNION ALL
        SELECT DISTINCT unit_code, 'economy', source_sha256 FROM raw.economy WHERE period = $period
        UNION ALL
        SELECT DISTINCT unit_code, 'projects', source_sha256 FROM raw.projects WHERE period = $period
    ),
    firsts AS (
        SELECT
            v.unit_code,
            v.kind,
            min(m.received_at) AS first_received_at,
            min(coalesce(m.arrived_at, m.received_at)) AS first_arrived_at
        FROM versions AS v JOIN meta.file_manifest AS m ON m.sha256 = v.source_sha256
        GROUP BY ALL
    )
    SELECT
        s.unit_code,
        s.kind,
        d.due_at,
        r.first_received_at,
        r.first_arrived_at,
        CASE
            WHEN s.status = 'loaded' AND r.first_arrived_at <= d.due_at THEN 'on_time'
            WHEN s.status = 'loaded' THEN 'late'
            WHEN $now > d.due_at THEN 'overdue'
            ELSE 'not_due'
        END AS timeliness
    FROM marts.filing_status AS s
    JOIN deadlines AS d ON d.level = s.level
    LEFT JOIN firsts AS r ON r.unit_code = s.unit_code AND r.kind = s.kind
    WHERE s.period = $period
) AS t
WHERE f.period = $period AND f.unit_code = t.unit_code AND f.kind = t.kind
