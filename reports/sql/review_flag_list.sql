-- 存在问题 / 下步工作: the quarter's review flags (核实, CONTRACT §9), one row per flag.
SELECT f.unit_code, f.kind, f.rule, f."column", f.explained
FROM marts.review_flags AS f
WHERE f.period = $period
ORDER BY f.unit_code, f.kind, f.rule, f."column"
