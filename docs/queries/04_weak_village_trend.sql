-- Weak villages year by year (薄弱村年度认定): on each year's fourth quarter, how many
-- villages were determined, how many weak, and of those how many newly weak or still
-- weak, and how many left the list (rectified, 脱薄) since the year before.
SELECT
    year,
    count(*) AS villages_determined,
    count(*) FILTER (WHERE weak) AS weak_villages,
    count(*) FILTER (WHERE status = 'new') AS newly_weak,
    count(*) FILTER (WHERE status = 'continuing') AS continuing,
    count(*) FILTER (WHERE status = 'rectified') AS rectified
FROM marts.weak_village_years
GROUP BY year
ORDER BY year
