-- marts.linkage.corr_party_development_next for $period: the Pearson correlation of P in
-- $period (marts.unit_scores) and D in $next_period (the working scores), over the units
-- of the level with both (with $complete_units_only, 2018: units complete in both
-- quarters); NULL for fewer than two such units (e.g. no later quarter).
UPDATE marts.linkage AS l
SET corr_party_development_next = (
    SELECT CASE WHEN count(*) >= 2 THEN (
        CASE WHEN NOT isnan(corr(cur.party_score, nxt.development_score))
            THEN corr(cur.party_score, nxt.development_score) END
    ) END
    FROM marts.unit_scores AS cur
    JOIN temp.main.marts_score_base AS nxt
        ON nxt.unit_code = cur.unit_code AND nxt.period = $next_period
    WHERE cur.period = l.period
      AND cur.level = l.level
      AND cur.party_score IS NOT NULL
      AND nxt.development_score IS NOT NULL
      AND (NOT $complete_units_only OR (cur.complete AND nxt.complete))
)
WHERE l.period = $period
