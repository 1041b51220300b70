"""Customers (account links) and subscriptions: each write lands as a new version in the
landing zone, durable before the answer (rating.api.landed_references); the rating brings the
latest version of each key into force. Routes: rating.api.customers, rating.api.subscriptions."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from rating.api import customers, subscriptions

router = APIRouter()
router.include_router(customers.router)
router.include_router(subscriptions.router)


def start(app: FastAPI) -> None:
    """Nothing to start: the store is made on first use (rating.api.customers.store)."""


def stop(app: FastAPI) -> None:
    """Close the in-memory readers, if they were made."""
    found = getattr(app.state, "reference_store", None)
    if found is not None:
        found.close()
