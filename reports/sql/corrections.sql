-- 更正说明 of the 通报 of $period written again: per unit, its scores and ranks as the
-- earlier version showed them (the last marts.unit_scores_history row recorded up to
-- $as_of, when the earlier version was written) and as they stand now (the last row),
-- where they differ, with the parent's name (a village is named with its township).
-- Units in level order (county, township, village), then by code.
WITH hist AS (
    SELECT * FROM marts.unit_scores_history WHERE period = $period
),
was AS (
    SELECT * FROM hist
    WHERE recorded_at <= $as_of
    QUALIFY row_number() OVER (PARTITION BY unit_code ORDER BY recorded_at DESC) = 1
),
now_ AS (
    SELECT * FROM hist
    QUALIFY row_number() OVER (PARTITION BY unit_code ORDER BY recorded_at DESC) = 1
)
SELECT
    u.unit_code,
    u.name,
    u.level,
    p.name AS parent_name,
    w.party_score AS party_before,
    n.party_score AS party_after,
    w.development_score AS development_before,
    n.development_score AS development_after,
    w.composite_score AS composite_before,
    n.composite_score AS composite_after,
    w.rank_in_level AS rank_before,
    n.rank_in_level AS rank_after,
    w.rank_in_parent AS rank_in_parent_before,
    n.rank_in_parent AS rank_in_parent_after
FROM now_ AS n
FULL JOIN was AS w ON w.unit_code = n.unit_code
JOIN core.units AS u ON u.unit_code = coalesce(n.unit_code, w.unit_code)
LEFT JOIN core.units AS p ON p.unit_code = u.parent_code
WHERE (n.party_score, n.development_score, n.composite_score, n.rank_in_level,
       n.rank_in_parent)
      IS DISTINCT FROM
      (w.party_score, w.development_score, w.composite_score, w.rank_in_level,
       w.rank_in_parent)
ORDER BY CASE u.level WHEN 'county' THEN 1 WHEN 'township' THEN 2 ELSE 3 END, u.unit_code
