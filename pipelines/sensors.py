"""A sensor that rates the periods new usage files touch.

(No `from __future__ import annotations` here: Dagster reads the annotations at run time.)
"""

import hashlib
import json

import dagster as dg

from pipelines.jobs import rate_period_job
from pipelines.partitions import billing_periods
from pipelines.resources import RatingResource
from rating.watch import changes


@dg.sensor(job=rate_period_job, minimum_interval_seconds=300,
           description="Notices new usage files in the landing zone and requests a rating run "
                       "for each billing period their windows start in.")
def new_usage_files(context: dg.SensorEvaluationContext,
                    rating: RatingResource) -> dg.SensorResult:
    seen = set(json.loads(context.cursor)) if context.cursor else set()
    found = changes(rating.landing, seen, rating.time_zone)
    known = set(billing_periods.get_partition_keys())
    periods = [p for p in found.periods if p in known]
    digest = hashlib.sha256("\n".join(found.new_files).encode()).hexdigest()[:16]
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=f"files-{p}-{digest}", partition_key=p)
                      for p in periods],
        cursor=json.dumps(sorted(found.files)),
        skip_reason=None if periods else f"{len(found.new_files)} new file(s), no period",
    )
