"""Errors in Lago's shape, so the apps' existing error handling works unchanged:

    {"status": 422, "error": "Unprocessable Entity", "code": "validation_errors",
     "error_details": {"0": {"value": ["not_a_number"]}}}

`error_details` is keyed by field, or for a batch by the item's index (as a string) and then by
field, each with a list of reason codes. 401 has no code, as in Lago.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException


class ApiError(Exception):
    """An answer other than 2xx, in Lago's shape; `retry_after` adds the Retry-After header."""

    def __init__(self, status: int, code: str | None = None,
                 details: dict[str, Any] | None = None, retry_after: int | None = None) -> None:
        super().__init__(f"{status} {code}")
        self.status, self.code, self.details, self.retry_after = status, code, details, retry_after

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"status": self.status, "error": HTTPStatus(self.status).phrase}
        if self.code is not None:
            body["code"] = self.code
        if self.details is not None:
            body["error_details"] = self.details
        return body


def not_found(resource: str) -> ApiError:
    """Lago's 404: `{resource}_not_found` (customer_not_found, subscription_not_found, ...)."""
    return ApiError(404, f"{resource}_not_found")


def validation(details: dict[str, Any]) -> ApiError:
    return ApiError(422, "validation_errors", details)


def _response(error: ApiError) -> JSONResponse:
    headers = {} if error.retry_after is None else {"Retry-After": str(error.retry_after)}
    if error.status == 429 and error.retry_after is not None:
        # Lago's clients read their wait (seconds) from this header, not from Retry-After.
        headers["x-ratelimit-reset"] = str(error.retry_after)
    return JSONResponse(error.body(), status_code=error.status, headers=headers)


def _validation_details(exc: RequestValidationError) -> dict[str, Any]:
    """Pydantic's errors as Lago's error_details: the location without 'body', a batch
    item's index first, the error's type as the reason code."""
    details: dict[str, Any] = {}
    for error in exc.errors():
        place = [str(part) for part in error["loc"] if part != "body"]
        node = details
        for part in place[:-1]:
            node = node.setdefault(part, {})
        node.setdefault(place[-1] if place else "body", []).append(error["type"])
    return details


def install(app: FastAPI) -> None:
    """Every error the application answers goes out in Lago's shape."""

    async def api_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return _response(exc)

    async def request_validation(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return _response(validation(_validation_details(exc)))

    async def http_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code)
        return _response(ApiError(exc.status_code, code))

    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        # Starlette logs the traceback after this answer; the body says nothing of the cause.
        return _response(ApiError(500))

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(Exception, unexpected)
    app.add_exception_handler(RequestValidationError, request_validation)
    app.add_exception_handler(StarletteHTTPException, http_error)
