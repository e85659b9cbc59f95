"""A clinician's caseload: every linked client with the figures that rank them by risk.

A fixed number of queries however many clients: links, diary rows with targets, open flags,
acknowledged flags, flag settings and last entry dates, each fetched once for the whole
caseload. The ranking is written down in RANKING (shown by the API and the page) and
docs/api-report.md.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.models import CareLink, DiaryEntry, Flag, FlagAcknowledgement, User
from api.rhythm import flags as rules
from api.rhythm.clock import local_today
from api.rhythm.diary import Day
from api.rhythm.metrics import nights
from api.rhythm.weekly import WeekSrm, srm_weeks
from api.services import access, audit, care, flagging, people, questionnaire_rows, scoring

TREND_WEEKS = 4
# The same span as the missing_entries rule's default: more than 3 days without an entry.
STALE_AFTER_DAYS = 3
RECENT_DAYS = 7
RANKING = (
    "More open high flags first.",
    "Then more open medium flags.",
    f"Then clients whose last entry is more than {STALE_AFTER_DAYS} days old, the longest "
    "silence first (never logged counts as the longest).",
    "Then the SRM: a client with a baseline by their SRM change, the largest drop first and "
    "rises last; a new client (no baseline yet) by their latest SRM against their own "
    "srm_unstable_below threshold, so a new client at 2.5 ranks like a drop of 1.0 (with the "
    "default 3.5); clients with no SRM to compare after both. A week's SRM counts only with "
    "enough logged days (week_min_days, 5), so missing days alone never read as a drop.",
    "Then more open low flags.",
)


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


def _acknowledged(session: so.Session, ids: list[int], since: date) -> dict[int, dict]:
    """Acknowledged flags whose window ends on or after `since`: how many, and the latest
    with who acknowledged it (by name) and their note."""
    found = {i: {"count": 0, "latest": None} for i in ids}
    current = so.aliased(FlagAcknowledgement)
    rows = session.execute(
        sa.select(
            Flag.client_id,
            Flag.id,
            Flag.rule,
            Flag.severity,
            Flag.acknowledged_at,
            Flag.acknowledged_by,
            current.note,
        )
        .outerjoin(current, sa.and_(current.flag_id == Flag.id, current.ended_at.is_(None)))
        .where(Flag.client_id.in_(ids), Flag.status == "acknowledged", Flag.window_end >= since)
        .order_by(Flag.acknowledged_at.desc(), Flag.id.desc())
    )
    for client_id, flag_id, rule, severity, at, by, note in rows:
        entry = found[client_id]
        entry["count"] += 1
        if entry["latest"] is None:
            entry["latest"] = {
                "flag_id": flag_id,
                "rule": rule,
                "severity": severity,
                "at": at,
                "by": by,
                "note": note,
            }
    latest = [e["latest"] for e in found.values() if e["latest"] is not None]
    names = people.named(session, (a["by"] for a in latest))
    for ack in latest:
        ack["by"] = names.get(ack["by"])
    return found


def _last_entries(session: so.Session, ids: list[int]) -> dict[int, date]:
    rows = session.execute(
        sa.select(DiaryEntry.client_id, sa.func.max(DiaryEntry.day))
        .where(DiaryEntry.client_id.in_(ids))
        .group_by(DiaryEntry.client_id)
    )
    return dict(rows.all())


@dataclass(frozen=True, slots=True)
class SrmStanding:
    """Where a client's latest SRM stands against their own baseline and thresholds."""

    latest: float | None  # the last complete week's SRM
    baseline: float | None  # median of the scored weeks before it; None: no baseline (new)
    change: float | None  # latest - baseline
    threshold: float  # the client's srm_drop setting
    new: bool
    # What the ranking compares: the change, or for a new client the latest SRM minus their
    # srm_unstable_below threshold; None when there is nothing to compare.
    rank_value: float | None

    @property
    def beyond_threshold(self) -> bool:
        return self.change is not None and abs(self.change) >= self.threshold


def srm_standing(weeks: list[WeekSrm], settings: rules.FlagSettings) -> SrmStanding:
    """The trend's weeks (oldest first, the last complete week last) against the client's
    flag settings. As in the srm_drop rule, a week's SRM counts only with week_min_days
    logged days (missing days alone would read as a drop), and a baseline needs
    srm_baseline_min_weeks counted weeks before the latest."""
    weekly = [
        w.srm if w.srm is not None and w.days_logged >= settings.week_min_days else None
        for w in weeks
    ]
    latest, earlier = weekly[-1], [s for s in weekly[:-1] if s is not None]
    new = len(earlier) < settings.srm_baseline_min_weeks
    baseline = None if new else statistics.median(earlier)
    change = None if baseline is None or latest is None else latest - baseline
    if change is not None:
        rank_value = change
    elif new:
        # No baseline yet: a low SRM is the risk, read against the client's own threshold.
        scored = [s for s in weekly if s is not None]
        rank_value = scored[-1] - settings.srm_unstable_below if scored else None
    else:
        rank_value = None
    return SrmStanding(latest, baseline, change, settings.srm_drop, new, rank_value)


def is_stale(days_since_last_entry: int | None) -> bool:
    return days_since_last_entry is None or days_since_last_entry > STALE_AFTER_DAYS


def risk_key(row: dict) -> tuple:
    """Sort key, riskiest first (RANKING says it in words)."""
    flags, days, srm = row["open_flags"], row["days_since_last_entry"], row["standing"]
    stale = is_stale(days)
    return (
        -flags["high"],
        -flags["medium"],
        0 if stale else 1,
        -(days if days is not None else 10**9) if stale else 0,
        srm.rank_value is None,
        srm.rank_value if srm.rank_value is not None else 0.0,
        -flags["low"],
        row["client"].id,
    )


def risk_reason(row: dict) -> str:
    flags, srm = row["open_flags"], row["standing"]
    if flags["high"]:
        return "high_flags"
    if flags["medium"]:
        return "medium_flags"
    if is_stale(row["days_since_last_entry"]):
        return "stale"
    if srm.change is not None and srm.change <= -srm.threshold:
        return "srm_drop"
    if srm.new and srm.rank_value is not None and srm.rank_value < 0:
        return "low_srm"
    return "steady"


def _recent(days: list[Day], today: date) -> dict:
    """Latest mood and night of the last RECENT_DAYS days (today included), and how many of
    the RECENT_DAYS days ending yesterday were logged (today is not over)."""
    first = today - timedelta(days=RECENT_DAYS)
    near = sorted((d for d in days if first <= d.date <= today), key=lambda d: d.date)
    rated = [d for d in near if d.mood is not None and d.date > first]
    slept = [n for n in nights(near) if n.wake_date > first]
    counted_from, counted_to = first, today - timedelta(days=1)
    logged = sum(1 for d in near if counted_from <= d.date <= counted_to)
    return {
        "latest_mood": {"day": rated[-1].date, "mood": rated[-1].mood} if rated else None,
        "latest_sleep": (
            {"day": slept[-1].wake_date, "duration_minutes": round(slept[-1].duration_minutes)}
            if slept
            else None
        ),
        "completeness": {
            "logged_days": logged,
            "days": RECENT_DAYS,
            "from": counted_from,
            "to": counted_to,
        },
    }


def caseload(
    session: so.Session,
    clinician: User,
    today: date,
    page: int,
    page_size: int,
    now: datetime | None = None,
) -> dict:
    """The clinician's clients, riskiest first. `today` (UTC) sets the weeks shown; with `now`,
    each client's latest mood, sleep, days logged and days since the last entry count from
    that client's own calendar day, so the caseload agrees with their report and their app."""
    links = session.execute(
        sa.select(CareLink, User)
        .join(User, User.id == CareLink.client_id)
        .where(access.link_is_active(clinician_id=clinician.id))
    ).all()
    clients = [user for _, user in links]
    ids = [c.id for c in clients]
    # Flags must reflect every diary write, including those not yet evaluated.
    flagging.run_pending(session, clients)
    # Complete ISO weeks only: the current week would look worse merely for being unfinished.
    last_monday = scoring.monday_of(today) - timedelta(weeks=1)
    first_monday = last_monday - timedelta(weeks=TREND_WEEKS - 1)
    # One statement for the trend's weeks and the days since (latest mood, sleep, logging).
    # A day past `today`: clients east of UTC are already in tomorrow.
    last_day_loaded = today + timedelta(days=1) if now is not None else today
    diaries = scoring.load_diaries(session, ids, first_monday, last_day_loaded) if ids else None
    flags = _open_flags(session, ids) if ids else {}
    acknowledged = _acknowledged(session, ids, first_monday) if ids else {}
    overrides = flagging.overrides_for(session, ids) if ids else {}
    last = _last_entries(session, ids) if ids else {}
    # The latest severity band per instrument (validated scales, docs/api-scales.md).
    scales = questionnaire_rows.latest_bands(session, ids)
    srm = scoring.srm_settings()

    rows = []
    for link, client in links:
        days = diaries.days.get(client.id, [])
        weeks = srm_weeks(
            days, first_monday, last_monday, tracked=client.tracked_activities, settings=srm
        )
        trend = [
            {
                "start": w.start,
                "srm": w.srm,
                "srm5": w.srm5,
                "days_logged": w.days_logged,
                "completeness": w.completeness,
            }
            for w in weeks
        ]
        settings = flagging.settings_from(overrides.get(client.id, {}))
        standing = srm_standing(weeks, settings)
        last_day = last.get(client.id)
        client_today = local_today(client.timezone, now) if now is not None else today
        row = {
            "client": client,
            "link": link,
            "latest_week": trend[-1],
            "srm_trend": trend,
            "standing": standing,
            "srm_baseline": standing.baseline,
            "srm_change": standing.change,
            "new_client": standing.new,
            "srm_threshold": standing.threshold,
            "change_beyond_threshold": standing.beyond_threshold,
            "open_flags": flags[client.id],
            "acknowledged": acknowledged[client.id],
            "last_entry": last_day,
            "days_since_last_entry": (client_today - last_day).days if last_day else None,
            "phase": link.phase,
            "scales": scales.get(client.id, []),
            **_recent(days, client_today),
        }
        row["stale"] = is_stale(row["days_since_last_entry"])
        row["risk"] = risk_reason(row)
        rows.append(row)
    rows.sort(key=risk_key)
    total = len(rows)
    shown = rows[(page - 1) * page_size : page * page_size]
    # Each row shows a client's scores: a read of their data, on the trail like any other.
    audit.record_many("caseload:read", clinician, [row["client"].id for row in shown])
    return {
        "clients": shown,
        "ranking": list(RANKING),
        "stale_after_days": STALE_AFTER_DAYS,
        "deleted_accounts": care.deleted_accounts(session, clinician),
        "page": page,
        "page_size": page_size,
        "total": total,
        "pages": max(1, -(-total // page_size)),
    }
