-- County ranking for a quarter: composite score C, its parts and the rank (RANK, ties share).
SELECT
    s.rank_in_level AS rank,
    u.name,
    s.unit_code,
    round(s.party_score, 1) AS party_score,
    round(s.development_score, 1) AS development_score,
    round(s.coefficient, 3) AS coefficient,
    round(s.composite_score, 1) AS composite_score,
    round(s.fusion, 1) AS fusion,
    s.quadrant
FROM marts.unit_scores AS s
JOIN core.units AS u USING (unit_code)
WHERE s.period = '2017Q4' AND s.level = 'county'
ORDER BY s.rank_in_level NULLS LAST, u.name
