-- Villages compared across counties for 2017Q4: mean scores of the village-level units
-- under each county, the share in the "both strong" quadrant, and weak villages.
SELECT
    county.name AS county,
    count(*) AS villages_scored,
    round(avg(s.party_score)::DECIMAL(18, 6), 2)::DOUBLE AS mean_party_score,
    round(avg(s.development_score)::DECIMAL(18, 6), 2)::DOUBLE AS mean_development_score,
    round(avg(s.composite_score)::DECIMAL(18, 6), 2)::DOUBLE AS mean_composite_score,
    round(avg(CASE WHEN s.quadrant = 'both_strong' THEN 1.0 ELSE 0.0 END)
        FILTER (WHERE s.quadrant IS NOT NULL)::DECIMAL(18, 6), 3)::DOUBLE AS share_both_strong,
    count(w.unit_code) AS weak_villages
FROM marts.unit_scores AS s
JOIN core.units AS county
    ON county.unit_code = substr(s.unit_code, 1, 6) || '000000'
LEFT JOIN marts.weak_villages AS w ON w.period = s.period AND w.unit_code = s.unit_code
WHERE s.period = '2017Q4' AND s.level = 'village'
GROUP BY county.name
ORDER BY mean_composite_score DESC NULLS LAST, county
