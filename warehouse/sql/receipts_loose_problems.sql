-- Receipts (回执): the problems of the files in $files that belong to no registered unit
-- (whole-file problems, rows without a unit or with an unregistered code), shown with
-- the file on every receipt the file is on.
SELECT
    p.source_sha256,
    p.kind,
    p.unit_code,
    m.path,
    p.sheet_row,
    p.column_zh,
    p.value,
    p.reason,
    p.message_zh
FROM quarantine.problems AS p
LEFT JOIN core.units AS u ON u.unit_code = p.unit_code
LEFT JOIN meta.file_manifest AS m ON m.sha256 = p.source_sha256
WHERE u.unit_code IS NULL AND list_contains($files, p.source_sha256)
ORDER BY p.source_sha256, p.sheet_row NULLS FIRST, p.message_zh
