-- 联动分析: the marts beside marts.linkage (marts.linkage_*, e.g. an estimate of the
-- lagged effect), whose figures the 通报 may quote; each is read for the quarter where it
-- has a period column.
SELECT t.table_name, bool_or(c.column_name = 'period') AS has_period
FROM information_schema.tables AS t
JOIN information_schema.columns AS c
    ON c.table_schema = t.table_schema AND c.table_name = t.table_name
WHERE t.table_schema = 'marts' AND t.table_name LIKE 'linkage\_%' ESCAPE '\'
GROUP BY t.table_name
ORDER BY t.table_name
