-- Working table of one build: components and the scores P and D of every unit
-- reporting in a period, under the rules being applied. Temporary (per connection).
-- Its component columns are those of marts.unit_score_components (declared once, in
-- marts_ddl.sql); the build fills it by name (marts_score_base.sql).
CREATE TEMP TABLE IF NOT EXISTS marts_score_base AS
SELECT
    c.* EXCLUDE (rules_version),
    CAST(NULL AS VARCHAR) AS level,
    CAST(NULL AS VARCHAR) AS kind,
    CAST(NULL AS VARCHAR) AS parent_code,
    CAST(NULL AS DOUBLE) AS party_score,
    CAST(NULL AS DOUBLE) AS development_score,
    CAST(NULL AS BOOLEAN) AS complete,
    CAST(NULL AS VARCHAR[]) AS missing_kinds
FROM marts.unit_score_components AS c
LIMIT 0
