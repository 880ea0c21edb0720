-- Every unit valid in the quarter with its scores (NULL where it filed nothing), names up
-- the tree, and its ranks in the previous quarter. s.* carries whatever columns
-- marts.unit_scores has (complete and missing_kinds arrive with the 2018 rules).
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
    s.* EXCLUDE (unit_code, level, parent_code, period),
    s.unit_code IS NOT NULL AS scored,
    prev.rank_in_level AS previous_rank_in_level,
    prev.rank_in_parent AS previous_rank_in_parent
FROM valid AS u
LEFT JOIN core.units AS p ON p.unit_code = u.parent_code
LEFT JOIN marts.unit_scores AS s ON s.unit_code = u.unit_code AND s.period = $period
LEFT JOIN marts.unit_scores AS prev ON prev.unit_code = u.unit_code AND prev.period = $previous
WHERE u.level IN ('county', 'township', 'village')
ORDER BY u.level, s.rank_in_level NULLS LAST, u.unit_code
