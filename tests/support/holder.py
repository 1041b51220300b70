"""Another process that holds a DuckDB file open: what a writer or a reader meets when an
analyst's session or a rate run has the warehouse."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# Opens the file (read-only or for writing), says so, and keeps it open until its standard
# input closes or `hold` seconds pass.
HOLDER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=sys.argv[3] == "read_only")
print("open", flush=True)
hold = float(sys.argv[2])
if hold > 0:
    time.sleep(hold)
else:
    sys.stdin.read()
con.close()
"""


def hold_open(database: Path, *, read_only: bool, seconds: float = 0
              ) -> subprocess.Popen[str]:
    """Start the holder and return once it has the file open."""
    mode = "read_only" if read_only else "writing"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(database), str(seconds), mode],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline() == "open\n"
    return holder
