-- marts.weak_villages for $period (CONTRACT §4), the quarterly early warning (预警):
-- villages (kind 'village', not communities) whose annualised collective income
-- (collective_income × 4 / q) is below $income_line or whose party score is below
-- $party_line. An unknown income or score does not put a village on the list. The
-- annual determination (认定) is marts.weak_village_years.
INSERT INTO marts.weak_villages BY NAME
WITH v AS (
    SELECT
        s.period,
        s.unit_code,
        e.collective_income * 4.0 / CAST(substr($period, 6, 1) AS INTEGER)
            AS collective_income_annualised,
        s.party_score
    FROM temp.main.marts_score_base AS s
    LEFT JOIN counted_economy AS e ON e.unit_code = s.unit_code AND e.period = s.period
    WHERE s.period = $period AND s.kind = 'village'
),
flagged AS (
    SELECT
        *,
        coalesce(round(collective_income_annualised, 9) < $income_line, false) AS low_income,
        coalesce(round(party_score, 9) < $party_line, false) AS low_party_score
    FROM v
)
SELECT
    period,
    unit_code,
    collective_income_annualised,
    party_score,
    low_income,
    low_party_score,
    $rules_version AS rules_version
FROM flagged
WHERE low_income OR low_party_score
