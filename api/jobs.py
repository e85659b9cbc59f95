"""Scheduled work, run by one separate process: `flask --app wsgi scheduler run`.

APScheduler 3 keeps its jobs in memory (its job stores cannot be shared between processes),
so correctness never depends on there being exactly one scheduler: every piece of work is
claimed by a unique key in the database before it is done.

- reminders: every `scheduler_tick_seconds`, send the reminders and digests that fell due
  (services/reminders.py; the key is the reminder row itself);
- mail: every tick, send the queued mail that is due (services/mail.py; each row is claimed
  by one conditional UPDATE);
- safeguard: every tick, push any suicide-risk alert a request did not push itself
  (services/safeguard.py; each alert is claimed by one conditional UPDATE);
- exports: every tick (or EXPORT_POLL_SECONDS if sooner), run the queued study exports
  (services/export_jobs.py; each job is claimed by one conditional UPDATE) and expire old ones;
- nightly: re-evaluate recent scores and flags, refresh reminder adherence, blank old IP
  addresses and user agents on the audit trail (services/retention.py) (key: the day);
- cleanup: delete expired or revoked tokens and expired, unused invitations, any row a
  request wrote just after its account was erased (services/erasure.py), expired export files
  and export files no job owns (services/export_jobs.py) (key: the day).

Each job also runs once at start-up, so a run missed while no scheduler was up is caught up;
its key makes that a no-op when another scheduler already did the period.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import click
import sqlalchemy as sa
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import orm as so
from sqlalchemy.dialects import postgresql, sqlite

from api import db
from api.db import utcnow
from api.models import CareInvitation, JobRun, Token
from api.services import (
    erasure,
    export_jobs,
    flagging,
    mail,
    push,
    reminders,
    retention,
    safeguard,
)

log = logging.getLogger("cadence.jobs")

# A run still "running" after this long died with its process; another scheduler may retry.
STALE_RUN = timedelta(hours=2)
ADHERENCE_SPAN = timedelta(days=8)
# Queued exports are looked for at least this often, whatever the tick: a researcher waits.
EXPORT_POLL_SECONDS = 10


def latest_occurrence(now: datetime, hhmm: str) -> datetime:
    """The last time the UTC wall clock showed `hhmm`, at or before `now`."""
    h, m = reminders.parse_hhmm(hhmm)
    today = datetime.combine(now.astimezone(UTC).date(), time(h, m), tzinfo=UTC)
    return today if today <= now else today - timedelta(days=1)


def run_once(session: so.Session, job: str, period_key: str, work: Callable[[], dict]) -> bool:
    """Do `work` unless another run already claimed (job, period_key); True if it ran here."""
    if not _claim(session, job, period_key):
        return False
    try:
        detail = work()
    except Exception:
        session.rollback()
        log.exception("%s %s failed", job, period_key)
        _finish(session, job, period_key, "failed", {})
        return True
    _finish(session, job, period_key, "done", detail)
    log.info("%s %s: %s", job, period_key, detail)
    return True


def _claim(session: so.Session, job: str, period_key: str) -> bool:
    now = utcnow()
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    inserted = session.scalar(
        insert(JobRun)
        .values(job=job, period_key=period_key, status="running", started_at=now, detail={})
        .on_conflict_do_nothing()
        .returning(JobRun.id)
    )
    if inserted is None:
        # Taken: retry only a failed run or one whose process died mid-way.
        retried = session.execute(
            sa.update(JobRun)
            .where(
                JobRun.job == job,
                JobRun.period_key == period_key,
                sa.or_(
                    JobRun.status == "failed",
                    sa.and_(JobRun.status == "running", JobRun.started_at < now - STALE_RUN),
                ),
            )
            .values(status="running", started_at=now, finished_at=None)
        )
        inserted = retried.rowcount == 1 or None
    session.commit()
    return inserted is not None


def _finish(session, job, period_key, status, detail) -> None:
    session.execute(
        sa.update(JobRun)
        .where(JobRun.job == job, JobRun.period_key == period_key)
        .values(status=status, finished_at=utcnow(), detail=detail)
    )
    session.commit()


# --- the jobs ---------------------------------------------------------------------------


def send_reminders(session: so.Session, now: datetime) -> dict:
    counts = reminders.run_due(session, now)
    if counts:
        log.info("reminders: %s", dict(counts))
    return dict(counts)


def evaluate_flags(session: so.Session, now: datetime) -> dict:
    """Evaluate the flags of diary days written since the last tick (queued by the writes);
    a client another process is evaluating right now is left to it (flagging.run_pending)."""
    clients = flagging.run_pending(session)
    if clients:
        log.info("flags evaluated for %s clients", clients)
    return {"clients": clients}


def nightly(session: so.Session, now: datetime) -> bool:
    """Re-evaluate flags over the recent days (flagging.nightly) once per UTC day."""
    day: date = latest_occurrence(now, _settings().nightly_time).date()

    def work() -> dict:
        clients = flagging.nightly(session, day)
        adherence = reminders.update_logged_after(session, now, ADHERENCE_SPAN)
        days = _settings().audit_ip_retention_days
        blanked = retention.blank_old_addresses(session, now, days)
        return {"clients": clients, "reminders_updated": adherence, "audit_blanked": blanked}

    return run_once(session, "nightly", day.isoformat(), work)


def cleanup(session: so.Session, now: datetime) -> bool:
    """Delete tokens that expired or were revoked, and invitations that expired unused."""
    day: date = latest_occurrence(now, _settings().cleanup_time).date()

    def work() -> dict:
        tokens = session.execute(
            sa.delete(Token).where(sa.or_(Token.expires_at <= now, Token.revoked_at <= now))
        ).rowcount
        invitations = session.execute(
            sa.delete(CareInvitation).where(
                CareInvitation.used_at.is_(None), CareInvitation.expires_at <= now
            )
        ).rowcount
        session.commit()
        late = sum(erasure.sweep(session).values())
        exports = export_jobs.expire(session, now)
        orphans = export_jobs.sweep(session)
        return {
            "tokens": tokens,
            "invitations": invitations,
            "erased_late_rows": late,
            "exports_expired": exports,
            "export_files_removed": orphans,
        }

    return run_once(session, "cleanup", day.isoformat(), work)


def run_exports(session: so.Session, now: datetime) -> dict:
    """Run the queued study exports; an export already running in this process goes on
    claiming the next ones itself, so an overlapping tick returns at once."""
    if not _exporting.acquire(blocking=False):
        return {}
    try:
        counts = export_jobs.run_due(session, now)
    finally:
        _exporting.release()
    if counts:
        log.info("exports: %s", counts)
    return counts


_exporting = threading.Lock()


def _settings():
    return current_app.config["CADENCE"]


# --- the process ------------------------------------------------------------------------


def _in_app(app: Flask, job: Callable[[so.Session, datetime], object]) -> Callable[[], None]:
    def run() -> None:
        with app.app_context():
            try:
                job(db.session(), utcnow())
            except Exception:  # one bad run must not stop the scheduler
                log.exception("job %s failed", job.__name__)

    run.__name__ = job.__name__
    return run


def build_scheduler(app: Flask) -> BlockingScheduler:
    config = app.config["CADENCE"]
    for name in ("nightly_time", "cleanup_time", "digest_time"):
        try:
            reminders.parse_hhmm(getattr(config, name))
        except ValueError as error:
            raise click.ClickException(f"CADENCE_{name.upper()}: {error}") from None
    if config.scheduler_tick_seconds < 1:
        raise click.ClickException("CADENCE_SCHEDULER_TICK_SECONDS must be at least 1")
    with app.app_context():
        try:
            push.keys()  # a bad or mismatched VAPID key stops the start, not the first send
        except ValueError as error:
            raise click.ClickException(str(error)) from None
    scheduler = BlockingScheduler(
        timezone=UTC,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )
    now = datetime.now(UTC)
    ticking = (
        (evaluate_flags, "evaluate_flags"),
        (send_reminders, "reminders"),
        (mail.send_due, "mail"),  # queued mail (services/mail.py); rows are claimed, not keyed
        (safeguard.push_pending, "safeguard"),  # alerts' pushes a request could not send
    )
    for job, job_id in ticking:
        scheduler.add_job(
            _in_app(app, job),
            IntervalTrigger(seconds=config.scheduler_tick_seconds, timezone=UTC),
            id=job_id,
            name=job_id,
            next_run_time=now,
        )
    scheduler.add_job(
        _in_app(app, run_exports),
        IntervalTrigger(
            seconds=min(config.scheduler_tick_seconds, EXPORT_POLL_SECONDS), timezone=UTC
        ),
        id="exports",
        name="exports",
        next_run_time=now,
        max_instances=2,  # a tick during a long export returns at once (run_exports), unlogged
    )
    for job, hhmm in ((nightly, config.nightly_time), (cleanup, config.cleanup_time)):
        h, m = reminders.parse_hhmm(hhmm)
        scheduler.add_job(
            _in_app(app, job),
            CronTrigger(hour=h, minute=m, timezone=UTC),
            id=job.__name__,
            name=job.__name__,
            next_run_time=now,  # start-up catch-up; the period key makes it idempotent
        )
    return scheduler


scheduler_cli = AppGroup("scheduler", help="Reminders, digests and nightly work.")


@scheduler_cli.command("run")
@click.option("--once", is_flag=True, help="Run every job once now and exit.")
def scheduler_run(once):
    """Run the scheduler (one process beside the web server; more are safe, not useful)."""
    app = current_app._get_current_object()
    if once:
        once = (evaluate_flags, send_reminders, safeguard.push_pending, mail.send_due)
        for job in (*once, run_exports, nightly, cleanup):
            _in_app(app, job)()
        return
    scheduler = build_scheduler(app)

    def stop(_signum, _frame):
        export_jobs.interrupt()  # a running export puts its job back in the queue
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    # Each job logs what it did; the executor's two lines per run every tick are noise.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
    config = app.config["CADENCE"]
    log.info(
        "scheduler started: reminders every %s s, nightly %s UTC, cleanup %s UTC",
        config.scheduler_tick_seconds,
        config.nightly_time,
        config.cleanup_time,
    )
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        export_jobs.interrupt()
        scheduler.shutdown(wait=False)


def init_app(app: Flask) -> None:
    app.cli.add_command(scheduler_cli)
