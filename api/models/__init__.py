"""Every model, imported so that Alembic and the tests see the whole schema."""

from api.models.diary import DiaryEntry, EntryActivity
from api.models.users import ROLES, Token, User

__all__ = ["ROLES", "DiaryEntry", "EntryActivity", "Token", "User"]
