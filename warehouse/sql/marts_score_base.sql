-- Components (each in 0…1, NULL = absent) and scores P and D of every unit that is valid
-- in $period and has any current report (supervision, economy or projects) in it.
-- CONTRACT §4. P = 100 × Σ w·v / Σ w over the present components, NULL without a
-- current supervision report; D likewise, NULL when no component is present.
-- complete: a current supervision and a current economy report (missing_kinds: which of
-- the two it lacks). $investment_basis: 'total_plan' (2017) Σ completed / Σ planned;
-- 'annual_plan_elapsed' (2018) Σ completed / (Σ annual plan × q / 4), the annual plan
-- being annual_planned_investment where given, else planned_investment.
-- $round_scores (2018) rounds P and D to $rounding decimals half away from zero: the double sum is first
-- fixed to 9 decimals (removing binary noise
-- such as 2.6749999999999998 for 2.675),
-- then rounded as a DECIMAL, which rounds exactly (2.675 → 2.68).
-- Note: least()/greatest() skip NULLs in DuckDB, so every use is guarded by IS NOT NULL.
INSERT INTO temp.main.marts_score_base BY NAME
WITH
unit AS (
    SELECT unit_code, level, kind, parent_code
    FROM core.units
    WHERE (valid_from IS NULL OR valid_from <= $period)
      AND (valid_to IS NULL OR valid_to >= $period)
),
sup AS (
    SELECT
        unit_code,
        tasks_done_coverage + tasks_done_service + tasks_done_team
            + tasks_done_vanguard + tasks_done_care + tasks_done_support AS tasks_done,
        tasks_planned_coverage + tasks_planned_service + tasks_planned_team
            + tasks_planned_vanguard + tasks_planned_care + tasks_planned_support AS tasks_planned,
        supervisions_held,
        theme_days_planned,
        theme_days_held,
        list_published
    FROM counted_supervision
    WHERE period = $period
),
eco AS (
    SELECT * FROM counted_economy WHERE period = $period
),
prj AS (
    SELECT
        unit_code,
        avg(progress_pct / 100.0) FILTER (WHERE project_type = 'secretary') AS secretary_progress,
        count(*) FILTER (WHERE status IN ('under_construction', 'in_production')) AS active,
        count(*) FILTER (
            WHERE status IN ('under_construction', 'in_production') AND party_org_established
        ) AS active_with_org,
        sum(completed_investment) FILTER (WHERE planned_investment > 0) AS completed,
        sum(planned_investment) FILTER (WHERE planned_investment > 0) AS planned,
        sum(completed_investment) FILTER (
            WHERE coalesce(annual_planned_investment, planned_investment) > 0
        ) AS completed_annual,
        sum(coalesce(annual_planned_investment, planned_investment)) FILTER (
            WHERE coalesce(annual_planned_investment, planned_investment) > 0
        ) AS planned_annual
    FROM counted_projects
    WHERE period = $period
    GROUP BY unit_code
),
reporting AS (
    SELECT unit_code FROM sup
    UNION
    SELECT unit_code FROM eco
    UNION
    SELECT unit_code FROM prj
),
components AS (
    SELECT
        u.unit_code,
        u.level,
        u.kind,
        u.parent_code,
        s.unit_code IS NOT NULL AS has_supervision,
        e.unit_code IS NOT NULL AS has_economy,
        CASE WHEN s.tasks_planned > 0 AND s.tasks_done IS NOT NULL
            THEN least(1.0, s.tasks_done / s.tasks_planned) END AS checklist,
        CASE WHEN s.supervisions_held IS NOT NULL
            THEN least(1.0, s.supervisions_held / $supervisions_expected) END AS supervision,
        CASE WHEN s.theme_days_planned > 0 AND s.theme_days_held IS NOT NULL
            THEN least(1.0, s.theme_days_held / s.theme_days_planned) END AS theme_days,
        CASE WHEN s.list_published THEN 1.0 WHEN NOT s.list_published THEN 0.0 END
            AS list_published,
        p.secretary_progress AS secretary_projects,
        CASE WHEN p.active > 0 THEN p.active_with_org / p.active END AS project_party_orgs,
        CASE WHEN e.growth_target_pct > 0 AND e.gdp_growth_pct IS NOT NULL
            THEN greatest(0.0, least(1.0, e.gdp_growth_pct / e.growth_target_pct)) END AS growth,
        CASE WHEN e.growth_target_pct > 0 AND e.income_growth_pct IS NOT NULL
            THEN greatest(0.0, least(1.0, e.income_growth_pct / e.growth_target_pct)) END
            AS income,
        CASE WHEN e.collective_income_target > 0 AND e.collective_income IS NOT NULL
            THEN least(
                1.0,
                e.collective_income
                    / (e.collective_income_target * CAST(substr($period, 6, 1) AS INTEGER) / 4.0)
            ) END AS collective,
        CASE
            WHEN $investment_basis = 'total_plan' THEN
                CASE WHEN p.planned > 0 AND p.completed IS NOT NULL
                    THEN least(1.0, p.completed / p.planned) END
            WHEN p.planned_annual > 0 AND p.completed_annual IS NOT NULL
                THEN least(
                    1.0,
                    p.completed_annual
                        / (p.planned_annual * CAST(substr($period, 6, 1) AS INTEGER) / 4.0)
                )
        END AS investment
    FROM reporting AS r
    JOIN unit AS u ON u.unit_code = r.unit_code
    LEFT JOIN sup AS s ON s.unit_code = r.unit_code
    LEFT JOIN eco AS e ON e.unit_code = r.unit_code
    LEFT JOIN prj AS p ON p.unit_code = r.unit_code
),
sums AS (
    SELECT
        *,
        coalesce($w_checklist * checklist, 0) + coalesce($w_supervision * supervision, 0)
            + coalesce($w_theme_days * theme_days, 0)
            + coalesce($w_list_published * list_published, 0)
            + coalesce($w_secretary_projects * secretary_projects, 0)
            + coalesce($w_project_party_orgs * project_party_orgs, 0) AS party_points,
        CASE WHEN checklist IS NULL THEN 0 ELSE $w_checklist END
            + CASE WHEN supervision IS NULL THEN 0 ELSE $w_supervision END
            + CASE WHEN theme_days IS NULL THEN 0 ELSE $w_theme_days END
            + CASE WHEN list_published IS NULL THEN 0 ELSE $w_list_published END
            + CASE WHEN secretary_projects IS NULL THEN 0 ELSE $w_secretary_projects END
            + CASE WHEN project_party_orgs IS NULL THEN 0 ELSE $w_project_party_orgs END
            AS party_weight,
        coalesce($w_growth * growth, 0) + coalesce($w_income * income, 0)
            + coalesce($w_collective * collective, 0)
            + coalesce($w_investment * investment, 0) AS development_points,
        CASE WHEN growth IS NULL THEN 0 ELSE $w_growth END
            + CASE WHEN income IS NULL THEN 0 ELSE $w_income END
            + CASE WHEN collective IS NULL THEN 0 ELSE $w_collective END
            + CASE WHEN investment IS NULL THEN 0 ELSE $w_investment END AS development_weight
    FROM components
),
scores AS (
    SELECT
        *,
        CASE WHEN has_supervision AND party_weight > 0
            THEN 100.0 * party_points / party_weight END AS party_raw,
        CASE WHEN development_weight > 0
            THEN 100.0 * development_points / development_weight END AS development_raw
    FROM sums
)
SELECT
    $period AS period,
    unit_code,
    level,
    kind,
    parent_code,
    checklist,
    supervision,
    theme_days,
    list_published,
    secretary_projects,
    project_party_orgs,
    growth,
    income,
    collective,
    investment,
    CASE WHEN NOT $round_scores THEN party_raw ELSE CAST(
        round(CAST(party_raw AS DECIMAL(38, 9)), $rounding) AS DOUBLE
    ) END AS party_score,
    CASE WHEN NOT $round_scores THEN development_raw ELSE CAST(
        round(CAST(development_raw AS DECIMAL(38, 9)), $rounding) AS DOUBLE
    ) END AS development_score,
    has_supervision AND has_economy AS complete,
    list_concat(
        CASE WHEN has_supervision THEN CAST([] AS VARCHAR[]) ELSE ['supervision'] END,
        CASE WHEN has_economy THEN CAST([] AS VARCHAR[]) ELSE ['economy'] END
    ) AS missing_kinds
FROM scores
