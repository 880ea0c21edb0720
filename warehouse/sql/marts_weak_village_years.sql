-- marts.weak_village_years for the year of $period, when $period is a fourth quarter
-- (CONTRACT §4, the annual determination 认定; other quarters: nothing happens).
-- A village (kind 'village') is determined in year Y from its Q4 reports: with
-- $complete_units_only (2018) only when complete in Q4; otherwise (2017) when it has a
-- Q4 P or collective income. It is weak when its Q4 (whole-year) collective income is
-- below $income_line or its Q4 P is below $party_line (an unknown figure does not make
-- it weak). Status against the determination of Y − 1 (already in this table):
-- new (weak in Y; not weak or not determined in Y − 1), continuing (weak in both),
-- rectified (脱薄: weak in Y − 1, determined not weak in Y), NULL (not weak in either).
-- Rebuilding Y also refreshes the status of Y + 1: marts_weak_village_years_next.sql.
DELETE FROM marts.weak_village_years
WHERE $period LIKE '%Q4' AND year = CAST(substr($period, 1, 4) AS INTEGER);

INSERT INTO marts.weak_village_years BY NAME
WITH q4 AS (
    SELECT
        CAST(substr(s.period, 1, 4) AS INTEGER) AS year,
        s.unit_code,
        e.collective_income,
        s.party_score,
        s.complete
    FROM temp.main.marts_score_base AS s
    LEFT JOIN counted_economy AS e ON e.unit_code = s.unit_code AND e.period = s.period
    WHERE s.period = $period AND $period LIKE '%Q4' AND s.kind = 'village'
),
determined AS (
    SELECT
        *,
        coalesce(round(collective_income, 9) < $income_line, false)
            OR coalesce(round(party_score, 9) < $party_line, false) AS weak
    FROM q4
    WHERE CASE WHEN $complete_units_only THEN complete
        ELSE party_score IS NOT NULL OR collective_income IS NOT NULL END
)
SELECT
    d.year,
    d.unit_code,
    d.collective_income,
    d.party_score,
    d.weak,
    CASE
        WHEN d.weak AND coalesce(prev.weak, false) THEN 'continuing'
        WHEN d.weak THEN 'new'
        WHEN prev.weak THEN 'rectified'
    END AS status,
    $rules_version AS rules_version
FROM determined AS d
LEFT JOIN marts.weak_village_years AS prev
    ON prev.unit_code = d.unit_code AND prev.year = d.year - 1
