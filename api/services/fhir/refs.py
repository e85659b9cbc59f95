"""Entry ids and references inside one bundle, and FHIR's date and time formats.

Every entry's fullUrl is a `urn:uuid:` derived (UUID version 5) from the deployment's address
and what the resource stands for ("Observation/anchor/42/2026-10-05/out_of_bed"), so exporting
the same record twice gives the same ids, and a receiver can tell an update from a new
resource. The name holds nothing the resource does not, and the hash cannot be read back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime


@dataclass(frozen=True)
class Ids:
    """Mints the fullUrls of one deployment's resources."""

    namespace: uuid.UUID

    @classmethod
    def for_deployment(cls, base_url: str) -> Ids:
        return cls(uuid.uuid5(uuid.NAMESPACE_URL, base_url.rstrip("/") + "/fhir"))

    def urn(self, *key) -> str:
        return f"urn:uuid:{uuid.uuid5(self.namespace, '/'.join(str(part) for part in key))}"


def entry(full_url: str, resource: dict) -> dict:
    return {"fullUrl": full_url, "resource": resource}


def reference(full_url: str, display: str | None = None) -> dict:
    found = {"reference": full_url}
    if display:
        found["display"] = display
    return found


def instant(moment: datetime) -> str:
    """An aware datetime as a FHIR dateTime to the second, keeping its UTC offset (a zero
    offset written Z, as FHIR libraries write it back)."""
    if moment.tzinfo is None:
        raise ValueError("a FHIR dateTime with a time needs a UTC offset")
    text = moment.isoformat(timespec="seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def utc(moment: datetime) -> str:
    return instant(moment.astimezone(UTC))


def day(value: date) -> str:
    return value.isoformat()
