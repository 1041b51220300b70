"""The key check every route but /health goes through (rating.api.keys holds the keys).

Each request names its key as Lago's clients do (`Authorization: Bearer <key>`); the key names
its service, and a route sees only that service's data: another service's customer is 404,
another service's usage 403.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from rating.api import errors
from rating.api.keys import KeyChecker


def authenticated_service(request: Request) -> str:
    """The service whose key the request carries; 401 in Lago's shape otherwise."""
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    checker: KeyChecker = request.app.state.keys
    service = checker.service_of(key.strip()) if scheme.lower() == "bearer" else None
    if service is None:
        raise errors.ApiError(401)
    return service


Service = Annotated[str, Depends(authenticated_service)]
"""A route's parameter `service: Service` is the caller's service code."""
