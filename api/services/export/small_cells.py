"""The small-study rule: too few participants make every row identifying.

A study with fewer consenting participants than `CADENCE_EXPORT_MIN_PARTICIPANTS` is not
exported unless the researcher overrides the rule explicitly; both the refusal and the override
go on the audit trail. Every way of exporting (the download route, the job API, the command
line) calls check_min_participants before it writes.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import orm as so

from api.models import Study, User
from api.services import audit
from api.services.errors import Conflict
from api.services.export.queries import consenting_query


def consenting(bind: sa.Engine | sa.Connection | so.Session, study_id: int) -> int:
    """Participants of the study who consent now."""
    if isinstance(bind, sa.Engine):
        with bind.connect() as connection:
            return connection.scalar(consenting_query(study_id))
    return bind.scalar(consenting_query(study_id))


def check_min_participants(
    bind: sa.Engine | sa.Connection | so.Session,
    study: Study,
    *,
    allow_small: bool,
    actor: User | None,
    via: str,
    minimum: int | None = None,
) -> int:
    """The number of consenting participants, if the study may be exported; Conflict (409)
    naming the count and the minimum if not. `allow_small` is the researcher's explicit
    override, recorded as `research:export_small`; a refusal is recorded as a denied export."""
    if minimum is None:
        minimum = current_app.config["CADENCE"].export_min_participants
    count = consenting(bind, study.id)
    if count >= minimum:
        return count
    detail = {"study": study.id, "via": via, "participants": count, "minimum": minimum}
    if allow_small:
        audit.record("research:export_small", "ok", actor=actor, detail=detail)
        return count
    audit.record("research:export", "denied", actor=actor, detail={**detail, "reason": "too_few"})
    raise Conflict(
        f"This study has {count} consenting participant{'s' if count != 1 else ''}; an export "
        f"needs at least {minimum}, since so few people are easy to tell apart. To export it "
        "anyway, ask again with allow_small=true (the override is recorded)."
    )
