"""What people do with a flag once it is raised: a clinician acknowledges it (with an optional
note) or undoes that; a flag that grows after it was acknowledged opens again; a client adds
context to their own flag (a note, or a life event of theirs that explains it), never clears it.

Every change here runs under the client's evaluation claim (flagging.change_flag), so no
evaluation withdraws or moves the flag meanwhile. Who may do which is api/services/access.py's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.models import Flag, FlagAcknowledgement, FlagContext, LifeEvent, User
from api.models.review import NOTE_MAX
from api.services import people
from api.services.errors import Conflict, Invalid

SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2}
# How much further a flag's worst value must go, beyond what was acknowledged, to count as
# growth: more than rounding and baseline drift, less than a change a clinician would miss.
# Each measure is oriented so that larger is worse (docs/science.md §3.1).
GROWTH = {
    "deviation_minutes": 15,  # the largest shift from the usual or target time
    "sleep_shortfall_minutes": 15,  # the shortest night, as minutes short of a day
    "srm_shortfall": 0.5,  # the lowest weekly SRM, as points short of 7
    "mood_extreme": 1,  # the most extreme mood rating, either pole
}
# An ongoing episode (a diary gap, a shift that goes on) gains a day every day; reopening it
# daily would teach a clinician to ignore reopened flags. Half as many days again is news:
# 2 acknowledged days reopen at 3, 4 at 6, 10 at 15.
DAYS_GROWTH = 1.5
# Enough context for a session; a client cannot fill the table through one flag.
CONTEXT_PER_FLAG = 20


# --- extent and growth ------------------------------------------------------------------


def extent(flag: Flag) -> dict:
    """What the flag amounts to now: severity, days in its window and its worst values."""
    worst = _worst(flag.evidence or {})
    return {
        "severity": flag.severity,
        "days": (flag.window_end - flag.window_start).days + 1,
        **{name: value for name, value in worst.items() if value is not None},
    }


def _worst(evidence: dict) -> dict:
    deviations, durations = [], []
    _collect(evidence, "deviation_minutes", deviations)
    _collect(evidence, "duration_minutes", durations)
    weeks = [w["srm"] for w in evidence.get("weeks", []) if w.get("srm") is not None]
    moods = [d["mood"] for d in evidence.get("days", []) if isinstance(d, dict) and "mood" in d]
    return {
        "deviation_minutes": max((abs(v) for v in deviations), default=None),
        "sleep_shortfall_minutes": 1440 - min(durations) if durations else None,
        "srm_shortfall": round(7 - min(weeks), 1) if weeks else None,
        "mood_extreme": max((abs(m) for m in moods), default=None),
    }


def _collect(value, key: str, found: list) -> None:
    """Every number under `key`, at any depth (evidence nests days and anchors)."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k == key and isinstance(v, int | float):
                found.append(v)
            else:
                _collect(v, key, found)
    elif isinstance(value, list):
        for item in value:
            _collect(item, key, found)


def grew(then: dict, now: dict) -> bool:
    """Whether a flag went beyond its acknowledged extent: higher severity, more days, or a
    worst value further out by more than GROWTH says."""
    if SEVERITY_RANK.get(now["severity"], 0) > SEVERITY_RANK.get(then.get("severity"), 2):
        return True
    if then.get("days") is not None and now["days"] >= then["days"] * DAYS_GROWTH:
        return True
    return any(
        name in then and name in now and now[name] - then[name] >= step
        for name, step in GROWTH.items()
    )


def reopen_if_grown(flag: Flag, now: datetime) -> None:
    """Called as an evaluation updates an acknowledged flag: open it again if it grew."""
    if flag.status != "acknowledged":
        return
    session = so.object_session(flag)
    current = _current(session, flag.id)
    if current is not None and not grew(current.extent, extent(flag)):
        return
    if current is not None:
        current.ended_at, current.end_reason = now, "escalated"
    flag.status, flag.acknowledged_by, flag.acknowledged_at = "open", None, None


def _current(session: so.Session, flag_id: int) -> FlagAcknowledgement | None:
    return session.scalar(
        sa.select(FlagAcknowledgement).where(
            FlagAcknowledgement.flag_id == flag_id, FlagAcknowledgement.ended_at.is_(None)
        )
    )


# --- acknowledging, undoing, context ------------------------------------------------------


def acknowledge(
    session: so.Session, flag: Flag, actor: User, note: str | None, now: datetime
) -> None:
    """Acknowledge the flag as it stands. Acknowledging it again changes nothing; with a
    different note it is a conflict, since the first acknowledgement stands until undone."""
    note = _note(note)
    if flag.status == "acknowledged":
        current = _current(session, flag.id)
        if current is not None and note is not None and note != current.note:
            raise Conflict(
                "This flag is already acknowledged; undo the acknowledgement to change its note."
            )
        return
    session.add(
        FlagAcknowledgement(
            flag_id=flag.id,
            client_id=flag.client_id,
            acknowledged_by=actor.id,
            acknowledged_at=now,
            note=note,
            extent=extent(flag),
        )
    )
    flag.status, flag.acknowledged_by, flag.acknowledged_at = "acknowledged", actor.id, now


def undo(session: so.Session, flag: Flag, actor: User, now: datetime) -> None:
    """Open the flag again; the acknowledgement stays in its history as undone. A flag that
    is open already stays as it is."""
    if flag.status != "acknowledged":
        return
    current = _current(session, flag.id)
    if current is not None:
        current.ended_at, current.ended_by, current.end_reason = now, actor.id, "undone"
    flag.status, flag.acknowledged_by, flag.acknowledged_at = "open", None, None


def add_context(
    session: so.Session, flag: Flag, note: str | None, event_id: int | None, now: datetime
) -> None:
    """A client's note on their flag, or one of their life events that explains it."""
    note = _note(note)
    if note is None and event_id is None:
        problem = "Give a note, a life event, or both."
        raise Invalid(problem, {"note": [problem]})
    if event_id is not None:
        event = session.get(LifeEvent, event_id)
        if event is None or event.client_id != flag.client_id:
            # The same answer for someone else's event as for a missing one.
            problem = "No such life event of yours."
            raise Invalid(problem, {"event_id": [problem]})
    count = session.scalar(
        sa.select(sa.func.count()).select_from(FlagContext).where(FlagContext.flag_id == flag.id)
    )
    if count >= CONTEXT_PER_FLAG:
        raise Conflict(f"A flag takes at most {CONTEXT_PER_FLAG} notes; talk it through instead.")
    session.add(
        FlagContext(
            flag_id=flag.id, client_id=flag.client_id, note=note, event_id=event_id, created_at=now
        )
    )


def _note(note: str | None) -> str | None:
    """A note stripped of surrounding space; empty is none. Schemas bound the length too."""
    if note is None:
        return None
    note = note.strip()
    if len(note) > NOTE_MAX:
        problem = f"A note has at most {NOTE_MAX} characters."
        raise Invalid(problem, {"note": [problem]})
    return note or None


# --- reading ------------------------------------------------------------------------------


@dataclass
class ReviewedFlag:
    """A flag with what people did about it, read as one object by the flag schema."""

    flag: Flag
    acknowledged_by: dict | None = None
    ack_note: str | None = None
    escalated_at: datetime | None = None
    escalated_from: dict | None = None
    context: list[dict] = field(default_factory=list)

    def __getattr__(self, name: str):
        # Everything else is the flag's own: id, rule, window, evidence, status, ...
        if name == "flag":  # not set yet (copying): no recursion
            raise AttributeError(name)
        return getattr(self.flag, name)


def reviewed(session: so.Session, flags: Sequence[Flag]) -> list[ReviewedFlag]:
    """Each flag with who acknowledged it (by name), its note, whether it reopened because it
    grew, and the client's context. Three statements for any number of flags."""
    ids = [f.id for f in flags]
    if not ids:
        return []
    latest: dict[int, FlagAcknowledgement] = {}
    for ack in session.scalars(
        sa.select(FlagAcknowledgement)
        .where(FlagAcknowledgement.flag_id.in_(ids))
        .order_by(FlagAcknowledgement.flag_id, FlagAcknowledgement.id)
    ):
        latest[ack.flag_id] = ack
    context: dict[int, list[dict]] = defaultdict(list)
    for row in session.scalars(
        sa.select(FlagContext).where(FlagContext.flag_id.in_(ids)).order_by(FlagContext.id)
    ):
        context[row.flag_id].append(
            {"id": row.id, "note": row.note, "event_id": row.event_id, "at": row.created_at}
        )
    names = people.named(session, (a.acknowledged_by for a in latest.values()))
    found = []
    for flag in flags:
        ack = latest.get(flag.id)
        current = ack if ack is not None and ack.ended_at is None else None
        escalated = ack if ack is not None and ack.end_reason == "escalated" else None
        found.append(
            ReviewedFlag(
                flag,
                acknowledged_by=names.get(current.acknowledged_by) if current else None,
                ack_note=current.note if current else None,
                escalated_at=escalated.ended_at if escalated else None,
                escalated_from=_acknowledged_extent(escalated, names) if escalated else None,
                context=context.get(flag.id, []),
            )
        )
    return found


def _acknowledged_extent(ack: FlagAcknowledgement, names: dict) -> dict:
    return {
        "acknowledged_by": names.get(ack.acknowledged_by),
        "acknowledged_at": ack.acknowledged_at,
        "severity": ack.extent.get("severity"),
        "days": ack.extent.get("days"),
    }
