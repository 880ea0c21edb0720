-- Delete one period's partition of every marts table (before it is inserted afresh).
DELETE FROM marts.unit_scores WHERE period = $period;
DELETE FROM marts.unit_score_components WHERE period = $period;
DELETE FROM marts.linkage WHERE period = $period;
DELETE FROM marts.weak_villages WHERE period = $period;
DELETE FROM marts.city_summary WHERE period = $period
