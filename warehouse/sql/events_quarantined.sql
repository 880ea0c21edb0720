-- The reports quarantined from the files $shas (a run's new files), for the
-- ronghe.report.quarantined events: the unit (else the unit owning the file's source),
-- its township and county, the reasons, how many problems, the file's path.
WITH chain AS (
    SELECT u.unit_code,
           CASE WHEN p1.level = 'township' THEN p1.unit_code END AS township,
           CASE WHEN p1.level = 'county' THEN p1.unit_code
                WHEN p2.level = 'county' THEN p2.unit_code END AS county
    FROM core.units u
    LEFT JOIN core.units p1 ON p1.unit_code = u.parent_code
    LEFT JOIN core.units p2 ON p2.unit_code = p1.parent_code
),
owners AS (
    SELECT sha256, any_value(unit_code) AS unit_code
    FROM meta.pulls WHERE sha256 IN $shas GROUP BY sha256
),
quarantined AS (
    SELECT q.source_sha256, q.kind, coalesce(q.unit_code, o.unit_code) AS unit_code, q.period,
           list_sort(list_distinct(flatten(list(q.reasons)))) AS reasons
    FROM quarantine.reports q
    LEFT JOIN owners o ON o.sha256 = q.source_sha256
    WHERE q.source_sha256 IN $shas
    GROUP BY ALL
)
SELECT q.source_sha256, q.kind, q.unit_code, q.period, q.reasons,
       (SELECT count(*) FROM quarantine.problems p
        WHERE p.source_sha256 = q.source_sha256 AND p.kind = q.kind
          AND p.unit_code IS NOT DISTINCT FROM q.unit_code
          AND p.period IS NOT DISTINCT FROM q.period) AS problems,
       m.path, c.township, c.county
FROM quarantined q
JOIN meta.file_manifest m ON m.sha256 = q.source_sha256
LEFT JOIN chain c ON c.unit_code = q.unit_code
WHERE q.unit_code IS NOT NULL
ORDER BY q.unit_code, q.kind, q.period, q.source_sha256;
