-- marts.unit_score_components for $period: the components behind each unit's P and D.
INSERT INTO marts.unit_score_components BY NAME
SELECT
    period,
    unit_code,
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
    $rules_version AS rules_version
FROM temp.main.marts_score_base
WHERE period = $period
