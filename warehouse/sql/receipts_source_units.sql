-- Receipts (回执): the unit of the source (CONTRACT §8) each pulled file came from, as
-- recorded when it was pulled (meta.pulls.unit_code): a rejected file that names no unit
-- goes on that unit's receipt.
SELECT DISTINCT sha256, unit_code
FROM meta.pulls
WHERE sha256 IS NOT NULL AND unit_code IS NOT NULL
