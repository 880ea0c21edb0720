-- Data quality: quarantined reports per period, kind and reason (a report with two
-- reasons counts under both), and how many units they concern.
SELECT
    q.period,
    q.kind,
    r.reason,
    count(*) AS reports,
    count(DISTINCT q.unit_code) AS units
FROM quarantine.reports AS q,
    unnest(q.reasons) AS r(reason)
GROUP BY q.period, q.kind, r.reason
ORDER BY q.period, q.kind, reports DESC, r.reason
