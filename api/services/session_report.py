"""The one-page session report: what a clinician reads before an IPSRT session.

Gathers, for one client and the last 4 or 12 complete ISO weeks, the weekly SRM and SRM-5,
the grid of the last complete week with its targets, sleep and mood, open and recent flags
with their evidence, life events and the therapy course. The scores come from the same
functions as /scores/weekly (api/services/scoring.py, api/rhythm/weekly.py), so the report and
the screens agree. api/services/report_pdf.py draws it; the JSON route serves it as it is.
docs/api-report.md lists the fields.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.models import Flag, LifeEvent, Task, User
from api.rhythm.activities import ordered
from api.rhythm.clock import format_hhmm
from api.rhythm.diary import Day
from api.rhythm.instruments import INSTRUMENTS
from api.rhythm.metrics import nights
from api.rhythm.weekly import RhythmReport, weekly_reports
from api.services import care, flag_acks, flagging, questionnaire_rows, scoring
from api.services import usual as usual_times
from api.services.ipt import tasks as ipt_tasks

WEEK_CHOICES = (4, 12)
# Paper sizes the printed report comes in, by the name fpdf2 gives each.
PAPER = {"a4": "A4", "letter": "Letter"}
ONE_DAY = timedelta(days=1)
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def period(today: date, weeks: int) -> tuple[date, date]:
    """The Monday of the first and of the last of the `weeks` complete ISO weeks before the
    week of `today` (the current week is unfinished, and would look worse for it)."""
    last_monday = scoring.monday_of(today) - timedelta(weeks=1)
    return last_monday - timedelta(weeks=weeks - 1), last_monday


def build(
    session: so.Session, client: User, viewer: User, today: date, weeks: int, now: datetime
) -> dict:
    """The report's content for `client` as `viewer` (their linked clinician) sees it.
    `today` is the client's local date."""
    if weeks not in WEEK_CHOICES:
        raise ValueError(f"weeks must be one of {WEEK_CHOICES}")
    first_monday, last_monday = period(today, weeks)
    end = last_monday + timedelta(days=6)
    # Flags must reflect every diary write, including those not yet evaluated.
    flagging.run_pending(session, [client])
    # The Sunday before the first week lends its bedtime to the first night.
    diaries = scoring.load_diaries(session, [client.id], first_monday - ONE_DAY, end)
    days = diaries.days.get(client.id, [])
    targets = diaries.targets.get(client.id, {})
    reports = weekly_reports(
        days,
        first_monday,
        last_monday,
        tracked=client.tracked_activities,
        targets=targets,
        settings=scoring.srm_settings(),
    )
    link = care.course_link(session, viewer, client)
    return {
        "client": {
            "id": client.id,
            "display_name": client.display_name,
            "timezone": client.timezone,
        },
        "weeks": weeks,
        "period": {"start": first_monday, "end": end},
        "today": today,
        "generated_at": now,
        "weekly": [_week(r) for r in reports],
        "last_week": _grid(
            reports[-1],
            days,
            client.tracked_activities,
            targets,
            usual_times.for_days(session, client, last_monday, end)["days"],
        ),
        "flags": _flags(session, client.id, first_monday, today),
        "life_events": _events(session, client.id, first_monday, today),
        "course": _course(link, today),
        "scales": _scales(session, client.id, first_monday, today),
        "tasks": _tasks(session, client.id, first_monday),
    }


def _week(report: RhythmReport) -> dict:
    sleep = dict(report.sleep)
    midpoint = sleep.get("mean_midpoint")
    sleep["mean_midpoint_time"] = None if midpoint is None else format_hhmm(midpoint)
    return {
        "start": report.start,
        "end": report.end,
        "srm": report.srm,
        "srm5": report.srm5,
        "days_logged": report.days_logged,
        "completeness": report.completeness,
        "sleep": sleep,
        "mood": report.mood,
        "zone_changed": report.zone_changed,
    }


def _grid(
    report: RhythmReport, days: list[Day], tracked, targets: dict[str, int], usual: dict
) -> dict:
    """The last complete week, day by day: each anchor's times beside its target, its usual
    time per day (the flags', api/services/usual.py) and the week's habitual time (the SRM's),
    the moods and the nights' durations."""
    dates = [report.start + timedelta(days=i) for i in range(7)]
    index = {d.date: d for d in days}
    week = [index.get(d) for d in dates]
    logged = {code for day in week if day is not None for code in day.times}
    slept = {n.wake_date: n for n in nights([d for d in days if dates[0] - ONE_DAY <= d.date])}
    anchors = []
    for code in ordered(set(tracked) | logged | set(targets)):
        minutes = [None if day is None else day.times.get(code) for day in week]
        score = report.activities.get(code)
        habitual = score.habitual if score is not None and score.scored else None
        anchors.append(
            {
                "activity": code,
                "times": [None if m is None else format_hhmm(m) for m in minutes],
                "after_midnight": [m is not None and m >= 1440 for m in minutes],
                "usual": [usual.get(d, {}).get(code) for d in dates],
                "target": None if code not in targets else format_hhmm(targets[code]),
                "habitual": None if habitual is None else format_hhmm(habitual),
                "hits": None if score is None else score.hits,
                "scored": bool(score is not None and score.scored),
            }
        )
    return {
        "start": report.start,
        "end": report.end,
        "srm": report.srm,
        "srm5": report.srm5,
        "days": dates,
        "moods": [None if day is None else day.mood for day in week],
        "sleep_minutes": [
            round(slept[d].duration_minutes) if d in slept and d <= report.end else None
            for d in dates
        ],
        "anchors": anchors,
    }


def _flags(session: so.Session, client_id: int, start: date, today: date) -> dict:
    """Every open flag, and the acknowledged ones whose window overlaps start..today, with who
    acknowledged them, their note and the client's context (api/services/flag_acks.py)."""
    flags = session.scalars(
        sa.select(Flag)
        .where(
            Flag.client_id == client_id,
            sa.or_(
                Flag.status == "open",
                sa.and_(Flag.window_end >= start, Flag.window_start <= today),
            ),
        )
        .execution_options(populate_existing=True)
    ).all()
    found = {"open": [], "recent": []}
    for reviewed in flag_acks.reviewed(session, flags):
        flag = reviewed.flag
        found["open" if flag.status == "open" else "recent"].append(
            {
                "id": flag.id,
                "rule": flag.rule,
                "severity": flag.severity,
                "status": flag.status,
                "window_start": flag.window_start,
                "window_end": flag.window_end,
                "evidence": flag.evidence,
                "summary": evidence_summary(flag.evidence),
                "explained_by": list(flag.explained_by or []),
                "acknowledged_at": flag.acknowledged_at,
                "acknowledged_by": reviewed.acknowledged_by,
                "ack_note": reviewed.ack_note,
                "context": [c["note"] for c in reviewed.context if c["note"]],
            }
        )
    for listed in found.values():
        # Highest severity first, then the newest window.
        listed.sort(key=lambda f: (f["window_start"], f["id"]), reverse=True)
        listed.sort(key=lambda f: SEVERITY_ORDER.get(f["severity"], 3))
    return found


def _events(session: so.Session, client_id: int, start: date, today: date) -> list[dict]:
    events = session.scalars(
        sa.select(LifeEvent)
        .where(
            LifeEvent.client_id == client_id,
            LifeEvent.end_day >= start,
            LifeEvent.start_day <= today,
        )
        .order_by(LifeEvent.start_day, LifeEvent.id)
    )
    return [
        {
            "id": e.id,
            "start": e.start_day,
            "end": e.end_day,
            "kind": e.kind,
            "disruption": e.disruption,
            "note": e.note,
        }
        for e in events
    ]


def _scales(session: so.Session, client_id: int, start: date, today: date) -> list[dict]:
    """Questionnaires answered from the period's first day to today, per instrument (in the
    instruments' order), each with its totals and bands, oldest first."""
    rows = questionnaire_rows.in_period(session, client_id, start, today)
    found = []
    for instrument in INSTRUMENTS:
        mine = [r for r in rows if r["instrument"] == instrument.code]
        if mine:
            found.append(
                {
                    "instrument": instrument.code,
                    "name": instrument.short_name,
                    "max": instrument.maximum,
                    "responses": [
                        {k: r[k] for k in ("id", "answered_on", "total", "band")} for r in mine
                    ],
                }
            )
    return found


def _tasks(session: so.Session, client_id: int, start: date) -> list[dict]:
    """Between-session tasks to go over in the session: every one still open, and those due
    since the period began with the client's answer; soonest due first."""
    rows = session.scalars(
        sa.select(Task)
        .where(Task.client_id == client_id, sa.or_(Task.done.is_(None), Task.due >= start))
        .order_by(Task.due, Task.id)
    )
    return [
        {
            "id": task.id,
            "text": task.text,
            "due": task.due,
            "status": ipt_tasks.status_of(task),
            "note": task.note,
            "problem_area": task.problem_area,
            "anchor": task.anchor,
        }
        for task in rows
    ]


def _course(link, today: date) -> dict | None:
    if link is None:
        return None
    start = link.course_start
    # Weekly sessions from the course's start: 1 in its first week.
    number = None if start is None or today < start else (today - start).days // 7 + 1
    return {
        "start": start,
        "planned_weeks": link.planned_weeks,
        "phase": link.phase,
        "problem_areas": list(link.problem_areas or []),
        "session_number": number,
    }


# --- evidence in one line ---------------------------------------------------------------

MAX_ITEMS = 6


def _signed_int(value) -> str:
    return f"{value:+d}" if isinstance(value, int) and value else str(value)


def _signed(minutes) -> str:
    return f"{round(minutes):+d} min"


def _day(text) -> str:
    """An ISO date as "23 Nov" (the report's period gives the year); anything else as it is."""
    try:
        return date.fromisoformat(str(text)).strftime("%d %b")
    except ValueError:
        return str(text)


def _item(item) -> str:
    """One evidence item (a day or a week) as short text; unknown keys are left out."""
    if not isinstance(item, dict):
        return _day(item)
    when = item.get("date") or item.get("week_start")
    parts = [f"week of {_day(when)}" if "week_start" in item else _day(when or "")]
    if "activity" in item and "missed" not in item:
        parts.append(str(item["activity"]).replace("_", " "))
    if "bed" in item and "wake" in item:
        parts.append(f"{item['bed']}–{item['wake']}")
    if "duration_minutes" in item:
        parts.append(f"slept {round(item['duration_minutes'])} min")
    if "time" in item:
        parts.append(str(item["time"]))
    usual = item.get("habitual") or item.get("reference")
    if usual:
        parts.append(f"(usual {usual})")
    if "deviation_minutes" in item:
        parts.append(_signed(item["deviation_minutes"]))
    if "mood" in item:
        parts.append(f"mood {_signed_int(item['mood'])}")
    if item.get("srm") is not None:
        parts.append(f"SRM {item['srm']:.1f}")
    if item.get("baseline_median") is not None:
        parts.append(f"vs median {item['baseline_median']:.1f}")
    if isinstance(item.get("missed"), list):
        parts.append(", ".join(_item(m).strip() for m in item["missed"]))
    return " ".join(p for p in parts if p)


def evidence_summary(evidence: dict | None) -> str:
    """A flag's evidence as one line: its scalar facts, then its days or weeks."""
    if not evidence:
        return ""
    facts, items = [], []
    for key, value in evidence.items():
        # Restated elsewhere: the rule names the anchor, and "usual" is the baseline's kind.
        if key in ("coincided", "poles", "activity", "usual"):
            continue
        if isinstance(value, list):
            if key == "coinciding_rules":
                if value:
                    facts.append("with " + ", ".join(str(v) for v in value))
            elif all(isinstance(v, str) for v in value):
                shown = ", ".join(_day(v) for v in value[:MAX_ITEMS])
                items.append(f"{key.replace('_', ' ')}: {shown}")
                if len(value) > MAX_ITEMS:
                    items.append(f"+{len(value) - MAX_ITEMS} more")
            else:
                items.extend(_item(v) for v in value[:MAX_ITEMS])
                if len(value) > MAX_ITEMS:
                    items.append(f"+{len(value) - MAX_ITEMS} more")
        elif isinstance(value, str | int | float | bool) and value is not None:
            facts.append(f"{key.replace('_', ' ')} {str(value).replace('_', ' ')}")
    return "; ".join(facts + items)
