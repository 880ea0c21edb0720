-- A township's villages and communities by composite score (here 掘港镇 of 如东县).
SELECT
    s.rank_in_parent AS rank,
    u.name,
    u.kind,
    s.unit_code,
    round(s.party_score::DECIMAL(18, 6), 2)::DOUBLE AS party_score,
    round(s.development_score::DECIMAL(18, 6), 2)::DOUBLE AS development_score,
    round(s.composite_score::DECIMAL(18, 6), 2)::DOUBLE AS composite_score,
    s.quadrant,
    w.unit_code IS NOT NULL AS weak_village
FROM marts.unit_scores AS s
JOIN core.units AS u USING (unit_code)
LEFT JOIN marts.weak_villages AS w ON w.period = s.period AND w.unit_code = s.unit_code
WHERE s.period = '2017Q4' AND s.parent_code = '320623100000'
ORDER BY s.rank_in_parent NULLS LAST, u.name
