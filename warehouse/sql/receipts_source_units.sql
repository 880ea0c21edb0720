-- Receipts (回执): the unit of the source (CONTRACT §8) each pulled file came from, where
-- meta.pulls and meta.source_status exist: a rejected file that names no unit goes on
-- that unit's receipt.
SELECT DISTINCT p.sha256, s.unit_code
FROM meta.pulls AS p
JOIN meta.source_status AS s ON s.source = p.source
WHERE p.sha256 IS NOT NULL AND s.unit_code IS NOT NULL
