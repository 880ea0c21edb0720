-- Who has not reported: units valid in 2017Q4 without a current supervision report,
-- counted per county (villages and townships included), with a few example names.
WITH valid AS (
    SELECT *
    FROM core.units
    WHERE (valid_from IS NULL OR valid_from <= '2017Q4')
      AND (valid_to IS NULL OR valid_to >= '2017Q4')
),
missing AS (
    SELECT v.*
    FROM valid AS v
    WHERE NOT EXISTS (
        SELECT 1 FROM core.supervision AS s
        WHERE s.unit_code = v.unit_code AND s.period = '2017Q4'
    )
)
SELECT
    county.name AS county,
    count(*) AS units_missing,
    count(*) FILTER (WHERE m.level = 'village') AS villages_missing,
    string_agg(m.name, '、' ORDER BY m.unit_code) AS names
FROM missing AS m
JOIN valid AS county ON county.level = 'county'
    AND county.unit_code = substr(m.unit_code, 1, 6) || '000000'
GROUP BY county.name
ORDER BY units_missing DESC, county
