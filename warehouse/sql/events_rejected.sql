-- The files of $shas rejected whole, for the ronghe.file.rejected events: the reasons,
-- the path, and the unit owning the file's source when it was pulled (else null).
SELECT f.sha256, f.reasons, f.path,
       (SELECT any_value(p.unit_code) FROM meta.pulls p WHERE p.sha256 = f.sha256) AS unit_code
FROM quarantine.files f
WHERE f.sha256 IN $shas
ORDER BY f.sha256;
