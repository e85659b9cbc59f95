"""Every model, imported so that Alembic and the tests see the whole schema."""

from api.models.audit import OUTCOMES, AuditEvent
from api.models.care import PHASES, PROBLEM_AREAS, CareInvitation, CareLink
from api.models.diary import DiaryEntry, EntryActivity
from api.models.therapy import (
    FLAG_STATUSES,
    LIFE_EVENT_KINDS,
    Flag,
    FlagSettingsOverride,
    LifeEvent,
    Target,
)
from api.models.users import ROLES, Token, User

__all__ = [
    "OUTCOMES",
    "PHASES",
    "PROBLEM_AREAS",
    "AuditEvent",
    "CareInvitation",
    "CareLink",
    "FLAG_STATUSES",
    "LIFE_EVENT_KINDS",
    "ROLES",
    "DiaryEntry",
    "EntryActivity",
    "Flag",
    "FlagSettingsOverride",
    "LifeEvent",
    "Target",
    "Token",
    "User",
]
