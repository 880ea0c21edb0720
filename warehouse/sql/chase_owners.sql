-- The units that receive a chase list (催报) in $period: every township and county-level
-- unit valid in it, with its name.
SELECT unit_code, name, level
FROM core.units
WHERE level IN ('county', 'township')
  AND (valid_from IS NULL OR valid_from <= $period)
  AND (valid_to IS NULL OR $period <= valid_to)
ORDER BY unit_code
