-- 数据质量: the quarter's review flags (核实), all and explained.
SELECT count(*), count(*) FILTER (WHERE explained) FROM marts.review_flags WHERE period = $period
