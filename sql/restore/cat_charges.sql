CREATE OR REPLACE TEMP TABLE cat_charges AS SELECT * FROM catalog_charges
