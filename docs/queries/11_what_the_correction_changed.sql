-- 11. 更正改变了什么：每个季度最近一次重算与其前一次相比，得分或排名变动的单位
-- (the score history, marts.unit_scores_history: the last two recorded rows of each
-- unit and quarter, where there are two). Add `WHERE h.period = '2017Q1'` for one quarter.
WITH h AS (
    SELECT
        *,
        row_number() OVER (PARTITION BY period, unit_code ORDER BY recorded_at DESC) AS nth
    FROM marts.unit_scores_history
)
SELECT
    a.period,
    a.unit_code,
    u.name,
    round(b.party_score::DECIMAL(18, 6), 2)::DOUBLE AS party_before,
    round(a.party_score::DECIMAL(18, 6), 2)::DOUBLE AS party_after,
    round(b.development_score::DECIMAL(18, 6), 2)::DOUBLE AS development_before,
    round(a.development_score::DECIMAL(18, 6), 2)::DOUBLE AS development_after,
    round(b.composite_score::DECIMAL(18, 6), 2)::DOUBLE AS composite_before,
    round(a.composite_score::DECIMAL(18, 6), 2)::DOUBLE AS composite_after,
    b.rank_in_level AS rank_before,
    a.rank_in_level AS rank_after,
    b.recorded_at AS recorded_before,
    a.recorded_at AS recorded_after,
    a.run_id
FROM h AS a
JOIN h AS b ON b.period = a.period AND b.unit_code = a.unit_code AND b.nth = 2
JOIN core.units AS u ON u.unit_code = a.unit_code
WHERE a.nth = 1
ORDER BY a.period, a.rank_in_level NULLS LAST, a.unit_code
