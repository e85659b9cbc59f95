"""Statements over stored questionnaire responses that other services read in bulk: the
flag rules' responses (api/services/flagging.py), each client's latest band per instrument
(the caseload) and a period's responses (the session report). One statement each, for any
number of clients."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.models import QuestionnaireAnswer, QuestionnaireResponse
from api.rhythm.instruments import INSTRUMENTS, ScoredResponse


def scored_responses(
    session: so.Session, client_ids: Sequence[int], start: date, end: date
) -> dict[int, list[ScoredResponse]]:
    """Each client's responses answered in [start, end], with their answers, oldest first."""
    if not client_ids:
        return {}
    rows = session.execute(
        sa.select(
            QuestionnaireResponse.client_id,
            QuestionnaireResponse.id,
            QuestionnaireResponse.instrument,
            QuestionnaireResponse.answered_on,
            QuestionnaireResponse.total,
            QuestionnaireResponse.band,
            QuestionnaireAnswer.item,
            QuestionnaireAnswer.value,
        )
        .join(QuestionnaireAnswer, QuestionnaireAnswer.response_id == QuestionnaireResponse.id)
        .where(
            QuestionnaireResponse.client_id.in_(client_ids),
            QuestionnaireResponse.answered_on >= start,
            QuestionnaireResponse.answered_on <= end,
        )
        .order_by(
            QuestionnaireResponse.client_id,
            QuestionnaireResponse.answered_on,
            QuestionnaireResponse.id,
            QuestionnaireAnswer.item,
        )
    )
    heads: dict[int, tuple] = {}
    answers: dict[int, list[int | None]] = defaultdict(list)
    for client_id, response_id, instrument, day, total, band, _item, value in rows:
        heads.setdefault(response_id, (client_id, instrument, day, total, band))
        answers[response_id].append(value)
    found: dict[int, list[ScoredResponse]] = defaultdict(list)
    for response_id, (client_id, instrument, day, total, band) in heads.items():
        found[client_id].append(
            ScoredResponse(response_id, instrument, day, total, band, tuple(answers[response_id]))
        )
    return dict(found)


def latest_bands(session: so.Session, client_ids: Sequence[int]) -> dict[int, list[dict]]:
    """Each client's latest response per instrument (the last answered, the last stored of a
    day): instrument, total, band and date, in the instruments' order."""
    if not client_ids:
        return {}
    ranked = (
        sa.select(
            QuestionnaireResponse.client_id,
            QuestionnaireResponse.instrument,
            QuestionnaireResponse.total,
            QuestionnaireResponse.band,
            QuestionnaireResponse.answered_on,
            sa.func.row_number()
            .over(
                partition_by=(QuestionnaireResponse.client_id, QuestionnaireResponse.instrument),
                order_by=(
                    QuestionnaireResponse.answered_on.desc(),
                    QuestionnaireResponse.id.desc(),
                ),
            )
            .label("rank"),
        )
        .where(QuestionnaireResponse.client_id.in_(client_ids))
        .subquery()
    )
    rows = session.execute(
        sa.select(
            ranked.c.client_id,
            ranked.c.instrument,
            ranked.c.total,
            ranked.c.band,
            ranked.c.answered_on,
        ).where(ranked.c.rank == 1)
    )
    order = {instrument.code: i for i, instrument in enumerate(INSTRUMENTS)}
    found: dict[int, list[dict]] = defaultdict(list)
    for client_id, instrument, total, band, day in rows:
        found[client_id].append(
            {"instrument": instrument, "total": total, "band": band, "answered_on": day}
        )
    for latest in found.values():
        latest.sort(key=lambda r: order.get(r["instrument"], len(order)))
    return dict(found)


def in_period(session: so.Session, client_id: int, start: date, end: date) -> list[dict]:
    """A client's responses answered in [start, end] (no answers), oldest first."""
    rows = session.execute(
        sa.select(
            QuestionnaireResponse.id,
            QuestionnaireResponse.instrument,
            QuestionnaireResponse.answered_on,
            QuestionnaireResponse.total,
            QuestionnaireResponse.band,
        )
        .where(
            QuestionnaireResponse.client_id == client_id,
            QuestionnaireResponse.answered_on >= start,
            QuestionnaireResponse.answered_on <= end,
        )
        .order_by(QuestionnaireResponse.answered_on, QuestionnaireResponse.id)
    )
    return [
        {"id": rid, "instrument": code, "answered_on": day, "total": total, "band": band}
        for rid, code, day, total, band in rows
    ]
