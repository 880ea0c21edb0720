-- marts.unit_scores for $period from the working scores (CONTRACT §4): coefficient k,
-- composite C = D × k, fusion F, quadrant against the same-level medians, and RANK()s
-- by C descending (units without C are not ranked).
--
-- Eligible for C, F, a quadrant, ranks and the medians: with $complete_units_only (2018)
-- the complete units only, otherwise (2017) every unit (C, F, quadrant and rank still
-- need both P and D; each median is over the units with that score).
-- With $round_scores (2018) P and D arrive rounded; k, C and F are computed from them in
-- DECIMAL arithmetic, so they are exact, and C is rounded half away from zero.
-- Without it (2017) they are computed in DOUBLE as they always were. Either way scores
-- are compared rounded to 1e-9 so that values equal on paper are equal here (bands,
-- medians, ties).
INSERT INTO marts.unit_scores BY NAME
WITH
bands AS (
    SELECT unnest($band_lower::DOUBLE[]) AS lower_bound, unnest($band_coefficient::DOUBLE[]) AS k
),
base AS (
    SELECT
        b.*,
        NOT $complete_units_only OR b.complete AS eligible,
        CAST(b.party_score AS DECIMAL(38, 9)) AS p_dec,
        CAST(b.development_score AS DECIMAL(38, 9)) AS d_dec,
        CASE WHEN b.party_score IS NOT NULL AND $coefficient_method <> 'linear'
            THEN (SELECT arg_max(k, lower_bound) FROM bands
                  WHERE lower_bound <= round(b.party_score, 9))
        END AS band_k
    FROM temp.main.marts_score_base AS b
    WHERE b.period = $period
),
scored AS (
    SELECT
        *,
        CASE
            WHEN party_score IS NULL THEN NULL
            WHEN $coefficient_method = 'linear' THEN party_score / 100.0
            ELSE band_k
        END AS coefficient_double,
        CASE
            WHEN $coefficient_method = 'linear' THEN p_dec * 0.01
            ELSE CAST(band_k AS DECIMAL(38, 9))
        END AS coefficient_dec
    FROM base
),
medians AS (
    SELECT
        level,
        round(median(party_score) FILTER (WHERE eligible), 9) AS median_p,
        round(median(development_score) FILTER (WHERE eligible), 9) AS median_d
    FROM scored
    GROUP BY level
),
composite AS (
    SELECT
        s.*,
        m.median_p,
        m.median_d,
        CASE
            WHEN NOT s.eligible THEN NULL
            WHEN NOT $round_scores
                THEN s.development_score * s.coefficient_double
            ELSE CAST(
                round(s.d_dec * s.coefficient_dec, $rounding) AS DOUBLE
            )
        END AS composite_score,
        CASE
            WHEN NOT s.eligible THEN NULL
            WHEN NOT $round_scores
                THEN 100.0 - abs(s.party_score - s.development_score)
            ELSE CAST(100 - abs(s.p_dec - s.d_dec) AS DOUBLE)
        END AS fusion,
        CASE WHEN NOT $round_scores THEN s.coefficient_double
            ELSE CAST(s.coefficient_dec AS DOUBLE) END AS coefficient
    FROM scored AS s
    JOIN medians AS m ON m.level = s.level
),
keyed AS (
    SELECT *, round(composite_score, 9) AS composite_key FROM composite
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
    fusion,
    CASE
        WHEN NOT eligible OR party_score IS NULL OR development_score IS NULL THEN NULL
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
    complete,
    missing_kinds,
    $rules_version AS rules_version
FROM keyed
