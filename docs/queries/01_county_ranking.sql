-- County ranking for a quarter: composite score C, its parts and the rank (RANK, ties share).
SELECT
    s.rank_in_level AS rank,
    u.name,
    s.unit_code,
    round(s.party_score::DECIMAL(18, 6), 2)::DOUBLE AS party_score,
    round(s.development_score::DECIMAL(18, 6), 2)::DOUBLE AS development_score,
    round(s.coefficient::DECIMAL(18, 6), 3)::DOUBLE AS coefficient,
    round(s.composite_score::DECIMAL(18, 6), 2)::DOUBLE AS composite_score,
    round(s.fusion::DECIMAL(18, 6), 2)::DOUBLE AS fusion,
    s.quadrant
FROM marts.unit_scores AS s
JOIN core.units AS u USING (unit_code)
WHERE s.period = '2017Q4' AND s.level = 'county'
ORDER BY s.rank_in_level NULLS LAST, u.name
