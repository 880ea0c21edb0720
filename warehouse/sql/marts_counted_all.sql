-- The reports the scores count (CONTRACT §11): with [approval] required = false (the
-- default), every current report. warehouse/marts.py creates these views before the marts
-- that score (marts_score_base, city_summary, weak_villages, weak_village_years) read them.
CREATE OR REPLACE TEMP VIEW counted_supervision AS SELECT * FROM core.supervision;
CREATE OR REPLACE TEMP VIEW counted_economy AS SELECT * FROM core.economy;
CREATE OR REPLACE TEMP VIEW counted_projects AS SELECT * FROM core.projects;
