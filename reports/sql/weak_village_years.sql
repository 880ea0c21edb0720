-- 薄弱村认定: the latest annual determination made by the report's quarter
-- (the year itself on Q4, else the year before). first_year: the warehouse holds no
-- determination of the year before, so every weak village is "new" (nothing to compare).
SELECT
    year, unit_code, collective_income, party_score, weak, status,
    NOT EXISTS (
        SELECT 1 FROM marts.weak_village_years AS p WHERE p.year = y.year - 1
    ) AS first_year
FROM marts.weak_village_years AS y
WHERE year = (SELECT max(year) FROM marts.weak_village_years WHERE year <= $year)
