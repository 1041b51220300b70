DELETE FROM ingestions WHERE $reset OR ingestion_id > $synced
