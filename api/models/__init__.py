"""Every model, imported so that Alembic and the tests see the whole schema."""

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
