"""Study exports as background jobs: requests queue them, the scheduler process writes them.

A large study's package takes longer than a request may (gunicorn ends a request after 30 s),
so `POST /studies/{id}/exports` only adds a `queued` row; every scheduler process runs
`run_due` (api/jobs.py), which claims one queued job with one conditional UPDATE (only a row
still `queued` is taken, so two workers never run the same job), writes the zip 0600 under
`export_dir` with export.export, and marks it `done` with an expiry. While it runs, the
worker reports the rows written about once a second and gives a sign of life every
`export_stale_seconds / 4` from a thread of its own.

A job whose worker died (no sign of life for `export_stale_seconds`) is queued again once and
failed with the reason after MAX_ATTEMPTS runs; a worker asked to stop (SIGTERM) puts its job
back at once without using up an attempt. A run that lost its claim meanwhile (taken as dead
while it was only slow) notices at its next report and stops, leaving the job to the new
claimant. Files of expired, failed or abandoned runs are deleted; downloads after the expiry
answer 410.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import socket
import stat
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import orm as so

from api import files
from api.config import Config
from api.db import utcnow
from api.models import ExportJob, Study, User
from api.services import audit, export
from api.services.errors import Conflict, NotFound, ServiceError

log = logging.getLogger("cadence.exports")

MAX_ATTEMPTS = 2  # a job whose worker died is run once more, then failed
MAX_ACTIVE_PER_STUDY = 3  # queued or running jobs of one study at a time
PROGRESS_SECONDS = 1.0  # rows written reach the database at most this often
ACTIVE = ("queued", "running")
DIED = (
    "The export stopped twice because the process writing it ended (restart or crash); "
    "start a new one, and tell the administrator if this happens again."
)
INTERNAL = (
    "The export stopped with an internal error ({kind}); start a new one, and tell the "
    "administrator if it fails again."
)
_FILE = re.compile(r"study-(\d+)-export-(\d+)-[0-9a-f]{12}\.zip")

# Set when the scheduler is asked to stop: a running export puts its job back in the queue.
_stopping = threading.Event()


class Gone(ServiceError):
    status = 410


class _Stopped(Exception):
    """The run may not go on: the process is stopping, or another worker took the job."""

    def __init__(self, requeue: bool):
        super().__init__("export run stopped")
        self.requeue = requeue


def _config() -> Config:
    return current_app.config["CADENCE"]


def formats_of(fmt: str) -> tuple[str, ...]:
    return tuple(export.FORMATS) if fmt == "both" else (fmt,)


# --- requests ---------------------------------------------------------------------------


def create(
    session: so.Session, researcher: User, study: Study, fmt: str, allow_small: bool
) -> ExportJob:
    """Queue an export of `study` (already checked to be the researcher's own)."""
    active = session.scalar(
        sa.select(sa.func.count()).where(
            ExportJob.study_id == study.id, ExportJob.status.in_(ACTIVE)
        )
    )
    if active >= MAX_ACTIVE_PER_STUDY:
        raise Conflict(
            f"This study already has {active} exports waiting or running; "
            "wait for one of them to finish."
        )
    export.check_min_participants(
        session, study, allow_small=allow_small, actor=researcher, via="job"
    )
    job = ExportJob(
        study_id=study.id,
        requested_by=researcher.id,
        format=fmt,
        allow_small=allow_small,
        status="queued",
        rows_written=0,
        attempts=0,
        created_at=utcnow(),
    )
    session.add(job)
    session.commit()
    audit.record(
        "research:export_job",
        "ok",
        actor=researcher,
        detail={"study": study.id, "job": job.id, "format": fmt, "allow_small": allow_small},
    )
    return job


def jobs_of(session: so.Session, study: Study, limit: int = 50) -> list[ExportJob]:
    return list(
        session.scalars(
            sa.select(ExportJob)
            .where(ExportJob.study_id == study.id)
            .order_by(ExportJob.created_at.desc(), ExportJob.id.desc())
            .limit(limit)
        )
    )


def job_of(session: so.Session, study: Study, job_id: int) -> ExportJob:
    """A job of `study`; a job of any other study is NotFound, like the study itself."""
    job = session.get(ExportJob, job_id)
    if job is None or job.study_id != study.id:
        raise NotFound("No such export.")
    return job


def open_download(
    session: so.Session, researcher: User, study: Study, job_id: int, now: datetime
) -> tuple[ExportJob, IO[bytes]]:
    """The finished zip, open for reading; Gone once it expired (its file is deleted then)."""
    job = job_of(session, study, job_id)
    detail = {"study": study.id, "job": job.id}
    if job.status == "done" and job.expires_at is not None and job.expires_at <= now:
        _expire(session, [job.id])
        session.refresh(job)
    stream = None
    if job.status == "done":
        try:
            stream = _open_file(_directory(), job.file_name or "")
        except (OSError, files.UnsafePath):
            log.warning("export %s: its file is missing; marked expired", job.id)
            _expire(session, [job.id])
            session.refresh(job)
    if job.status == "expired":
        audit.record(
            "research:export_download",
            "failed",
            actor=researcher,
            detail={**detail, "reason": "expired"},
        )
        raise Gone("This export has expired and its file was deleted; start a new export.")
    if stream is None:
        raise Conflict(f"This export is {job.status}, not ready to download.")
    audit.record(
        "research:export_download",
        "ok",
        actor=researcher,
        detail={**detail, "bytes": job.size_bytes, "sha256": job.sha256},
    )
    return job, stream


def _open_file(directory: Path, name: str) -> IO[bytes]:
    if not _FILE.fullmatch(name):
        raise files.UnsafePath("not an export file name")
    fd = os.open(directory / name, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    stream = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        stream.close()
        raise files.UnsafePath("not a regular file")
    return stream


# --- the worker -------------------------------------------------------------------------


def run_due(session: so.Session, now: datetime, limit: int | None = None) -> dict:
    """The scheduler's tick: take back the jobs of dead workers, then claim and run queued jobs
    one at a time until none is left (or `limit` ran), then expire old files."""
    config = _config()
    counts = _reap(session, now, config)
    ran = 0
    while (limit is None or ran < limit) and not _stopping.is_set():
        claimed = _claim(session)
        if claimed is None:
            break
        outcome = _run(session, claimed[0], claimed[1], config)
        counts[outcome] = counts.get(outcome, 0) + 1
        ran += 1
    counts["expired"] = expire(session, utcnow())
    return {name: count for name, count in counts.items() if count}


def interrupt() -> None:
    """Ask running exports to put their jobs back in the queue and stop (SIGTERM)."""
    _stopping.set()


def _dead(config: Config, now: datetime) -> sa.ColumnElement[bool]:
    stale = now - timedelta(seconds=config.export_stale_seconds)
    return sa.and_(
        ExportJob.status == "running",
        sa.or_(ExportJob.heartbeat_at.is_(None), ExportJob.heartbeat_at < stale),
    )


def _reap(session: so.Session, now: datetime, config: Config) -> dict:
    """Jobs whose worker stopped giving signs of life: run again once, then failed."""
    dead = _dead(config, now)
    failed = session.scalars(
        sa.update(ExportJob)
        .where(dead, ExportJob.attempts >= MAX_ATTEMPTS)
        .values(status="failed", error=DIED, finished_at=now, claimed_by=None, file_name=None)
        .returning(ExportJob.id)
        .execution_options(synchronize_session=False)
    ).all()
    requeued = session.scalars(
        sa.update(ExportJob)
        .where(dead, ExportJob.attempts < MAX_ATTEMPTS)
        .values(status="queued", claimed_by=None, heartbeat_at=None, rows_written=0)
        .returning(ExportJob.id)
        .execution_options(synchronize_session=False)
    ).all()
    session.commit()
    for job_id in failed:
        log.warning("export %s failed: its worker died in each of %d runs", job_id, MAX_ATTEMPTS)
        _remove_files(job_id)
    for job_id in requeued:
        log.warning("export %s queued again: its worker died", job_id)
    return {"died_failed": len(failed), "died_requeued": len(requeued)}


def _claim(session: so.Session) -> tuple[int, str] | None:
    """Take the oldest queued job with one conditional UPDATE; None when none is left."""
    token = f"{socket.gethostname()[:32]}:{os.getpid()}:{secrets.token_hex(6)}"
    for _ in range(5):  # a race lost to another worker: try the next job
        oldest = (
            sa.select(ExportJob.id)
            .where(ExportJob.status == "queued")
            .order_by(ExportJob.created_at, ExportJob.id)
            .limit(1)
        )
        if session.get_bind().dialect.name == "postgresql":
            # A row another worker is claiming right now is skipped, not waited for.
            oldest = oldest.with_for_update(skip_locked=True)
        session.commit()  # the UPDATE starts its own transaction (on SQLite: the write lock)
        now = utcnow()
        job_id = session.scalar(
            sa.update(ExportJob)
            # The status is checked again on the row itself: of two workers that picked the
            # same job, the second finds it no longer queued and claims nothing.
            .where(ExportJob.id == oldest.scalar_subquery(), ExportJob.status == "queued")
            .values(
                status="running",
                claimed_by=token,
                attempts=ExportJob.attempts + 1,
                started_at=now,
                heartbeat_at=now,
                rows_written=0,
                error=None,
            )
            .returning(ExportJob.id)
            .execution_options(synchronize_session=False)
        )
        session.commit()
        if job_id is not None:
            return job_id, token
        queued = sa.select(ExportJob.id).where(ExportJob.status == "queued").limit(1)
        if session.scalar(queued) is None:
            return None
    return None


class _Run:
    """A claimed run's reports: rows written (throttled) and a heartbeat from its own thread.
    Every report is conditional on the claim, so a run that lost its job learns it here."""

    def __init__(self, engine: sa.Engine, job_id: int, token: str, interval: float):
        self.engine, self.job_id, self.token = engine, job_id, token
        self.rows = 0
        self.lost = threading.Event()
        self._done = threading.Event()
        self._last = time.monotonic()
        self._thread = threading.Thread(
            target=self._beat_until_done, args=(interval,), name=f"export-{job_id}", daemon=True
        )

    def __enter__(self) -> _Run:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join(timeout=30)

    def progress(self, rows: int) -> None:
        """export.export's callback: `rows` more rows written."""
        self.rows += rows
        if time.monotonic() - self._last >= PROGRESS_SECONDS:
            self._report()
        if self.lost.is_set():
            raise _Stopped(requeue=False)
        if _stopping.is_set():
            raise _Stopped(requeue=True)

    def _report(self) -> None:
        self._last = time.monotonic()
        with self.engine.begin() as connection:
            updated = connection.execute(
                sa.update(ExportJob)
                .where(
                    ExportJob.id == self.job_id,
                    ExportJob.claimed_by == self.token,
                    ExportJob.status == "running",
                )
                .values(rows_written=self.rows, heartbeat_at=utcnow())
            ).rowcount
        if updated == 0:
            self.lost.set()

    def _beat_until_done(self, interval: float) -> None:
        while not self._done.wait(interval):
            try:
                self._report()
            except Exception:  # a database hiccup: the next beat tries again
                log.warning("export %s: heartbeat failed", self.job_id, exc_info=True)


def _run(session: so.Session, job_id: int, token: str, config: Config) -> str:
    """Write the claimed job's zip; returns the outcome counted by run_due."""
    engine = session.get_bind()
    job = session.get(ExportJob, job_id, populate_existing=True)
    study = session.get(Study, job.study_id)
    actor = session.get(User, job.requested_by)
    fmt, allow_small = job.format, job.allow_small
    session.expunge(study)  # read by the export after this session's transaction ended
    session.expunge(actor)
    directory = _directory(config)
    files.make_private_dir(directory)
    _remove_files(job_id, directory)  # a dead run's half-written zip
    name = f"study-{study.id}-export-{job_id}-{secrets.token_hex(6)}.zip"
    if not _update_claimed(session, job_id, token, file_name=name):
        return "lost"
    path = directory / name
    try:
        os.close(files.create_private(path))
        with _Run(engine, job_id, token, config.export_stale_seconds / 4) as run:
            # Participants may have withdrawn since the job was queued: the rule is checked
            # against the export as it is written now.
            export.check_min_participants(
                session, study, allow_small=allow_small, actor=actor, via="job"
            )
            session.rollback()  # hold no transaction open while the export reads
            summary = export.export(
                engine,
                study,
                path,
                formats_of(fmt),
                actor=actor,
                via="job",
                settings=config.srm_settings(),
                progress=run.progress,
            )
    except _Stopped as stopped:
        session.rollback()
        _remove_files(job_id, directory)
        if stopped.requeue:
            # Put back as it was: a stop asked for is not a failed attempt.
            _update_claimed(
                session,
                job_id,
                token,
                status="queued",
                claimed_by=None,
                heartbeat_at=None,
                rows_written=0,
                attempts=ExportJob.attempts - 1,
                file_name=None,
            )
            log.info("export %s put back in the queue: the worker is stopping", job_id)
            return "requeued"
        log.warning("export %s: another worker took the job over; this run stopped", job_id)
        return "lost"
    except ServiceError as error:  # the study no longer qualifies (e.g. too few participants)
        session.rollback()
        _remove_files(job_id, directory)
        _fail(session, job_id, token, error.message)
        return "failed"
    except Exception as error:
        session.rollback()
        log.exception("export %s failed", job_id)
        _remove_files(job_id, directory)
        _fail(session, job_id, token, INTERNAL.format(kind=type(error).__name__))
        return "failed"
    finished = utcnow()
    kept = _update_claimed(
        session,
        job_id,
        token,
        status="done",
        finished_at=finished,
        heartbeat_at=finished,
        expires_at=finished + timedelta(hours=config.export_ttl_hours),
        rows_written=sum(summary.rows.values()),
        participants=summary.participants,
        size_bytes=summary.size,
        sha256=summary.sha256,
        claimed_by=None,
    )
    if not kept:
        path.unlink(missing_ok=True)
        return "lost"
    log.info("export %s done: %s rows", job_id, sum(summary.rows.values()))
    return "done"


def _update_claimed(session: so.Session, job_id: int, token: str, **values) -> bool:
    """Change the job only while this run still holds its claim."""
    updated = session.execute(
        sa.update(ExportJob)
        .where(
            ExportJob.id == job_id,
            ExportJob.claimed_by == token,
            ExportJob.status == "running",
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    return updated == 1


def _fail(session: so.Session, job_id: int, token: str, reason: str) -> None:
    _update_claimed(
        session,
        job_id,
        token,
        status="failed",
        error=reason[:300],
        finished_at=utcnow(),
        claimed_by=None,
        file_name=None,
    )


# --- expiry and files -------------------------------------------------------------------


def expire(session: so.Session, now: datetime) -> int:
    """Mark done jobs past their expiry as expired and delete their files."""
    due = session.scalars(
        sa.select(ExportJob.id).where(ExportJob.status == "done", ExportJob.expires_at <= now)
    ).all()
    return _expire(session, list(due))


def _expire(session: so.Session, job_ids: list[int]) -> int:
    if not job_ids:
        return 0
    expired = session.scalars(
        sa.update(ExportJob)
        .where(ExportJob.id.in_(job_ids), ExportJob.status == "done")
        .values(status="expired", file_name=None)
        .returning(ExportJob.id)
        .execution_options(synchronize_session=False)
    ).all()
    session.commit()
    for job_id in expired:
        _remove_files(job_id)
    return len(expired)


def sweep(session: so.Session) -> int:
    """Delete files in the export folder that no done or running job owns (a crash between
    writing a file and recording it, or a study deleted with its jobs)."""
    directory = _directory()
    if not directory.is_dir():
        return 0
    found = {}
    for entry in os.scandir(directory):
        match = _FILE.fullmatch(entry.name)
        if match and entry.is_file(follow_symlinks=False):
            found[entry.name] = int(match.group(2))
    if not found:
        return 0
    owned = set(
        session.scalars(
            sa.select(ExportJob.file_name).where(
                ExportJob.id.in_(set(found.values())),
                ExportJob.status.in_(("running", "done")),
            )
        )
    )
    session.commit()
    removed = 0
    for name in found:
        if name not in owned:
            with contextlib.suppress(FileNotFoundError):
                (directory / name).unlink()
                removed += 1
    return removed


def _directory(config: Config | None = None) -> Path:
    return Path((config or _config()).export_dir)


def _remove_files(job_id: int, directory: Path | None = None) -> None:
    directory = directory or _directory()
    for path in directory.glob(f"study-*-export-{job_id}-*.zip"):
        match = _FILE.fullmatch(path.name)
        if match and int(match.group(2)) == job_id:
            path.unlink(missing_ok=True)
