-- Working table of one build: components and the scores P and D of every unit
-- reporting in a period, under the rules being applied. Temporary (per connection).
CREATE TEMP TABLE IF NOT EXISTS marts_score_base (
    period             VARCHAR NOT NULL,
    unit_code          VARCHAR NOT NULL,
    level              VARCHAR NOT NULL,
    kind               VARCHAR NOT NULL,
    parent_code        VARCHAR,
    checklist          DOUBLE,
    supervision        DOUBLE,
    theme_days         DOUBLE,
    list_published     DOUBLE,
    secretary_projects DOUBLE,
    project_party_orgs DOUBLE,
    growth             DOUBLE,
    income             DOUBLE,
    collective         DOUBLE,
    investment         DOUBLE,
    party_score        DOUBLE,
    development_score  DOUBLE,
    complete           BOOLEAN NOT NULL,
    missing_kinds      VARCHAR[] NOT NULL
)
