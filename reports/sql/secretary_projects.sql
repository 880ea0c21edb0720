-- 书记项目: the current secretary projects of the quarter.
SELECT
    p.unit_code,
    p.project_id,
    p.name,
    p.planned_investment,
    p.completed_investment,
    p.progress_pct,
    p.status,
    p.party_org_established
FROM core.projects AS p
WHERE p.period = $period AND p.project_type = 'secretary'
ORDER BY p.unit_code, p.project_id
