-- The weak-village trend: villages on the list per quarter, why, how many are new and
-- how many left the list (rectified) since the village's previous assessed quarter.
SELECT
    period,
    count(*) FILTER (WHERE on_list) AS weak_villages,
    count(*) FILTER (WHERE on_list AND low_income) AS low_income,
    count(*) FILTER (WHERE on_list AND low_party_score) AS low_party_score,
    count(*) FILTER (WHERE status = 'new') AS newly_listed,
    count(*) FILTER (WHERE status = 'rectified') AS rectified
FROM marts.weak_village_history
GROUP BY period
ORDER BY period
