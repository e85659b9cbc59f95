"""Validated scales: the instruments, answering them, clinicians' schedules, what is due
(docs/api-scales.md). Scoring is api/rhythm/instruments/; the safeguard api/services/safeguard.py.

A response is stored item by item with the instrument's version, its score as computed then,
and the client's `client_request_id`, unique per client: an offline replay of the same answers
is answered with the stored response and changes nothing. The flag rules read responses like
diary days: a response queues its day for evaluation in its own transaction, and the request
evaluates the queue before answering, so the flags it raised (the safeguard's among them) are
in the answer.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import orm as so
from sqlalchemy.exc import IntegrityError

from api.db import utcnow
from api.models import (
    Flag,
    QuestionnaireAnswer,
    QuestionnaireAssignment,
    QuestionnaireResponse,
    User,
)
from api.rhythm.clock import local_today
from api.rhythm.flag_rules.scales import ASRM_HIGH, PHQ9_HIGH, SUICIDE_RISK
from api.rhythm.instruments import BY_CODE, INSTRUMENTS, AnswerError, Instrument
from api.rhythm.instruments.schedule import due_on
from api.services import flag_acks, flagging, people, safeguard
from api.services.errors import Conflict, Invalid, NotFound

log = logging.getLogger("cadence.questionnaires")

SCALE_RULES = (ASRM_HIGH.name, PHQ9_HIGH.name, SUICIDE_RISK.name)
# How far back an answer may be dated, and a schedule start lie either side of today.
DAYS_BACK = 366
START_WITHIN = timedelta(days=366)


# --- the instruments ------------------------------------------------------------------------


def instrument_view(instrument: Instrument) -> dict:
    loinc = {}
    if instrument.loinc_panel:
        loinc["panel"] = instrument.loinc_panel
    if instrument.loinc_total:
        loinc["total"] = instrument.loinc_total
    return {
        "code": instrument.code,
        "name": instrument.name,
        "short_name": instrument.short_name,
        "version": instrument.version,
        "loinc": loinc,
        "instructions": instrument.instructions,
        "items": [
            {
                "number": item.number,
                "text": item.text,
                "options": [
                    {"value": o.value, "label": o.label, **({"loinc": o.loinc} if o.loinc else {})}
                    for o in item.options
                ],
                **{k: v for k, v in (("loinc", item.loinc), ("domain", item.domain)) if v},
                **({"note": item.note} if item.note else {}),
            }
            for item in instrument.items
        ],
        "min": instrument.minimum,
        "max": instrument.maximum,
        "bands": [{"min": b.min, "max": b.max, "label": b.label} for b in instrument.bands],
        "source": instrument.source,
        "terms": instrument.terms,
        "missing_items": instrument.missing_items,
        "safety_items": list(instrument.safety_items),
    }


def catalogue() -> dict:
    return {
        "instruments": [instrument_view(i) for i in INSTRUMENTS],
        "crisis_text": safeguard.crisis_text(),
    }


# --- responses ------------------------------------------------------------------------------


def response_view(response: QuestionnaireResponse) -> dict:
    instrument = BY_CODE[response.instrument]
    values = response.values
    safety = instrument.safety(values)
    return {
        "id": response.id,
        "instrument": response.instrument,
        "version": response.version,
        "answers": values,
        "total": response.total,
        "band": response.band,
        "prorated": response.prorated,
        "missing_items": [i + 1 for i, value in enumerate(values) if value is None],
        "safety": {
            "items": list(safety.items),
            "endorsed": safety.endorsed,
            "unanswered": safety.unanswered,
        },
        "answered_on": response.answered_on,
        "created_at": response.created_at,
        "client_request_id": response.client_request_id,
    }


def _by_request_id(session: so.Session, client_id: int, request_id: str):
    return session.scalar(
        sa.select(QuestionnaireResponse).where(
            QuestionnaireResponse.client_id == client_id,
            QuestionnaireResponse.client_request_id == request_id,
        )
    )


def _invalid(instrument: Instrument, error: AnswerError) -> Invalid:
    errors = {
        "answers" if index is None else f"answers.{index}": [problem]
        for index, problem in error.problems.items()
    }
    return Invalid(f"These answers cannot be scored: {error}", errors)


def _answered_on(day: date | None, today: date) -> date:
    day = day or today
    if day > today:
        problem = f"{day} is after today ({today})."
        raise Invalid("The answer's date is in the future.", {"answered_on": [problem]})
    if day < today - timedelta(days=DAYS_BACK):
        problem = f"At most {DAYS_BACK} days back."
        raise Invalid("The answer's date is too far back.", {"answered_on": [problem]})
    return day


def submit(session: so.Session, client: User, data: dict, now: datetime) -> tuple[dict, bool]:
    """Score and store one response; (the answer, whether it was stored now). A known
    client_request_id is a replay: the stored response is answered and nothing changes."""
    instrument = BY_CODE[data["instrument"]]
    request_id = data.get("client_request_id")
    if request_id is not None:
        stored = _by_request_id(session, client.id, request_id)
        if stored is not None:
            return _answer(session, client, stored), False
    try:
        score = instrument.score(data["answers"])
    except AnswerError as error:
        raise _invalid(instrument, error) from None
    day = _answered_on(data.get("answered_on"), local_today(client.timezone, now))
    response = QuestionnaireResponse(
        client_id=client.id,
        instrument=instrument.code,
        version=instrument.version,
        answered_on=day,
        total=score.total,
        band=score.band,
        prorated=score.prorated,
        client_request_id=request_id,
        created_at=now,
    )
    response.answers = [
        QuestionnaireAnswer(item=number, client_id=client.id, value=value)
        for number, value in enumerate(data["answers"], start=1)
    ]
    session.add(response)
    try:
        session.flush()
    except IntegrityError:
        # The same request id, stored meanwhile by a concurrent replay of these answers.
        session.rollback()
        stored = _by_request_id(session, client.id, request_id) if request_id else None
        if stored is None:
            raise
        return _answer(session, client, stored), False
    if instrument.safety(response.values).endorsed:
        safeguard.raise_alert(session, response)
    # The day is evaluated like a diary day: one queue row in this transaction.
    flagging.enqueue(session, client.id, day, day)
    session.commit()
    return _answer(session, client, response), True


def _answer(session: so.Session, client: User, response: QuestionnaireResponse) -> dict:
    """The response with the flags it raised and what the client is shown. The flags are
    evaluated first, so a clinician who opens the app on the alert finds the flag there."""
    response_id = response.id
    try:
        flagging.run_pending(session, [client], wait_seconds=None)
    finally:
        alert = session.scalar(
            sa.select(safeguard.SafeguardAlert.id).where(
                safeguard.SafeguardAlert.response_id == response_id,
                safeguard.SafeguardAlert.pushed_at.is_(None),
            )
        )
        if alert is not None:
            safeguard.push_alert(session, alert, utcnow())
    response = session.get(QuestionnaireResponse, response_id, populate_existing=True)
    instrument = BY_CODE[response.instrument]
    view = response_view(response)
    view["flags"] = flag_acks.reviewed(session, _flags_of(session, response))
    view["safeguard"] = safeguard.outcome(instrument.safety(response.values))
    return view


def _flags_of(session: so.Session, response: QuestionnaireResponse) -> list[Flag]:
    flags = session.scalars(
        sa.select(Flag)
        .where(
            Flag.client_id == response.client_id,
            Flag.rule.in_(SCALE_RULES),
            Flag.window_start <= response.answered_on,
            Flag.window_end >= response.answered_on,
        )
        .order_by(Flag.id)
        .execution_options(populate_existing=True)
    )
    return [
        flag
        for flag in flags
        if any(
            item.get("response_id") == response.id
            for item in (flag.evidence or {}).get("responses", [])
        )
    ]


def listed(
    session: so.Session, client: User, instrument: str | None, start: date, end: date
) -> list[dict]:
    query = (
        sa.select(QuestionnaireResponse)
        .where(
            QuestionnaireResponse.client_id == client.id,
            QuestionnaireResponse.answered_on >= start,
            QuestionnaireResponse.answered_on <= end,
        )
        .order_by(QuestionnaireResponse.answered_on.desc(), QuestionnaireResponse.id.desc())
    )
    if instrument:
        query = query.where(QuestionnaireResponse.instrument == instrument)
    return [response_view(r) for r in session.scalars(query)]


# --- assignments and what is due ------------------------------------------------------------


def _last_answered(session: so.Session, client_ids, today_of) -> dict[tuple[int, str], date]:
    """(client, instrument) -> the latest answer date on or before that client's today."""
    ids = list(client_ids)
    latest_today = max(today_of(i) for i in ids)
    rows = session.execute(
        sa.select(
            QuestionnaireResponse.client_id,
            QuestionnaireResponse.instrument,
            sa.func.max(QuestionnaireResponse.answered_on),
        )
        .where(
            QuestionnaireResponse.client_id.in_(ids),
            QuestionnaireResponse.answered_on <= latest_today,
        )
        .group_by(QuestionnaireResponse.client_id, QuestionnaireResponse.instrument)
    )
    return {
        (client_id, instrument): day
        for client_id, instrument, day in rows
        if day <= today_of(client_id)
    }


def _assignment_view(assignment, names: dict, due: date | None) -> dict:
    return {
        "id": assignment.id,
        "instrument": assignment.instrument,
        "every_days": assignment.every_days,
        "starts_on": assignment.starts_on,
        "created_at": assignment.created_at,
        "created_by": names.get(assignment.created_by),
        "due_on": due,
    }


def _assignments_of(session: so.Session, client_id: int) -> list[QuestionnaireAssignment]:
    return list(
        session.scalars(
            sa.select(QuestionnaireAssignment)
            .where(QuestionnaireAssignment.client_id == client_id)
            .order_by(QuestionnaireAssignment.id)
        )
    )


def assignments(session: so.Session, client: User, today: date) -> list[dict]:
    found = _assignments_of(session, client.id)
    last = _last_answered(session, [client.id], lambda _id: today)
    names = people.named(session, (a.created_by for a in found))
    return [
        _assignment_view(
            a,
            names,
            due_on(a.starts_on, a.every_days, today, last.get((client.id, a.instrument))),
        )
        for a in found
    ]


def assign(session: so.Session, client: User, actor: User, data: dict, today: date) -> dict:
    starts_on = data["starts_on"]
    if abs(starts_on - today) > START_WITHIN:
        problem = f"Start within {START_WITHIN.days} days of today ({today})."
        raise Invalid("The schedule's start is too far from today.", {"starts_on": [problem]})
    instrument = BY_CODE[data["instrument"]]

    def taken() -> Conflict:
        existing = session.scalar(
            sa.select(QuestionnaireAssignment.id).where(
                QuestionnaireAssignment.client_id == client.id,
                QuestionnaireAssignment.instrument == instrument.code,
            )
        )
        problem = (
            f"{instrument.name} is already assigned (assignment {existing}); delete that "
            "assignment to change its schedule."
        )
        return Conflict(problem, {"instrument": [problem]})

    if session.scalar(
        sa.select(QuestionnaireAssignment.id).where(
            QuestionnaireAssignment.client_id == client.id,
            QuestionnaireAssignment.instrument == instrument.code,
        )
    ):
        raise taken()
    assignment = QuestionnaireAssignment(
        client_id=client.id,
        instrument=instrument.code,
        every_days=data["every_days"],
        starts_on=starts_on,
        created_by=actor.id,
        created_at=utcnow(),
    )
    session.add(assignment)
    try:
        session.commit()
    except IntegrityError:  # assigned by someone else in the meantime
        session.rollback()
        raise taken() from None
    last = _last_answered(session, [client.id], lambda _id: today)
    due = due_on(starts_on, assignment.every_days, today, last.get((client.id, instrument.code)))
    return _assignment_view(assignment, people.named(session, [actor.id]), due)


def unassign(session: so.Session, client: User, assignment_id: int) -> None:
    assignment = session.get(QuestionnaireAssignment, assignment_id)
    if assignment is None or assignment.client_id != client.id:
        raise NotFound("No such assignment.")
    session.delete(assignment)
    session.commit()


def due(session: so.Session, client: User, today: date) -> list[dict]:
    return [
        {"assignment_id": a["id"], "instrument": a["instrument"], "due_on": a["due_on"]}
        for a in assignments(session, client, today)
        if a["due_on"] is not None
    ]


def due_by_client(session: so.Session, clients: dict[int, date]) -> dict[int, list[dict]]:
    """For clients -> their today: each client's due questionnaires (for the reminder job),
    with a fixed number of statements."""
    if not clients:
        return {}
    rows = session.scalars(
        sa.select(QuestionnaireAssignment)
        .where(QuestionnaireAssignment.client_id.in_(list(clients)))
        .order_by(QuestionnaireAssignment.id)
    ).all()
    if not rows:
        return {}
    last = _last_answered(session, {a.client_id for a in rows}, clients.__getitem__)
    found: dict[int, list[dict]] = {}
    for a in rows:
        today = clients[a.client_id]
        day = due_on(a.starts_on, a.every_days, today, last.get((a.client_id, a.instrument)))
        if day is not None:
            found.setdefault(a.client_id, []).append(
                {"assignment_id": a.id, "instrument": a.instrument, "due_on": day}
            )
    return found
