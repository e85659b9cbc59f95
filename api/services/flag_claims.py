"""One evaluator of a client's flags at a time, in one transaction, on any number of processes.

Evaluation reads a client's diary and stored flags, then writes flags. Two evaluators of one
client that interleave would both insert the same episode (a unique violation) or one would
delete a flag the other has just matched, and a queue row could be dropped by an evaluation
that never saw the write that queued it. So every evaluation of a client is a single
transaction that starts by claiming the client:

- PostgreSQL: `pg_advisory_xact_lock(NAMESPACE, client_id)`, released by commit or rollback.
  It locks no row, so a diary write (which locks its entry row, then the client's flag_work
  row) never waits for an evaluation; the evaluation waits for flag_work only at its very end
  (the conditional delete of the queue row), when it holds nothing a diary write needs. Lock
  order is therefore always entry -> flag_work, and batches claim clients in ascending id
  order: no cycle, no deadlock.
- SQLite: one writer at a time anyway; `BEGIN IMMEDIATE` takes the write lock before the
  first read, so read-evaluate-write is one write transaction and nobody writes in between
  (the driver would otherwise start the transaction only at the first write, after the reads).

A claim may be bounded (`wait`): readers of flags wait that long for another evaluator of the
same client, then read the flags as stored; the queue row stays for the next read or tick.
Deadlocks, serialization failures and a busy database are retried a few times, from scratch.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy import orm as so

T = TypeVar("T")

# First key of the two-key advisory lock: keeps these locks apart from any other user of them.
NAMESPACE = 0x464C4147  # "FLAG"
ATTEMPTS = 4
BACKOFF_SECONDS = 0.05
# PostgreSQL: serialization_failure, deadlock_detected; unique_violation is retried too, since
# a retry re-reads the stored flags and turns a clashing insert into an update.
RETRIED_SQLSTATES = {"40001", "40P01", "23505"}
POLL_SECONDS = 0.05


class Busy(Exception):
    """Another evaluator held the client longer than the caller was willing to wait."""


def claimed(
    session: so.Session,
    client_ids: Iterable[int],
    work: Callable[[], T],
    *,
    wait_seconds: float | None = None,
) -> T:
    """Run `work` in one transaction holding the claim of every client, then commit.

    Raises Busy when `wait_seconds` passed before the claim was had (nothing was written).
    """
    ids = sorted(set(client_ids))
    for attempt in range(ATTEMPTS):
        # Whatever the caller had open ends here: the claim must start the transaction.
        session.commit()
        try:
            _claim(session, ids, wait_seconds)
            result = work()
            session.commit()
            return result
        except exc.DBAPIError as error:
            session.rollback()
            if _lock_wait_ran_out(error, wait_seconds):
                raise Busy from None
            if attempt == ATTEMPTS - 1 or not _transient(error):
                raise
        except Exception:
            session.rollback()  # releases the claim at once, not when the session closes
            raise
        time.sleep(BACKOFF_SECONDS * (attempt + 1))
    raise AssertionError("unreachable")


def _claim(session: so.Session, ids: list[int], wait_seconds: float | None) -> None:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        if wait_seconds is None:
            for client_id in ids:
                session.execute(sa.select(sa.func.pg_advisory_xact_lock(NAMESPACE, client_id)))
            return
        # Polled rather than bounded by lock_timeout: that would abort the transaction and
        # override whatever lock_timeout the deployment sets for the rest of it.
        deadline = time.monotonic() + wait_seconds
        for client_id in ids:
            try_lock = sa.select(sa.func.pg_try_advisory_xact_lock(NAMESPACE, client_id))
            while not session.scalar(try_lock):
                if time.monotonic() >= deadline:
                    raise Busy
                time.sleep(POLL_SECONDS)
    elif dialect == "sqlite":
        connection = session.connection()
        if connection.connection.driver_connection.in_transaction:
            # Only if the engine were set to begin transactions itself (api/db.py is not):
            # the first write then takes the lock, and a clash is retried.
            return
        if wait_seconds is None:
            # Waits up to the connection's busy timeout (api/db.py) for the write lock.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            return
        usual = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(wait_seconds * 1000)}")
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        finally:
            connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(usual)}")


def _sqlstate(error: exc.DBAPIError) -> str | None:
    return getattr(error.orig, "sqlstate", None)


def _lock_wait_ran_out(error: exc.DBAPIError, wait_seconds: float | None) -> bool:
    # SQLite's bounded BEGIN IMMEDIATE gives up with "database is locked".
    return wait_seconds is not None and "database is locked" in str(error.orig)


def _transient(error: exc.DBAPIError) -> bool:
    if _sqlstate(error) in RETRIED_SQLSTATES:
        return True
    message = str(error.orig)
    return "database is locked" in message or "UNIQUE constraint failed: flags." in message
