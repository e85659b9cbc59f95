"""The relapse-prevention plan (IPSRT's final phase): warning signs of elevated and depressed
episodes, each with the client's own action steps and optionally a signal that ties it to the
flags (api/services/ipt/signals.py), supporters and crisis contacts.

Every save is a new version and old ones are kept. A save names the version it was made from
(If-Match); (client, version) is unique, so of two saves from the same version exactly one
lands and the other answers 412 with the plan as it now is. Saves are on the audit trail."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.db import utcnow
from api.models import RelapsePlanVersion, User
from api.services import audit, people
from api.services.errors import NotFound, PreconditionFailed, ServiceError
from api.services.ipt import signals

EMPTY = {"signs": [], "supporters": [], "crisis_contacts": []}


class PreconditionRequired(ServiceError):
    status = 428


def latest(session: so.Session, client_id: int) -> RelapsePlanVersion | None:
    return session.scalar(
        sa.select(RelapsePlanVersion)
        .where(RelapsePlanVersion.client_id == client_id)
        .order_by(RelapsePlanVersion.version.desc())
        .limit(1)
    )


def read(session: so.Session, client: User) -> dict:
    return _view(session, latest(session, client.id))


def versions(session: so.Session, client: User) -> list[dict]:
    rows = session.execute(
        sa.select(
            RelapsePlanVersion.version, RelapsePlanVersion.saved_at, RelapsePlanVersion.saved_by
        )
        .where(RelapsePlanVersion.client_id == client.id)
        .order_by(RelapsePlanVersion.version.desc())
    ).all()
    names = people.named(session, (row.saved_by for row in rows))
    return [
        {"version": row.version, "saved_at": row.saved_at, "saved_by": names.get(row.saved_by)}
        for row in rows
    ]


def read_version(session: so.Session, client: User, version: int) -> dict:
    row = session.scalar(
        sa.select(RelapsePlanVersion).where(
            RelapsePlanVersion.client_id == client.id, RelapsePlanVersion.version == version
        )
    )
    if row is None:
        raise NotFound("No such version of the plan.")
    return _view(session, row)


def save(
    session: so.Session, client: User, actor: User, data: dict, if_match: list[str] | None
) -> dict:
    """Save `data` as the next version, if `if_match` names the latest one. The latest
    content again is a replay of a save that landed: it answers the latest, saving nothing."""
    content = normalized(data)
    current = latest(session, client.id)
    if if_match is None:
        raise PreconditionRequired(
            'Send If-Match with the version you edited ("0" for a first plan).',
            **_current(session, current),
        )
    if current is not None and current.content == content:
        return _view(session, current)
    seen = current.version if current is not None else 0
    if str(seen) not in if_match:
        raise PreconditionFailed(
            "The plan changed since you last saw it.", **_current(session, current)
        )
    row = RelapsePlanVersion(
        client_id=client.id, version=seen + 1, content=content, saved_by=actor.id, saved_at=utcnow()
    )
    session.add(row)
    try:
        session.commit()
    except sa.exc.IntegrityError:
        # Another save from the same version landed first.
        session.rollback()
        winner = latest(session, client.id)
        if winner is not None and winner.content == content:
            return _view(session, winner)
        raise PreconditionFailed(
            "The plan changed since you last saw it.", **_current(session, winner)
        ) from None
    detail = {
        "version": row.version,
        "signs": len(content["signs"]),
        "supporters": len(content["supporters"]),
        "crisis_contacts": len(content["crisis_contacts"]),
    }
    audit.record("plan:save", "ok", actor=actor, subject_id=client.id, detail=detail)
    return _view(session, row)


def normalized(data: dict) -> dict:
    """The plan as stored: texts trimmed, keys in one order, no signal stored as null."""
    return {
        "signs": [
            {
                "pole": sign["pole"],
                "stage": sign["stage"],
                "text": sign["text"].strip(),
                "signal": dict(sign["signal"]) if sign.get("signal") else None,
                "actions": [a.strip() for a in sign.get("actions") or []],
            }
            for sign in data.get("signs") or []
        ],
        **{
            key: [
                {"name": c["name"].strip(), "how_to_reach": c["how_to_reach"].strip()}
                for c in data.get(key) or []
            ]
            for key in ("supporters", "crisis_contacts")
        },
    }


def plan_actions_for(session: so.Session, client_id: int, flags: Sequence) -> list[dict]:
    """For each flag (in order), the signs of the client's latest plan whose signal it
    matches, with the client's own action steps."""
    plan = latest(session, client_id)
    if plan is None or not flags:
        return []
    tied = [
        (index, sign)
        for index, sign in enumerate(plan.content.get("signs", []))
        if sign.get("signal")
    ]
    return [
        {
            "flag_id": flag.id,
            "plan_version": plan.version,
            "sign_index": index,
            "pole": sign["pole"],
            "stage": sign["stage"],
            "sign": sign["text"],
            "actions": list(sign.get("actions") or []),
        }
        for flag in flags
        for index, sign in tied
        if signals.matches(sign["signal"], flag.rule, flag.evidence or {})
    ]


def _view(session: so.Session, row: RelapsePlanVersion | None) -> dict:
    if row is None:
        return {"version": 0, "saved_at": None, "saved_by": None, **_indexed(EMPTY)}
    saved_by = people.named(session, [row.saved_by]).get(row.saved_by)
    return {
        "version": row.version,
        "saved_at": row.saved_at,
        "saved_by": saved_by,
        **_indexed(row.content),
    }


def _indexed(content: dict) -> dict:
    return {
        "signs": [{"index": i, **sign} for i, sign in enumerate(content.get("signs", []))],
        "supporters": list(content.get("supporters", [])),
        "crisis_contacts": list(content.get("crisis_contacts", [])),
    }


def _current(session: so.Session, row: RelapsePlanVersion | None) -> dict:
    """What a refused save carries: the plan as it is and its version as an entity tag."""
    view = _view(session, row)
    if view["saved_at"] is not None:  # as the response schema writes it
        view["saved_at"] = view["saved_at"].isoformat()
    return {"current": view, "etag": str(view["version"])}
