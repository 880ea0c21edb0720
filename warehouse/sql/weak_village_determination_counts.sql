-- The weak-village determination (薄弱村年度认定) of year $year in numbers, for the demo
-- and the quarterly assessment: villages determined, weak, and by status (CONTRACT §4).
SELECT
    count(*) AS determined,
    count(*) FILTER (WHERE weak) AS weak,
    count(*) FILTER (WHERE status = 'new') AS new,
    count(*) FILTER (WHERE status = 'continuing') AS continuing,
    count(*) FILTER (WHERE status = 'rectified') AS rectified
FROM marts.weak_village_years
WHERE year = $year
