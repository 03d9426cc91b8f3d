"""HTTP routes: volunteers."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["volunteers"])
