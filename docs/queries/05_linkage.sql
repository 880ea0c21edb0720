-- The linkage table: does party building go with development, now and a quarter later?
SELECT
    period,
    level,
    units,
    round(corr_party_development::DECIMAL(18, 6), 3)::DOUBLE AS corr_now,
    round(corr_party_development_next::DECIMAL(18, 6), 3)::DOUBLE AS corr_next_quarter,
    round(median_party_score::DECIMAL(18, 6), 2)::DOUBLE AS median_party_score,
    round(median_development_score::DECIMAL(18, 6), 2)::DOUBLE AS median_development_score,
    both_strong,
    party_leads,
    economy_leads,
    both_weak
FROM marts.linkage
ORDER BY period, CASE level WHEN 'county' THEN 1 WHEN 'township' THEN 2 ELSE 3 END
