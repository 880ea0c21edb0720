-- marts.review_flags of $period (核实, CONTRACT §9): figures of the current reports that
-- moved oddly against the same unit's current report of $previous_period. Thresholds,
-- switches and columns are bound from the rules file ([review.*]); the Chinese labels
-- come from the column declaration (temp table review_labels: kind, column, zh).
-- Flags never quarantine and never touch a score. A report whose 「说明」 is filled has
-- its flags explained (for projects: any row of the unit's project report).
CREATE OR REPLACE TEMP MACRO review_num(x) AS
    regexp_replace(CAST(round(x, 4) AS VARCHAR), '\.0$', '');

DELETE FROM marts.review_flags WHERE period = $period;

INSERT INTO marts.review_flags
WITH econ AS (
    SELECT c.unit_code, c.source_sha256, c.explanation, u.col,
        u.value, p.value AS previous_value
    FROM core.economy AS c
    CROSS JOIN LATERAL (
        VALUES ('gdp', c.gdp), ('fiscal_revenue', c.fiscal_revenue),
            ('collective_income', c.collective_income), ('gdp_growth_pct', c.gdp_growth_pct),
            ('income_growth_pct', c.income_growth_pct)
    ) AS u (col, value)
    JOIN (
        SELECT e.unit_code, v.col, v.value
        FROM core.economy AS e
        CROSS JOIN LATERAL (
            VALUES ('gdp', e.gdp), ('fiscal_revenue', e.fiscal_revenue),
                ('collective_income', e.collective_income),
                ('gdp_growth_pct', e.gdp_growth_pct), ('income_growth_pct', e.income_growth_pct)
        ) AS v (col, value)
        WHERE e.period = $previous_period
    ) AS p ON p.unit_code = c.unit_code AND p.col = u.col
    WHERE c.period = $period AND u.value IS NOT NULL AND p.value IS NOT NULL
),
proj AS (
    SELECT c.unit_code, c.source_sha256, c.project_id, c.name,
        c.completed_investment, c.progress_pct,
        p.completed_investment AS prev_investment, p.progress_pct AS prev_progress,
        (SELECT string_agg(DISTINCT nullif(trim(x.explanation), ''), '；')
         FROM core.projects AS x
         WHERE x.unit_code = c.unit_code AND x.period = $period) AS explanation
    FROM core.projects AS c
    JOIN core.projects AS p
        ON p.unit_code = c.unit_code AND p.project_id = c.project_id
        AND p.period = $previous_period
    WHERE c.period = $period
),
flags AS (
    SELECT unit_code, 'economy' AS kind, source_sha256, 'ytd_decrease' AS rule, col AS "column",
        value, previous_value, explanation, NULL AS project_id,
        '」本季度为' || review_num(value) || '，低于上季度累计的' || review_num(previous_value)
            || '，请核实并在「说明」中注明原因' AS tail
    FROM econ
    WHERE $review_ytd_decrease AND $same_year AND list_contains($columns_ytd_decrease, col)
      AND value < previous_value - $threshold_ytd_decrease
    UNION ALL
    SELECT unit_code, 'economy', source_sha256, 'growth_jump', col, value, previous_value,
        explanation, NULL,
        '」本季度为' || review_num(value) || '，与上季度的' || review_num(previous_value)
            || '相差' || review_num(abs(value - previous_value)) || '个百分点，超过'
            || review_num($threshold_growth_jump) || '个百分点，请核实并在「说明」中注明原因'
    FROM econ
    WHERE $review_growth_jump AND list_contains($columns_growth_jump, col)
      AND abs(value - previous_value) > $threshold_growth_jump
    UNION ALL
    SELECT c.unit_code, 'supervision', c.source_sha256, 'party_members_change', 'party_members',
        c.party_members, p.party_members, c.explanation, NULL,
        '」本季度为' || c.party_members || '，较上季度的' || p.party_members || '变动'
            || review_num(round(100.0 * abs(c.party_members - p.party_members)
                / p.party_members, 1))
            || '%，超过' || review_num($threshold_party_members_change)
            || '%，请核实并在「说明」中注明原因'
    FROM core.supervision AS c
    JOIN core.supervision AS p ON p.unit_code = c.unit_code AND p.period = $previous_period
    WHERE $review_party_members_change AND c.period = $period AND p.party_members > 0
      AND 100.0 * abs(c.party_members - p.party_members) / p.party_members
          > $threshold_party_members_change
    UNION ALL
    SELECT unit_code, 'projects', source_sha256, 'ytd_decrease', 'completed_investment',
        completed_investment, prev_investment, explanation, project_id,
        '」本季度为' || review_num(completed_investment) || '，低于上季度累计的'
            || review_num(prev_investment) || '，请核实并在「说明」中注明原因'
    FROM proj
    WHERE $review_ytd_decrease AND $same_year
      AND list_contains($columns_ytd_decrease, 'completed_investment')
      AND completed_investment < prev_investment - $threshold_ytd_decrease
    UNION ALL
    SELECT unit_code, 'projects', source_sha256, 'progress_backwards', 'progress_pct',
        progress_pct, prev_progress, explanation, project_id,
        '」本季度为' || review_num(progress_pct) || '，低于上季度的' || review_num(prev_progress)
            || '，形象进度不应倒退，请核实并在「说明」中注明原因'
    FROM proj
    WHERE $review_progress_backwards
      AND progress_pct < prev_progress - $threshold_progress_backwards
    UNION ALL
    SELECT t.unit_code, t.kind, t.source_sha256, 'total_mismatch', t."column",
        t.total_value, t.rows_sum,
        (SELECT string_agg(DISTINCT nullif(trim(r.explanation), ''), '；')
         FROM (
             SELECT unit_code, period, source_sha256, explanation FROM core.supervision
             UNION ALL
             SELECT unit_code, period, source_sha256, explanation FROM core.projects
             UNION ALL
             SELECT unit_code, period, source_sha256, explanation FROM core.economy
         ) AS r
         WHERE r.source_sha256 = t.source_sha256 AND r.period = t.period
           AND r.unit_code = t.unit_code),
        NULL,
        '」为' || review_num(t.total_value) || '，与其所合计各行之和' || review_num(t.rows_sum)
            || '不符（' || coalesce(t.sheet || '工作表', '') || coalesce('第' || t.sheet_row
            || '行', '') || '），请核实并在「说明」中注明原因'
    FROM meta.total_mismatches AS t
    WHERE $review_total_mismatch AND t.period = $period
      AND abs(t.total_value - t.rows_sum) > $threshold_total_mismatch
)
SELECT
    $period AS period,
    f.unit_code,
    f.kind,
    f.source_sha256,
    f.rule,
    f."column",
    f.value,
    f.previous_value,
    CASE
        WHEN f.rule = 'total_mismatch' THEN '合计行「'
        WHEN f.project_id IS NOT NULL THEN '项目「' || coalesce(pn.name, f.project_id)
            || '」（编号' || f.project_id || '）的「'
        ELSE '「'
    END || coalesce(l.zh, f."column") || f.tail AS message_zh,
    coalesce(trim(f.explanation), '') <> '' AS explained,
    nullif(trim(f.explanation), '') AS explanation,
    f.project_id
FROM flags AS f
LEFT JOIN review_labels AS l ON l.kind = f.kind AND l."column" = f."column"
LEFT JOIN core.projects AS pn
    ON f.project_id IS NOT NULL AND pn.unit_code = f.unit_code AND pn.period = $period
    AND pn.project_id = f.project_id
