-- 薄弱村认定: the latest annual determination made by the report's quarter
-- (the year itself on Q4, else the year before).
SELECT year, unit_code, collective_income, party_score, weak, status
FROM marts.weak_village_years
WHERE year = (SELECT max(year) FROM marts.weak_village_years WHERE year <= $year)
