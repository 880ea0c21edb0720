-- marts.linkage_effect: the rows of $period, before warehouse/linkage_effect.py writes them afresh.
DELETE FROM marts.linkage_effect WHERE period = $period
