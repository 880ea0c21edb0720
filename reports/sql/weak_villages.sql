-- 薄弱村: the early-warning list of the quarter.
SELECT
    w.unit_code,
    w.collective_income_annualised,
    w.party_score,
    w.low_income,
    w.low_party_score
FROM marts.weak_villages AS w
WHERE w.period = $period
ORDER BY w.unit_code
