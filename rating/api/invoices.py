"""Placeholder: built in issue 14 (see rating/api/__init__.py)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

router = APIRouter()


def start(app: FastAPI) -> None:
    """Nothing to start yet."""


def stop(app: FastAPI) -> None:
    """Nothing to stop yet."""
