-- Receipts (回执): the review flags (核实, CONTRACT §9) of $period not yet explained in
-- 「说明」: they do not block, but the filer must confirm the figures (需核实).
SELECT unit_code, kind, rule, "column", message_zh
FROM marts.review_flags
WHERE period = $period AND NOT explained
ORDER BY unit_code, kind, project_id NULLS FIRST, rule, "column"
