"""`fusion-rating serve`: the application under uvicorn.

uvicorn (with uvloop and httptools) is the ASGI server FastAPI documents and the ecosystem's
default; one process, because the write-ahead store has one writer (rating.api.usage).
"""

from __future__ import annotations

import os

import uvicorn

from rating.api.app import create_app
from rating.api.settings import ApiSettings
from rating.api.wal import lock_folder


def serve(settings: ApiSettings, host: str = "127.0.0.1", port: int = 8080) -> None:
    """Serve until SIGINT or SIGTERM; uvicorn then finishes the requests under way and the
    application's shutdown flushes what is waiting. StateFolderBusy (before uvicorn starts)
    when another server holds the state folder."""
    os.close(lock_folder(settings.state / "wal"))   # refused in one line, not a traceback
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info",
                access_log=False, server_header=False)
