"""A clinician's caseload: every linked client with the figures that rank them by risk.

A fixed number of queries however many clients: links, diary rows, targets, open flags and
last entry dates, each fetched once for the whole caseload.
"""

from __future__ import annotations

import statistics
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.models import CareLink, DiaryEntry, Flag, User
from api.services import audit, care, flagging, scoring

TREND_WEEKS = 4


def _open_flags(session: so.Session, ids: list[int]) -> dict[int, dict[str, int]]:
    counts = {i: {"high": 0, "medium": 0, "low": 0} for i in ids}
    rows = session.execute(
        sa.select(Flag.client_id, Flag.severity, sa.func.count())
        .where(Flag.client_id.in_(ids), Flag.status == "open")
        .group_by(Flag.client_id, Flag.severity)
    )
    for client_id, severity, count in rows:
        counts[client_id][severity] = count
    return counts


def _last_entries(session: so.Session, ids: list[int]) -> dict[int, date]:
    rows = session.execute(
        sa.select(DiaryEntry.client_id, sa.func.max(DiaryEntry.day))
        .where(DiaryEntry.client_id.in_(ids))
        .group_by(DiaryEntry.client_id)
    )
    return dict(rows.all())


def _srm_change(trend: list[dict]) -> float | None:
    """Latest weekly SRM minus the median of the weeks before it (negative: a drop)."""
    scored = [w["srm"] for w in trend if w["srm"] is not None]
    if len(scored) < 2 or trend[-1]["srm"] is None:
        return None
    return round(trend[-1]["srm"] - statistics.median(scored[:-1]), 2)


def _risk_key(row: dict):
    days = row["days_since_last_entry"]
    return (
        -row["open_flags"]["high"],
        row["srm_change"] if row["srm_change"] is not None else 0.0,
        -(days if days is not None else 10_000),
        -row["open_flags"]["medium"],
        row["client"].id,
    )


def caseload(session: so.Session, clinician: User, today: date, page: int, page_size: int) -> dict:
    links = session.execute(
        sa.select(CareLink, User)
        .join(User, User.id == CareLink.client_id)
        .where(CareLink.clinician_id == clinician.id, CareLink.revoked_at.is_(None))
    ).all()
    clients = [user for _, user in links]
    ids = [c.id for c in clients]
    # Flags must reflect every diary write, including those not yet evaluated.
    flagging.run_pending(session, clients)
    # Complete ISO weeks only: the current week would look worse merely for being unfinished.
    last_monday = scoring.monday_of(today) - timedelta(weeks=1)
    first_monday = last_monday - timedelta(weeks=TREND_WEEKS - 1)
    weeks = scoring.srm_for_clients(session, clients, first_monday, last_monday) if ids else {}
    flags = _open_flags(session, ids) if ids else {}
    last = _last_entries(session, ids) if ids else {}

    rows = []
    for link, client in links:
        trend = [
            {"start": w.start, "srm": w.srm, "srm5": w.srm5, "completeness": w.completeness}
            for w in weeks[client.id]
        ]
        last_day = last.get(client.id)
        rows.append(
            {
                "client": client,
                "link": link,
                "latest_week": trend[-1],
                "srm_trend": trend,
                "srm_change": _srm_change(trend),
                "open_flags": flags[client.id],
                "last_entry": last_day,
                "days_since_last_entry": (today - last_day).days if last_day else None,
                "phase": link.phase,
            }
        )
    rows.sort(key=_risk_key)
    total = len(rows)
    shown = rows[(page - 1) * page_size : page * page_size]
    # Each row shows a client's scores: a read of their data, on the trail like any other.
    audit.record_many("caseload:read", clinician, [row["client"].id for row in shown])
    return {
        "clients": shown,
        "deleted_accounts": care.deleted_accounts(session, clinician),
        "page": page,
        "page_size": page_size,
        "total": total,
        "pages": max(1, -(-total // page_size)),
    }
