"""The app running under the PostgreSQL role that docs/app_role.sql sets up: a role that does
not own the tables and may only append to the audit trail (docs/operations.md)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from api import create_app
from api.config import config_for_tests

APP_ROLE_SQL = Path(__file__).resolve().parents[2] / "docs" / "app_role.sql"
PASSWORD = "app role password"


def statements(sql: str, role: str) -> list[str]:
    lines = [line for line in sql.splitlines() if not line.lstrip().startswith("--")]
    text = "\n".join(lines).replace("cadence_app", role)
    return [s.strip() for s in text.split(";") if s.strip()]


@contextmanager
def app_under_app_role(database_url: str) -> Iterator[tuple]:
    """(app, role name): a fresh role granted exactly what docs/app_role.sql grants, dropped
    afterwards by the owner."""
    role = f"cadence_app_test_{uuid.uuid4().hex[:12]}"
    owner = sa.create_engine(database_url)
    with owner.begin() as connection:
        connection.execute(sa.text(f"CREATE ROLE {role} LOGIN PASSWORD '{PASSWORD}'"))
        for statement in statements(APP_ROLE_SQL.read_text(), role):
            connection.execute(sa.text(statement))
    app_url = sa.engine.make_url(database_url).set(username=role, password=PASSWORD)
    app = create_app(config_for_tests(app_url.render_as_string(hide_password=False)))
    try:
        yield app, role
    finally:
        app.extensions["cadence.engine"].dispose()
        with owner.begin() as connection:
            connection.execute(sa.text(f"DROP OWNED BY {role}"))
            connection.execute(sa.text(f"DROP ROLE {role}"))
        owner.dispose()
