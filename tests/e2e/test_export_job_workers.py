"""Export jobs in real `flask --app wsgi scheduler run` processes: two workers racing for the
same queued jobs run each exactly once; a worker killed mid-export (SIGKILL) leaves its job to
the next one, which runs it again once and fails it with the reason after a second death."""

import os
import re
import signal
import subprocess
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

import sqlalchemy as sa

from api import create_app, migrate
from api.config import config_for_tests
from api.models import AuditEvent, ExportJob, StudyParticipant
from api.services import deid, export_jobs, push
from tests.bench.data import populate
from tests.conftest import Accounts
from tests.servers import BIN, ROOT

STALE_SECONDS = 3
WAIT_SECONDS = 120


def _monday_weeks_ago(weeks: int) -> date:
    today = datetime.now(UTC).date()
    return today - timedelta(days=today.weekday(), weeks=weeks)


class World:
    """The database, an in-process app for the API side, and worker processes."""

    def __init__(self, database_url: str, tmp_path: Path):
        migrate.upgrade(database_url)
        self.tmp_path = tmp_path
        self.export_dir = tmp_path / "exports"
        private, _public = push.generate_pair()
        self.app = create_app(config_for_tests(database_url, export_dir=str(self.export_dir)))
        self.engine = self.app.extensions["cadence.engine"]
        self.accounts = Accounts(self.app.test_client(), self.app.test_cli_runner())
        self.client = self.accounts.client
        self.researcher = self.accounts.staff("researcher")
        self.env = {
            **os.environ,
            "CADENCE_DATABASE_URL": database_url,
            "CADENCE_VAPID_PRIVATE_KEY": private,
            "CADENCE_SCHEDULER_TICK_SECONDS": "1",
            "CADENCE_EXPORT_DIR": str(self.export_dir),
            "CADENCE_EXPORT_STALE_SECONDS": str(STALE_SECONDS),
            "CADENCE_MAIL_DIR": str(tmp_path / "mail"),
        }
        self.workers: list[tuple[subprocess.Popen, Path]] = []

    def study(self, name: str, client_ids: list[int]) -> int:
        """A study of the researcher's whose participants joined before their diaries began."""
        response = self.client.post(
            "/api/v1/studies",
            json={"name": name, "consent_version": "1", "consent_text": "I agree."},
            headers=self.researcher.headers,
        )
        assert response.status_code == 201, response.json
        study_id = response.json["id"]
        joined = datetime.combine(_monday_weeks_ago(16), clock_time(8), tzinfo=UTC)
        pseudonyms: set[str] = set()
        while len(pseudonyms) < len(client_ids):
            pseudonyms.add(deid.new_pseudonym())
        with self.engine.begin() as connection:
            connection.execute(
                sa.insert(StudyParticipant),
                [
                    {
                        "study_id": study_id,
                        "client_id": client_id,
                        "pseudonym": pseudonym,
                        "shift_weeks": deid.new_shift_weeks(),
                        "consent_version": "1",
                        "joined_at": joined,
                    }
                    for client_id, pseudonym in zip(client_ids, sorted(pseudonyms), strict=True)
                ],
            )
        return study_id

    def clients(self, count: int, seed: int) -> list[int]:
        monday = _monday_weeks_ago(15)
        return populate(self.engine, count, 11, first_monday=monday, seed=seed).client_ids

    def start_export(self, study_id: int) -> int:
        response = self.client.post(
            f"/api/v1/studies/{study_id}/exports",
            json={"format": "both"},
            headers=self.researcher.headers,
        )
        assert response.status_code == 202, response.json
        return response.json["id"]

    def start_worker(self) -> subprocess.Popen:
        log = self.tmp_path / f"worker-{len(self.workers) + 1}.log"
        with log.open("wb") as output:  # a file, not a pipe: a full pipe would stall it
            process = subprocess.Popen(
                [BIN / "flask", "--app", "wsgi", "scheduler", "run"],
                cwd=ROOT,
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=output,
            )
        self.workers.append((process, log))
        return process

    def job(self, job_id: int) -> dict:
        with self.engine.connect() as connection:
            return dict(
                connection.execute(sa.select(ExportJob.__table__).where(ExportJob.id == job_id))
                .mappings()
                .one()
            )

    def wait(self, what, condition) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            if condition():
                return
            for process, log in self.workers:
                if process.returncode is None and process.poll() is not None:
                    raise AssertionError(f"a worker exited:\n{log.read_text()}")
            time.sleep(0.05)
        logs = "\n".join(log.read_text() for _, log in self.workers)
        raise AssertionError(f"timed out waiting for {what}\n{logs}")

    def kill_when_writing(self, process: subprocess.Popen, job_id: int, attempt: int) -> dict:
        """SIGKILL the worker once its run (the job's `attempt`-th) has reported rows written:
        mid-export."""

        def writing() -> bool:
            job = self.job(job_id)
            return (job["status"], job["attempts"]) == ("running", attempt) and job[
                "rows_written"
            ] > 0

        self.wait(f"job {job_id} to be written", writing)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=15)
        return self.job(job_id)

    def exports_done(self) -> list[dict]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(AuditEvent.detail).where(
                    AuditEvent.action == "research:export", AuditEvent.outcome == "ok"
                )
            ).scalars()
            return [detail for detail in rows if detail.get("via") == "job"]

    def stop_workers(self) -> None:
        for process, _ in self.workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=15)

    def close(self) -> None:
        self.stop_workers()
        self.engine.dispose()


def _files(directory: Path, job_id: int) -> list[Path]:
    return [p for p in directory.glob("*.zip") if p.name.split("-")[3] == str(job_id)]


def test_two_workers_run_each_queued_export_once(server_database, tmp_path):
    world = World(server_database, tmp_path)
    try:
        clients = world.clients(12, seed=1)
        studies = [world.study(f"Study {i}", clients) for i in range(3)]
        jobs = [world.start_export(s) for s in studies for _ in range(3)]
        # Both start at once and find every job queued at their first tick.
        world.start_worker()
        world.start_worker()
        world.wait(
            "every job to be done",
            lambda: all(world.job(j)["status"] == "done" for j in jobs),
        )
        time.sleep(3)  # a few more ticks of both: nothing may run again
        finished = [world.job(j) for j in jobs]
        assert {(j["status"], j["attempts"], j["error"]) for j in finished} == {("done", 1, None)}
        assert len(world.exports_done()) == len(jobs)
        ran = []
        for _, log in world.workers:
            ran += [int(n) for n in re.findall(r"export (\d+) done", log.read_text())]
        assert sorted(ran) == sorted(jobs)
        for job in finished:
            assert [p.name for p in _files(world.export_dir, job["id"])] == [job["file_name"]]
    finally:
        world.close()
    for process, log in world.workers:
        text = log.read_text()
        assert "Traceback" not in text, text
        assert process.returncode == 0, text


def test_a_killed_workers_export_is_run_again_once_then_failed(server_database, tmp_path):
    world = World(server_database, tmp_path)
    try:
        # Enough rows that an export takes seconds: it is caught mid-way.
        study_id = world.study("Large", world.clients(600, seed=2))
        retried = world.start_export(study_id)

        killed = world.kill_when_writing(world.start_worker(), retried, 1)
        assert (killed["status"], killed["attempts"]) == ("running", 1)
        assert len(_files(world.export_dir, retried)) == 1  # half-written, left by the dead run

        world.start_worker()  # the restart: the job is taken back once its heartbeat is stale
        world.wait("the retried job", lambda: world.job(retried)["status"] == "done")
        done = world.job(retried)
        assert done["attempts"] == 2 and done["error"] is None
        assert [p.name for p in _files(world.export_dir, retried)] == [done["file_name"]]
        world.stop_workers()

        doomed = world.start_export(study_id)
        for attempt in (1, 2):
            killed = world.kill_when_writing(world.start_worker(), doomed, attempt)
            assert (killed["status"], killed["attempts"]) == ("running", attempt)
        world.start_worker()
        world.wait("the doomed job to fail", lambda: world.job(doomed)["status"] == "failed")
        failed = world.job(doomed)
        assert failed["error"] == export_jobs.DIED
        assert failed["attempts"] == export_jobs.MAX_ATTEMPTS
        assert _files(world.export_dir, doomed) == []
        assert len(world.exports_done()) == 1
    finally:
        world.close()
