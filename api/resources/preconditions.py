"""Helpers shared by resources: path dates and conditional-request headers."""

from __future__ import annotations

from datetime import date

from flask import request

from api.fields import parse_iso_day
from api.services.errors import Invalid

PRECONDITION_HEADERS = [
    {
        "in": "header",
        "name": "If-Match",
        "schema": {"type": "string"},
        "description": "ETag last seen; a stale one answers 412 with the current entry",
    },
    {
        "in": "header",
        "name": "If-None-Match",
        "schema": {"type": "string"},
        "description": "'*' to create only: 412 if the day already exists with other content",
    },
]


def parse_day(text: str) -> date:
    """A path date: YYYY-MM-DD only (not 2026-W48-1 or 20261119), within the clinical range."""
    try:
        return parse_iso_day(text)
    except ValueError as error:
        raise Invalid(f"Not a date: {text!r}.", {"date": [str(error)]}) from None


def etag_list(header: str) -> list[str] | None:
    """The entity tags of a conditional header, or None when it is absent."""
    raw = request.headers.get(header)
    if raw is None:
        return None
    tags = []
    for part in raw.split(","):
        tag = part.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        tags.append(tag.strip('"'))
    return [t for t in tags if t]
