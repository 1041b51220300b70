"""The FastAPI application: the routers under /api/billing/v1 (each route but /health checks
the key: rating.api.auth), errors in Lago's shape (rating.api.errors)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rating.api import current_usage, errors, invoices, references, usage
from rating.api.keys import KeyChecker, KeyStore
from rating.api.settings import ApiSettings

PREFIX = "/api/billing/v1"
MODULES = (usage, references, current_usage, invoices)
"""Each has a `router`, and `start(app)` / `stop(app)` the server runs at its start and end."""
LAGO_PREFIX = "/api/v1"
"""Lago's own prefix, served too (not in the OpenAPI): Lago's clients append it to their base URL,
so pointing a Lago client at this server is a change of base URL and key only."""


def create_app(settings: ApiSettings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        for module in MODULES:
            module.start(app)
        try:
            yield
        finally:
            # Usage first: its stop lands what waits in the write-ahead store.
            for module in MODULES:
                module.stop(app)

    app = FastAPI(title="fusion-rating billing API", version="1",
                  summary="Lago-shaped billing API of NexaSystems' rating engine",
                  lifespan=lifespan)
    app.state.settings = settings
    app.state.keys = KeyChecker(KeyStore(settings.state))
    errors.install(app)
    app.add_exception_handler(BodyTooLarge, _body_too_large)
    app.add_middleware(BodyLimit, limit=settings.max_request_bytes)
    health = APIRouter(prefix=PREFIX)

    @health.get("/health", tags=["health"], response_model=None)
    def get_health(request: Request) -> dict[str, str] | JSONResponse:
        """Whether the server is up (no key needed): 503 `degraded` while usage cannot be
        flushed to the landing zone (it waits, durable, in the write-ahead store)."""
        store = getattr(request.app.state, "usage", None)
        error = None if store is None else store.flusher.error
        if store is not None and error is not None:
            return JSONResponse({"status": "degraded", "flush_error": error,
                                 "unflushed_counters": store.unflushed_rows()},
                                status_code=503)
        return {"status": "ok"}

    app.include_router(health)
    for prefix, documented in ((PREFIX, True), (LAGO_PREFIX, False)):
        for module in MODULES:
            app.include_router(module.router, prefix=prefix, include_in_schema=documented)
    return app


class BodyTooLarge(StarletteHTTPException):
    """Raised from inside the body's reading: an HTTPException, so that FastAPI's own body
    parsing passes it on (it answers any other exception there with a 400)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413)
        self.limit = limit

    def error(self) -> errors.ApiError:
        return errors.ApiError(413, "request_too_large", {"body": [f"at most {self.limit} bytes"]})


class BodyLimit:
    """413 in Lago's shape for a body over the limit, on every endpoint: refused before it is
    read when its Content-Length says so, else (chunked) as soon as the bytes read pass it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await _answer(BodyTooLarge(self.limit), scope, receive, send)
            return
        size = 0

        async def counted() -> Message:
            nonlocal size
            message = await receive()
            if message["type"] == "http.request":
                size += len(message.get("body", b""))
                if size > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        await self.app(scope, counted, send)


async def _answer(error: BodyTooLarge, scope: Scope, receive: Receive, send: Send) -> None:
    await JSONResponse(error.error().body(), status_code=413)(scope, receive, send)


async def _body_too_large(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BodyTooLarge)
    return JSONResponse(exc.error().body(), status_code=413)
