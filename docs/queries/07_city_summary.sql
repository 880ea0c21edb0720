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
    round(gdp::DECIMAL(18, 6), 1)::DOUBLE AS gdp_yi_yuan,
    round(gdp_growth_pct::DECIMAL(18, 6), 2)::DOUBLE AS gdp_growth_pct,
    round(savings_balance::DECIMAL(18, 6), 1)::DOUBLE AS savings_yi_yuan,
    round(collective_income::DECIMAL(18, 6), 1)::DOUBLE AS collective_income_wan_yuan,
    weak_villages
FROM marts.city_summary
ORDER BY period
