-- 数据质量: the sources whose last attempt could not reach them (meta.source_status).
SELECT count(*) FROM meta.source_status WHERE NOT reached
