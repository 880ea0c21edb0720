-- The quarters that have marts, up to the report's quarter.
SELECT DISTINCT period FROM marts.unit_scores WHERE period <= $period ORDER BY period
