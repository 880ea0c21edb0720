-- Every unit valid in the quarter with its scores (NULL where it filed nothing), names up
-- the tree, and its ranks in the previous quarter. Under the 2018 rules only complete
-- units have C, F, a quadrant and ranks; missing_kinds says what the others lack.
WITH valid AS (
    SELECT *
    FROM core.units
    WHERE (valid_from IS NULL OR valid_from <= $period)
      AND (valid_to IS NULL OR valid_to >= $period)
)
SELECT
    u.unit_code,
    u.name,
    u.level,
    u.kind,
    u.parent_code,
    p.name AS parent_name,
    CASE u.level
        WHEN 'county' THEN u.unit_code
        WHEN 'township' THEN u.parent_code
        ELSE p.parent_code
    END AS county_code,
    CASE u.level WHEN 'village' THEN u.parent_code END AS township_code,
    s.party_score,
    s.development_score,
    s.coefficient,
    s.composite_score,
    s.fusion,
    s.quadrant,
    s.rank_in_level,
    s.rank_in_parent,
    s.complete,
    s.missing_kinds,
    s.rules_version,
    s.unit_code IS NOT NULL AS scored,
    prev.rank_in_level AS previous_rank_in_level,
    prev.rank_in_parent AS previous_rank_in_parent
FROM valid AS u
LEFT JOIN core.units AS p ON p.unit_code = u.parent_code
LEFT JOIN marts.unit_scores AS s ON s.unit_code = u.unit_code AND s.period = $period
LEFT JOIN marts.unit_scores AS prev ON prev.unit_code = u.unit_code AND prev.period = $previous
WHERE u.level IN ('county', 'township', 'village')
ORDER BY u.level, s.rank_in_level NULLS LAST, u.unit_code
