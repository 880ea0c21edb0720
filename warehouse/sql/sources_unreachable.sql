-- The sources the last pull could not reach (the 通报's 数据质量 sheet): source, unit, when
-- it was last tried and last reached (null: never), the error. Parameter: none.
SELECT s.source, s.unit_code, u.name AS unit_name, s.attempted_at, s.reached_at, s.error
FROM meta.source_status s
LEFT JOIN core.units u USING (unit_code)
WHERE NOT s.reached
ORDER BY s.unit_code, s.source;
