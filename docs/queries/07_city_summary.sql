-- The city's quarterly summary: organisation, projects and the economy over time.
SELECT
    period,
    units_reporting,
    party_orgs,
    party_members,
    new_members,
    grid_branches,
    secretary_projects,
    projects_with_party_org,
    round(gdp, 1) AS gdp_yi_yuan,
    round(gdp_growth_pct, 2) AS gdp_growth_pct,
    round(savings_balance, 1) AS savings_yi_yuan,
    round(collective_income, 1) AS collective_income_wan_yuan,
    weak_villages
FROM marts.city_summary
ORDER BY period
