-- Whether a table has a column.
SELECT count(*) > 0 FROM information_schema.columns
WHERE table_schema = $schema AND table_name = $name AND column_name = $column
