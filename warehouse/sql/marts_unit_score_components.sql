-- marts.unit_score_components for $period: the components behind each unit's P and D
-- (every column of the working table but the unit's place and its scores).
INSERT INTO marts.unit_score_components BY NAME
SELECT
    b.* EXCLUDE (level, kind, parent_code, party_score, development_score, complete, missing_kinds),
    $rules_version AS rules_version
FROM temp.main.marts_score_base AS b
WHERE b.period = $period
