DROP TABLE IF EXISTS rerate.rated_charges
