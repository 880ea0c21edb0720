-- The periods whose approval log differs between meta.approvals and approvals_in (the
-- portal store's log, registered by warehouse/approvals.py): rows added or gone.
SELECT DISTINCT period FROM (
    (SELECT kind, unit_code, period, seq, source_sha256, state, by_unit, "at", reason
     FROM meta.approvals
     EXCEPT
     SELECT kind, unit_code, period, seq, source_sha256, state, by_unit, "at", reason
     FROM approvals_in)
    UNION ALL
    (SELECT kind, unit_code, period, seq, source_sha256, state, by_unit, "at", reason
     FROM approvals_in
     EXCEPT
     SELECT kind, unit_code, period, seq, source_sha256, state, by_unit, "at", reason
     FROM meta.approvals)
)
ORDER BY period
