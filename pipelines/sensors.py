"""A sensor that ingests new usage files and rates the periods they touch.

(No `from __future__ import annotations` here: Dagster reads the annotations at run time.)
"""

import hashlib
import json

import dagster as dg

from pipelines.jobs import ingest_usage_job, rate_period_job
from pipelines.partitions import billing_periods
from pipelines.resources import RatingResource, landing_reachable
from rating.ingest.watch import WarehouseBusy, changes, known_files


@dg.sensor(jobs=[rate_period_job, ingest_usage_job], minimum_interval_seconds=300,
           description="Notices usage files that the ledger's manifest does not hold yet and "
                       "requests a rating run (ingestion included) for each billing period "
                       "their windows start in, or an ingestion alone when they touch none.")
def new_usage_files(context: dg.SensorEvaluationContext,
                    rating: RatingResource) -> dg.SensorResult | dg.SkipReason:
    # The manifest is the high-water mark: nothing grows in the cursor.
    try:
        known = known_files(rating.warehouse)
    except WarehouseBusy:
        return dg.SkipReason("the warehouse is being written; looking again at the next tick")
    with landing_reachable():
        found = changes(rating.landing, known, rating.time_zone)
    if not found.new_files:
        return dg.SkipReason("no new usage file")
    # The files' sizes and times are in the run key: an unreadable file replaced in place is
    # new again.
    digest = hashlib.sha256("\n".join(found.versions).encode()).hexdigest()[:16]
    partitions = set(billing_periods.get_partition_keys())
    periods = [p for p in found.periods if p in partitions]
    requests = [dg.RunRequest(run_key=f"files-{p}-{digest}", partition_key=p,
                              job_name=rate_period_job.name) for p in periods]
    if not requests:
        requests = [dg.RunRequest(run_key=f"files-{digest}", job_name=ingest_usage_job.name)]
    return dg.SensorResult(run_requests=requests, cursor=json.dumps(
        {"new_files": len(found.new_files), "digest": digest}))
