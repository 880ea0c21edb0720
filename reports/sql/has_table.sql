-- Whether a table exists (the 数据质量 counts of tables other parts may not have made yet).
SELECT count(*) > 0 FROM information_schema.tables
WHERE table_schema = $schema AND table_name = $name
