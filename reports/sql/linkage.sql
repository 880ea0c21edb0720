-- 联动分析: one row per level for the quarter.
SELECT * FROM marts.linkage WHERE period = $period
