-- Whether a table exists (what a warehouse built before a feature does not have yet).
SELECT count(*) > 0 FROM information_schema.tables
WHERE table_schema = $schema AND table_name = $name
