-- 概况: the city summary for the report's quarter, the previous one and a year earlier.
SELECT * FROM marts.city_summary WHERE period IN ($period, $previous, $year_ago)
