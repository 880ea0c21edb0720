-- marts.linkage for $period, one row per level with units scored (CONTRACT §5).
-- corr_party_development_next is filled by marts_linkage_next.sql.
INSERT INTO marts.linkage
SELECT
    period,
    level,
    count(*) FILTER (WHERE party_score IS NOT NULL AND development_score IS NOT NULL) AS units,
    CASE
        WHEN count(*) FILTER (
            WHERE party_score IS NOT NULL AND development_score IS NOT NULL
        ) >= 2
            THEN CASE
                WHEN NOT isnan(corr(party_score, development_score))
                    THEN corr(party_score, development_score)
            END
    END AS corr_party_development,
    NULL AS corr_party_development_next,
    median(party_score) AS median_party_score,
    median(development_score) AS median_development_score,
    count(*) FILTER (WHERE quadrant = 'both_strong') AS both_strong,
    count(*) FILTER (WHERE quadrant = 'party_leads') AS party_leads,
    count(*) FILTER (WHERE quadrant = 'economy_leads') AS economy_leads,
    count(*) FILTER (WHERE quadrant = 'both_weak') AS both_weak
FROM marts.unit_scores
WHERE period = $period
GROUP BY period, level
