-- 数据质量: reports whose newer version was quarantined while the older one still counts.
SELECT count(*) FROM marts.filing_status WHERE period = $period AND returned_correction
