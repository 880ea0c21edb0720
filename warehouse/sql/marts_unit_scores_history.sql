-- Append to marts.unit_scores_history the rows of $period's fresh marts.unit_scores that
-- differ from each unit's last recorded row for the period, and a row of NULLs for a
-- unit recorded before and no longer scored. run_id: the run recording itself as
-- running in meta.runs (the one writer), NULL outside a run.
INSERT INTO marts.unit_scores_history BY NAME
WITH last AS (
    SELECT * EXCLUDE (run_id, recorded_at)
    FROM marts.unit_scores_history
    WHERE period = $period
    QUALIFY row_number() OVER (PARTITION BY unit_code ORDER BY recorded_at DESC) = 1
),
now_ AS (
    SELECT
        period, unit_code, party_score, development_score, composite_score, fusion,
        quadrant, rank_in_level, rank_in_parent, complete, rules_version
    FROM marts.unit_scores
    WHERE period = $period
),
changed AS (
    SELECT n.* FROM now_ AS n
    LEFT JOIN last AS l ON l.unit_code = n.unit_code
    WHERE l.unit_code IS NULL
       OR (n.party_score, n.development_score, n.composite_score, n.fusion, n.quadrant,
           n.rank_in_level, n.rank_in_parent, n.complete, n.rules_version)
          IS DISTINCT FROM
          (l.party_score, l.development_score, l.composite_score, l.fusion, l.quadrant,
           l.rank_in_level, l.rank_in_parent, l.complete, l.rules_version)
    UNION ALL BY NAME
    SELECT l.period, l.unit_code
    FROM last AS l
    WHERE l.rules_version IS NOT NULL
      AND l.unit_code NOT IN (SELECT unit_code FROM now_)
)
SELECT
    *,
    (SELECT max_by(run_id, started_at) FROM meta.runs WHERE state = 'running') AS run_id,
    CAST(current_localtimestamp() AS TIMESTAMP) AS recorded_at
FROM changed
