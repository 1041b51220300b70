"""The billing API over real HTTP on a free loopback port, in a thread of the test process
(uvicorn's own server loop), or as a `fusion-rating serve` process for kill tests."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn

from rating.api.app import create_app
from rating.api.keys import KeyStore
from rating.api.settings import ApiSettings

CATALOG = Path(__file__).resolve().parents[2] / "catalog"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class RunningApi:
    """A server and the key of each service it was given."""

    url: str
    settings: ApiSettings
    keys: dict[str, str]

    def client(self, service: str | None = None, timeout: float = 30) -> httpx.Client:
        """A client that sends the service's key (none without a service)."""
        headers = {} if service is None else {"Authorization": f"Bearer {self.keys[service]}"}
        return httpx.Client(base_url=f"{self.url}/api/billing/v1", headers=headers,
                            timeout=timeout)


def service_keys(state: Path, services: tuple[str, ...]) -> dict[str, str]:
    """A service record and a fresh key for each service."""
    store = KeyStore(state)
    known = {code for code, _ in store.services().items()}
    for code in services:
        if code not in known:
            store.add_service(code, set(services))
    return {code: store.create_key(code) for code in services}


def settings_in(tmp: Path, landing: Path | None = None, **limits: object) -> ApiSettings:
    return ApiSettings.for_warehouse(landing or tmp / "landing", CATALOG,
                                     tmp / "warehouse.duckdb", **limits)


@contextmanager
def api_in_thread(settings: ApiSettings,
                  services: tuple[str, ...] = ("nexacloud", "nexadesk"),
                  port: int | None = None) -> Iterator[RunningApi]:
    """uvicorn serving create_app(settings) in a thread (on `port`, else a free one); stopped
    (its shutdown run) after."""
    keys = service_keys(settings.state, services)
    port = port or free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                            log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the API server did not start")
        time.sleep(0.02)
    try:
        yield RunningApi(f"http://127.0.0.1:{port}", settings, keys)
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@contextmanager
def api_process(settings: ApiSettings,
                services: tuple[str, ...] = ("nexacloud", "nexadesk")) -> Iterator[
                    tuple[RunningApi, subprocess.Popen[bytes]]]:
    """`fusion-rating serve` as a process of its own (for kill -9); killed after if alive."""
    keys = service_keys(settings.state, services)
    port = free_port()
    command = [sys.executable, "-m", "rating.cli", "serve", "--landing", str(settings.landing),
               "--catalog", str(settings.catalog), "--warehouse", str(settings.warehouse),
               "--state", str(settings.state), "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True, env={**os.environ})
    running = RunningApi(f"http://127.0.0.1:{port}", settings, keys)
    try:
        wait_until_healthy(running.url, process)
        yield running, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def wait_until_healthy(url: str, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            raise RuntimeError(f"fusion-rating serve exited {process.returncode}: {output}")
        try:
            if httpx.get(f"{url}/api/billing/v1/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("fusion-rating serve did not answer /health in time")
