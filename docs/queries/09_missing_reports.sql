-- Who has not reported in 2017Q4: per county (villages and townships included), the
-- units with no supervision report received (未报送) and those whose reports were all
-- returned (被退回: received, none loaded), from marts.filing_status (报送情况), with the
-- names of the missing ones. A returned correction whose older version still counts is
-- reported (status loaded), not missing.
SELECT
    county.name AS county,
    count(*) FILTER (WHERE f.status = 'missing') AS units_missing,
    count(*) FILTER (WHERE f.status = 'missing' AND f.level = 'village') AS villages_missing,
    count(*) FILTER (WHERE f.status = 'quarantined') AS units_returned,
    string_agg(u.name, '、' ORDER BY u.unit_code) FILTER (WHERE f.status = 'missing') AS names
FROM marts.filing_status AS f
JOIN core.units AS u ON u.unit_code = f.unit_code
JOIN core.units AS county ON county.level = 'county'
    AND county.unit_code = substr(f.unit_code, 1, 6) || '000000'
WHERE f.period = '2017Q4' AND f.kind = 'supervision' AND f.status <> 'loaded'
GROUP BY county.name
ORDER BY units_missing DESC, county
