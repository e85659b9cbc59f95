"""Reusable marshmallow fields and validators for Cadence's vocabulary.

Every value the API accepts goes through one of these, so each rule is stated once: ASCII
digits only (Python's int() and date.fromisoformat() also read other scripts' digits and ISO
week dates), dates within a clinical range, integers within a 32-bit column.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from datetime import date

import marshmallow as ma
from marshmallow import fields, validate

from api.rhythm.activities import ACTIVITIES
from api.rhythm.clock import parse_hhmm

# A clinical range: nobody's diary, course or life event lies outside it, and every date inside
# it survives the date arithmetic of ranges, weeks and export shifts without overflowing.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)
# Integer columns are 32-bit (INTEGER on both databases).
INT_MIN, INT_MAX = -(2**31), 2**31 - 1

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WHOLE_NUMBER = re.compile(r"[+-]?([0-9]+)")

# Files that zoneinfo lists but that name no place: the server's own zone (localtime,
# posixrules), a placeholder (Factory), and the posix/ and right/ copies of the whole database
# (right/ counts leap seconds, which civil clocks do not).
_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})
_COPY_TREES = ("posix/", "right/")


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(
        name
        for name in zoneinfo.available_timezones()
        if name not in _NOT_ZONES and not name.startswith(_COPY_TREES)
    )


def is_zone(name: str) -> bool:
    return name in _zones()


def validate_zone(name: str) -> None:
    if not is_zone(name):
        raise ma.ValidationError(
            f"Unknown time zone {name!r}: use an IANA name like Europe/London."
        )


def validate_hhmm(text: str) -> None:
    """The validator is the parser, so whatever passes here parses later."""
    try:
        parse_hhmm(text)
    except ValueError:
        raise ma.ValidationError("Not a clock time: use HH:MM from 00:00 to 23:59.") from None


def check_date_range(day: date) -> None:
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ma.ValidationError(f"Dates run from {EARLIEST_DATE} to {LATEST_DATE}.")


def parse_iso_day(text: str) -> date:
    """Parse "YYYY-MM-DD" in ASCII digits, within the clinical range; ValueError otherwise."""
    if not isinstance(text, str) or not _ISO_DAY.fullmatch(text):
        raise ValueError("Use an ISO date, YYYY-MM-DD.")
    day = date.fromisoformat(text)  # ValueError for impossible days like 2026-02-30
    try:
        check_date_range(day)
    except ma.ValidationError as error:
        raise ValueError(error.messages[0]) from None
    return day


class Day(fields.Date):
    """A calendar date: YYYY-MM-DD only, 1900-01-01..2199-12-31."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.metadata = {"example": "2026-11-20", **self.metadata}

    def _deserialize(self, value, attr, data, **kwargs) -> date:
        try:
            return parse_iso_day(value)
        except ValueError as error:
            raise ma.ValidationError(str(error)) from None


class Integer(fields.Integer):
    """A whole number that fits its column. In a JSON body only a JSON integer (not 2.5, 2.0,
    true or "2"); in a query string (`text=True`) only ASCII digits with an optional sign."""

    default_error_messages = {
        "invalid": "Not a whole number.",
        "range": f"Must be between {INT_MIN} and {INT_MAX}.",
    }

    def __init__(self, *, text: bool = False, minimum: int = INT_MIN, **kwargs):
        self.text = text
        # The column's bounds come first, so the OpenAPI document states them too.
        bounds = validate.Range(minimum, INT_MAX)
        extra = kwargs.pop("validate", None)
        extra = [] if extra is None else extra if isinstance(extra, list) else [extra]
        super().__init__(strict=True, validate=[bounds, *extra], **kwargs)

    def _validated(self, value) -> int:
        if self.text and isinstance(value, str):
            match = _WHOLE_NUMBER.fullmatch(value)
            if match is None:
                raise self.make_error("invalid")
            if len(match[1]) > 10:  # beyond any 32-bit value; int() is never asked
                raise self.make_error("range")
            return int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return value


def _with_example(kwargs: dict, example: str) -> dict:
    kwargs["metadata"] = {"example": example, **kwargs.get("metadata", {})}
    return kwargs


def TimeZone(**kwargs) -> fields.String:  # noqa: N802 - reads like a field class at call sites
    return fields.String(validate=validate_zone, **_with_example(kwargs, "Europe/London"))


def ClockTime(**kwargs) -> fields.String:  # noqa: N802
    return fields.String(validate=validate_hhmm, **_with_example(kwargs, "07:30"))


def ActivityCode(**kwargs) -> fields.String:  # noqa: N802
    return fields.String(validate=validate.OneOf(ACTIVITIES), **kwargs)
