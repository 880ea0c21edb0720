-- Quarter-on-quarter movers: the largest changes of composite score from 2017Q3 to
-- 2017Q4, with the change of rank within the level (positive = moved up).
SELECT
    cur.level,
    u.name,
    cur.unit_code,
    round(prev.composite_score::DECIMAL(18, 6), 2)::DOUBLE AS composite_before,
    round(cur.composite_score::DECIMAL(18, 6), 2)::DOUBLE AS composite_after,
    round((cur.composite_score - prev.composite_score)::DECIMAL(18, 6), 2)::DOUBLE AS change,
    prev.rank_in_level - cur.rank_in_level AS rank_change
FROM marts.unit_scores AS cur
JOIN marts.unit_scores AS prev
    ON prev.unit_code = cur.unit_code AND prev.period = '2017Q3'
JOIN core.units AS u ON u.unit_code = cur.unit_code
WHERE cur.period = '2017Q4'
  AND cur.composite_score IS NOT NULL
  AND prev.composite_score IS NOT NULL
ORDER BY abs(cur.composite_score - prev.composite_score) DESC, cur.unit_code
LIMIT 20
