-- The sources the last pull could not reach (the 通报's 数据质量 sheet): source, unit, since
-- when it was last reached (null: never), the error. Parameter: none.
SELECT s.source AS 来源, s.unit_code AS 单位代码, u.name AS 单位, s.attempted_at AS 最近尝试,
       s.reached_at AS 最近连通, s.error AS 错误
FROM meta.source_status s
LEFT JOIN core.units u USING (unit_code)
WHERE NOT s.reached
ORDER BY s.unit_code, s.source;
