-- 概况: the city summary for the report's quarter, the two before it and a year earlier.
SELECT * FROM marts.city_summary WHERE period IN ($period, $previous, $year_ago, $before)
