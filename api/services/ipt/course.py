"""The therapy course as goals see it: the problem areas recorded on the client's courses and
when the midpoint review is due. A course belongs to a care link (api/services/care.py
set_course), so a clinician sees their own link's course and the client sees all of theirs."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.models import PROBLEM_AREAS, CareLink, User
from api.services.access import link_is_active


def links(session: so.Session, client: User, viewer: User) -> list[CareLink]:
    """The active links whose course `viewer` works from: a clinician's own link, or every
    link of the client when the client asks."""
    clinician_id = viewer.id if viewer.role == "clinician" else None
    query = sa.select(CareLink).where(
        link_is_active(clinician_id=clinician_id, client_id=client.id)
    )
    return list(session.scalars(query.order_by(CareLink.id)))


def problem_areas(course_links: list[CareLink]) -> list[str]:
    """The problem areas recorded on these courses, in the vocabulary's order."""
    recorded = {area for link in course_links for area in (link.problem_areas or [])}
    return [area for area in PROBLEM_AREAS if area in recorded]


def midpoint_due(course_links: list[CareLink]) -> date | None:
    """Half the planned weeks after the course's start (the earliest, with several courses);
    None when no course has both a start and a length."""
    dues = [
        link.course_start + timedelta(weeks=link.planned_weeks // 2)
        for link in course_links
        if link.course_start is not None and link.planned_weeks
    ]
    return min(dues) if dues else None
