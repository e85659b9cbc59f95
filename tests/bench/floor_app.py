"""The least a diary write could cost on this stack: Flask under gunicorn, no sign-in, no
validation, no ORM, N upserts of one row through the database driver and a commit.

bench_ingest measures PUT /entries/{date} against it, sending as many statements per request as
a diary write does (bench_ingest.PUT_STATEMENTS): the ratio is what sign-in, validation, the
service and the response leave of what the database round trips allow. Serve with
FLOOR_DATABASE_URL set to a SQLAlchemy URL of a bench database in which create_table has run.
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Flask, jsonify, request

from api.db import make_engine

TABLE = sa.Table(
    "bench_floor",
    sa.MetaData(),
    sa.Column("key", sa.Integer, primary_key=True),
    sa.Column("body", sa.Text, nullable=False),
)
MAX_STATEMENTS = 10


def create_table(database_url: str) -> None:
    """Before the workers start: each creating it would race the others."""
    engine = make_engine(database_url)
    try:
        TABLE.create(engine, checkfirst=True)
    finally:
        engine.dispose()


def create_floor_app(database_url: str) -> Flask:
    # The app's engine settings: SQLite's WAL and synchronous mode, PostgreSQL's pre-ping.
    engine = make_engine(database_url)
    sqlite = engine.dialect.name == "sqlite"
    mark = "?" if sqlite else "%s"
    upsert = (
        f"INSERT INTO bench_floor (key, body) VALUES ({mark}, {mark}) "
        "ON CONFLICT (key) DO UPDATE SET body = excluded.body"
    )
    app = Flask(__name__)

    @app.get("/api/v1/health")
    def health():
        return jsonify(status="ok")

    @app.put("/floor/<int:key>")
    def write(key: int):
        statements = min(request.args.get("statements", 1, type=int), MAX_STATEMENTS)
        body = request.get_data(as_text=True)
        # A pooled driver connection: what remains is the driver, the round trips and the commit.
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            for _ in range(statements):
                cursor.execute(upsert, (key, body))
            connection.commit()
        finally:
            connection.close()
        return jsonify(key=key)

    return app


# gunicorn tests.bench.floor_app:app; importing the module without the variable builds nothing.
_url = os.environ.get("FLOOR_DATABASE_URL")
app = create_floor_app(_url) if _url else None
