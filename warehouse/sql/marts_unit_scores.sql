-- marts.unit_scores for $period from the working scores (CONTRACT §4): coefficient k,
-- composite C = D × k, fusion F, quadrant against the same-level medians, and RANK()s
-- by C descending (units without C are not ranked). Scores are compared rounded to
-- 1e-9 so that values equal on paper are equal here (bands, medians, ties).
INSERT INTO marts.unit_scores
WITH
bands AS (
    SELECT unnest($band_lower::DOUBLE[]) AS lower_bound, unnest($band_coefficient::DOUBLE[]) AS k
),
scored AS (
    SELECT
        b.*,
        CASE
            WHEN b.party_score IS NULL THEN NULL
            WHEN $coefficient_method = 'linear' THEN b.party_score / 100.0
            ELSE (SELECT arg_max(k, lower_bound) FROM bands
                  WHERE lower_bound <= round(b.party_score, 9))
        END AS coefficient
    FROM temp.main.marts_score_base AS b
    WHERE b.period = $period
),
medians AS (
    SELECT
        level,
        round(median(party_score), 9) AS median_p,
        round(median(development_score), 9) AS median_d
    FROM scored
    GROUP BY level
),
composite AS (
    SELECT
        s.*,
        m.median_p,
        m.median_d,
        s.development_score * s.coefficient AS composite_score,
        round(s.development_score * s.coefficient, 9) AS composite_key
    FROM scored AS s
    JOIN medians AS m ON m.level = s.level
)
SELECT
    period,
    unit_code,
    level,
    parent_code,
    party_score,
    development_score,
    coefficient,
    composite_score,
    100.0 - abs(party_score - development_score) AS fusion,
    CASE
        WHEN party_score IS NULL OR development_score IS NULL THEN NULL
        WHEN round(party_score, 9) >= median_p AND round(development_score, 9) >= median_d
            THEN 'both_strong'
        WHEN round(party_score, 9) >= median_p THEN 'party_leads'
        WHEN round(development_score, 9) >= median_d THEN 'economy_leads'
        ELSE 'both_weak'
    END AS quadrant,
    CASE WHEN composite_key IS NOT NULL THEN rank() OVER (
        PARTITION BY level, composite_key IS NULL ORDER BY composite_key DESC
    ) END AS rank_in_level,
    CASE WHEN composite_key IS NOT NULL THEN rank() OVER (
        PARTITION BY level, parent_code, composite_key IS NULL ORDER BY composite_key DESC
    ) END AS rank_in_parent,
    $rules_version AS rules_version
FROM composite
