-- 联动分析: one row per level for the quarter, with the lagged effect of party building on
-- development estimated for it (marts.linkage_effect; the effect_* columns NULL where none).
SELECT
    l.*,
    e.first_period AS effect_first_period,
    e.units AS effect_units,
    e.observations AS effect_pairs,
    e.effect,
    e.ci_low AS effect_ci_low,
    e.ci_high AS effect_ci_high,
    e.p_value AS effect_p_value
FROM marts.linkage AS l
LEFT JOIN marts.linkage_effect AS e ON e.period = l.period AND e.level = l.level
WHERE l.period = $period
