-- One unit's history (here 瑞丰村): scores, ranks, the components behind P and D, whether
-- it was on the quarter's weak-village early warning, and the year's determination.
SELECT
    s.period,
    round(s.party_score::DECIMAL(18, 6), 2)::DOUBLE AS party_score,
    round(s.development_score::DECIMAL(18, 6), 2)::DOUBLE AS development_score,
    round(s.composite_score::DECIMAL(18, 6), 2)::DOUBLE AS composite_score,
    s.rank_in_level,
    s.rank_in_parent,
    s.quadrant,
    round(c.checklist::DECIMAL(18, 6), 3)::DOUBLE AS checklist,
    round(c.secretary_projects::DECIMAL(18, 6), 3)::DOUBLE AS secretary_projects,
    round(c.collective::DECIMAL(18, 6), 3)::DOUBLE AS collective,
    round(c.investment::DECIMAL(18, 6), 3)::DOUBLE AS investment,
    h.on_list AS weak_warning,
    h.year_status AS weak_village_year_status,
    s.rules_version
FROM marts.unit_scores AS s
JOIN marts.unit_score_components AS c USING (period, unit_code)
LEFT JOIN marts.weak_village_history AS h USING (period, unit_code)
WHERE s.unit_code = '320623100200'
ORDER BY s.period
