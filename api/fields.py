"""Reusable marshmallow fields and validators for Cadence's vocabulary."""

from __future__ import annotations

import functools
import zoneinfo

import marshmallow as ma
from marshmallow import fields, validate

from api.rhythm.activities import ACTIVITIES


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_zone(name: str) -> bool:
    return name in _zones()


def validate_zone(name: str) -> None:
    if not is_zone(name):
        raise ma.ValidationError(
            f"Unknown time zone {name!r}: use an IANA name like Europe/London."
        )


def validate_hhmm(text: str) -> None:
    hours, sep, minutes = text.partition(":")
    ok = (
        sep == ":"
        and len(hours) == 2
        and len(minutes) == 2
        and hours.isdigit()
        and minutes.isdigit()
        and int(hours) < 24
        and int(minutes) < 60
    )
    if not ok:
        raise ma.ValidationError(f"Not a clock time {text!r}: use HH:MM from 00:00 to 23:59.")


def _with_example(kwargs: dict, example: str) -> dict:
    kwargs["metadata"] = {"example": example, **kwargs.get("metadata", {})}
    return kwargs


def TimeZone(**kwargs) -> fields.String:  # noqa: N802 - reads like a field class at call sites
    return fields.String(validate=validate_zone, **_with_example(kwargs, "Europe/London"))


def ClockTime(**kwargs) -> fields.String:  # noqa: N802
    return fields.String(validate=validate_hhmm, **_with_example(kwargs, "07:30"))


def ActivityCode(**kwargs) -> fields.String:  # noqa: N802
    return fields.String(validate=validate.OneOf(ACTIVITIES), **kwargs)
