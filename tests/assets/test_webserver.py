"""Smoke test: dagster-webserver serves the definitions; its GraphQL API lists the assets."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_webserver_lists_the_assets(tmp_path: Path) -> None:
    port = free_port()
    webserver = Path(sys.executable).parent / "dagster-webserver"
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    process = subprocess.Popen(
        [str(webserver), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        query = {"query": "{ assetNodes { assetKey { path } } }"}
        deadline = time.monotonic() + 90
        answer = None
        while time.monotonic() < deadline and answer is None:
            time.sleep(1)
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/graphql", data=json.dumps(query).encode(),
                headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    answer = json.load(response)
            except OSError:
                assert process.poll() is None, "dagster-webserver exited"
        assert answer is not None, "dagster-webserver did not answer within 90 s"
        keys = {"/".join(node["assetKey"]["path"]) for node in answer["data"]["assetNodes"]}
        assert {"landed_usage", "usage_rollups", "rated_charges", "invoice_lines",
                "period_summary", "closed_period"} <= keys
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
