-- marts.linkage for $period, one row per level with units scored (CONTRACT §5).
-- The units counted: with $complete_units_only (2018) the complete units, otherwise
-- (2017) every unit; correlations and quadrant counts over those with both P and D,
-- each median over those with that score. Under 2018 P and D are the rounded ones.
-- corr_party_development_next is filled by marts_linkage_next.sql.
INSERT INTO marts.linkage BY NAME
WITH s AS (
    SELECT *, NOT $complete_units_only OR complete AS eligible
    FROM marts.unit_scores
    WHERE period = $period
)
SELECT
    period,
    level,
    count(*) FILTER (
        WHERE eligible AND party_score IS NOT NULL AND development_score IS NOT NULL
    ) AS units,
    CASE
        WHEN count(*) FILTER (
            WHERE eligible AND party_score IS NOT NULL AND development_score IS NOT NULL
        ) >= 2
            THEN CASE
                WHEN NOT isnan(corr(party_score, development_score) FILTER (WHERE eligible))
                    THEN corr(party_score, development_score) FILTER (WHERE eligible)
            END
    END AS corr_party_development,
    NULL AS corr_party_development_next,
    median(party_score) FILTER (WHERE eligible) AS median_party_score,
    median(development_score) FILTER (WHERE eligible) AS median_development_score,
    count(*) FILTER (WHERE quadrant = 'both_strong') AS both_strong,
    count(*) FILTER (WHERE quadrant = 'party_leads') AS party_leads,
    count(*) FILTER (WHERE quadrant = 'economy_leads') AS economy_leads,
    count(*) FILTER (WHERE quadrant = 'both_weak') AS both_weak,
    $rules_version AS rules_version
FROM s
GROUP BY period, level
