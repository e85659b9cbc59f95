"""Reading rows past SQLAlchemy: the driver's own cursors, COPY on PostgreSQL.

Building SQLAlchemy result rows costs about as much as the export's whole pass over them, so
the large queries run on the DBAPI connection of the export's own SQLAlchemy connection (its
transaction, its snapshot).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from operator import itemgetter
from typing import IO

import sqlalchemy as sa
from sqlalchemy.engine import Compiled

YIELD_PER = 5000


def driver_statement(
    connection: sa.Connection, statement: sa.Select | Compiled, values: dict | None = None
) -> tuple[str, object]:
    """SQL text and bound parameters (integers, strings, dates) for a DBAPI cursor; `values`
    for the statement's named bind parameters."""
    if not isinstance(statement, Compiled):
        statement = statement.compile(dialect=connection.dialect)
    params = statement.construct_params(values)
    if connection.dialect.name == "sqlite":
        # SQLite keeps a DATE as its ISO text; the driver's own date adapter is deprecated.
        params = {k: v.isoformat() if isinstance(v, date) else v for k, v in params.items()}
    if statement.positional:
        return str(statement), [params[name] for name in statement.positiontup]
    return str(statement), params


def copy_postgresql(
    connection: sa.Connection,
    statement: sa.Select | Compiled,
    values: dict | None,
    out: IO[bytes],
    quoted: Sequence[str],
) -> int:
    """COPY the rows out as CSV, the `quoted` columns always in quotes; returns the row count."""
    sql, params = driver_statement(connection, statement, values)
    quote = connection.dialect.identifier_preparer.quote
    force = ", ".join(quote(name) for name in quoted)
    copy_sql = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE ({force}))"
    with connection.connection.driver_connection.cursor() as cursor:
        # Dates as YYYY-MM-DD whatever the server's default; SET LOCAL ends with the transaction.
        cursor.execute("SET LOCAL datestyle TO 'ISO'")
        # The parameters are merged into the statement by psycopg: COPY takes no bound ones.
        with cursor.copy(copy_sql, params) as copy:
            out.writelines(copy)
        return cursor.rowcount


def fetch_lines(
    connection: sa.Connection, statement: sa.Select | Compiled, values: dict | None, out: IO[bytes]
) -> int:
    """Write the finished CSV lines of a one-column query; returns the row count."""
    rows = 0
    for lines in driver_chunks(connection, statement, values):
        out.write("".join(map(itemgetter(0), lines)).encode())
        rows += len(lines)
    return rows


def driver_chunks(
    connection: sa.Connection, statement: sa.Select | Compiled, values: dict | None = None
) -> Iterator[list[tuple]]:
    """The driver's plain tuples, YIELD_PER at a time (a server-side cursor on PostgreSQL)."""
    sql, params = driver_statement(connection, statement, values)
    driver = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        cursor = driver.cursor(name="cadence_export_rows")
    else:
        cursor = driver.cursor()
    try:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(YIELD_PER):
            yield chunk
    finally:
        cursor.close()
