-- The pairs marts.linkage_effect is estimated from (warehouse/linkage_effect.py): for each
-- quarter of $window, every unit's D then with its P of the quarter before ($before, the
-- same position), both from marts.unit_scores (under the 2018 rules the rounded scores);
-- with $complete_units_only (2018) only units complete in both quarters.
WITH w AS (
    SELECT unnest($window) AS period, unnest($before) AS before
)
SELECT
    cur.level,
    cur.unit_code,
    cur.period,
    cur.development_score,
    prev.party_score AS party_score_before
FROM w
JOIN marts.unit_scores AS cur ON cur.period = w.period
JOIN marts.unit_scores AS prev ON prev.unit_code = cur.unit_code AND prev.period = w.before
WHERE cur.development_score IS NOT NULL
  AND prev.party_score IS NOT NULL
  AND (NOT $complete_units_only OR (cur.complete AND prev.complete))
ORDER BY cur.level, cur.unit_code, cur.period
