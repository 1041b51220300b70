-- Scratch tables of a re-rate (rating.warehouse.shadow), dropped at its end.
CREATE SCHEMA IF NOT EXISTS rerate
