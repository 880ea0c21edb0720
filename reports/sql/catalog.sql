-- What the warehouse holds: the report guards sections on tables and columns that land later.
SELECT table_schema || '.' || table_name AS table_name, column_name
FROM information_schema.columns
WHERE table_schema IN ('core', 'marts', 'quarantine', 'meta')
