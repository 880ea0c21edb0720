-- ronghe status: the most recent runs ($1 = how many).
SELECT run_id, flow, state, started_at, finished_at, parameters
FROM meta.runs ORDER BY started_at DESC LIMIT $1;
