"""Placeholder: customers and subscriptions are built in issue 14 (rating/api/__init__.py).
Until then a customer is never found."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from rating.api import errors
from rating.api.auth import Service

router = APIRouter()


@router.get("/customers/{external_id}", tags=["customers"])
def get_customer(external_id: str, service: Service) -> None:
    raise errors.not_found("customer")


def start(app: FastAPI) -> None:
    """Nothing to start yet."""


def stop(app: FastAPI) -> None:
    """Nothing to stop yet."""
