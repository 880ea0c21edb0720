-- marts.city_summary for $period (CONTRACT §5), from the current reports. Each unit's
-- report counts its own organisation only, so plain sums do not double count.
-- gdp, gdp_growth_pct and savings_balance are over county-level units; collective_income
-- over village-level units (村 and 社区).
INSERT INTO marts.city_summary BY NAME
WITH
sup AS (
    SELECT
        count(DISTINCT s.unit_code) AS units_reporting,
        coalesce(sum(s.party_orgs), 0) AS party_orgs,
        coalesce(sum(s.party_members), 0) AS party_members,
        coalesce(sum(s.new_members), 0) AS new_members,
        coalesce(sum(s.contact_points), 0) AS contact_points,
        coalesce(sum(s.grid_branches), 0) AS grid_branches,
        coalesce(sum(s.building_groups), 0) AS building_groups,
        coalesce(sum(s.central_households), 0) AS central_households,
        coalesce(sum(s.prosperity_communities), 0) AS prosperity_communities,
        coalesce(sum(s.new_park_orgs), 0) AS new_park_orgs,
        coalesce(sum(s.new_business_district_orgs), 0) AS new_business_district_orgs,
        coalesce(sum(s.new_village_enterprise_orgs), 0) AS new_village_enterprise_orgs,
        count(*) FILTER (WHERE u.level = 'village' AND s.list_published) AS villages_list_published
    FROM counted_supervision AS s
    JOIN core.units AS u ON u.unit_code = s.unit_code
    WHERE s.period = $period
),
prj AS (
    SELECT
        count(DISTINCT (unit_code, project_id)) FILTER (WHERE project_type = 'secretary')
            AS secretary_projects,
        count(DISTINCT (unit_code, project_id)) FILTER (WHERE party_org_established)
            AS projects_with_party_org
    FROM counted_projects
    WHERE period = $period
),
eco AS (
    SELECT
        sum(e.gdp) FILTER (WHERE u.level = 'county') AS gdp,
        sum(e.gdp * e.gdp_growth_pct) FILTER (WHERE u.level = 'county')
            / nullif(
                sum(e.gdp) FILTER (
                    WHERE u.level = 'county' AND e.gdp_growth_pct IS NOT NULL
                ),
                0
            ) AS gdp_growth_pct,
        sum(e.savings_balance) FILTER (WHERE u.level = 'county') AS savings_balance,
        sum(e.collective_income) FILTER (WHERE u.level = 'village') AS collective_income
    FROM counted_economy AS e
    JOIN core.units AS u ON u.unit_code = e.unit_code
    WHERE e.period = $period
),
weak AS (
    SELECT count(*) AS weak_villages FROM marts.weak_villages WHERE period = $period
)
SELECT
    $period AS period,
    sup.units_reporting,
    sup.party_orgs,
    sup.party_members,
    sup.new_members,
    sup.contact_points,
    sup.grid_branches,
    sup.building_groups,
    sup.central_households,
    sup.prosperity_communities,
    sup.new_park_orgs,
    sup.new_business_district_orgs,
    sup.new_village_enterprise_orgs,
    sup.villages_list_published,
    prj.secretary_projects,
    prj.projects_with_party_org,
    eco.gdp,
    eco.gdp_growth_pct,
    eco.savings_balance,
    eco.collective_income,
    weak.weak_villages,
    $rules_version AS rules_version
FROM sup, prj, eco, weak
