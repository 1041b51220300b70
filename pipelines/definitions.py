"""Everything Dagster loads: `dagster-webserver -w workspace.yaml`."""

import dagster as dg

from assets.rating import rated_period

defs = dg.Definitions(assets=[rated_period])
