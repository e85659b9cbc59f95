"""Study exports as background jobs: queued by the researcher, run by the worker's function,
polled, downloaded (the same package write_package makes), expired (410, file deleted), on the
audit trail, and nobody else's to read. A dead worker's job is run once more, then failed."""

import io
import os
import stat
import threading
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
import time_machine

from api import create_app, db
from api.config import config_for_tests
from api.db import utcnow
from api.models import AuditEvent, ExportJob, Study
from api.services import export, export_jobs
from api.services.scoring import srm_settings
from tests.api.diaries import log_week, steady
from tests.api.test_studies import create, join
from tests.conftest import Account, Accounts

JOINED = datetime(2026, 9, 7, 9, 0, tzinfo=UTC)  # a Monday
WEEKS = 6  # logged after joining: more than the export's edge cuts (3 weeks at most)
LATER = JOINED + timedelta(weeks=WEEKS, hours=3)
PARTICIPANTS = 5


@pytest.fixture
def export_dir(tmp_path) -> Path:
    return tmp_path / "exports"


@pytest.fixture
def app(database_url, export_dir):
    app = create_app(config_for_tests(database_url, export_dir=str(export_dir)))
    yield app
    app.extensions["cadence.engine"].dispose()


@pytest.fixture
def clock():
    """Frozen at JOINED, then moved on by the tests (tokens and expiry follow it)."""
    with time_machine.travel(JOINED, tick=False) as traveller:
        yield traveller


def _signed_in_again(accounts: Accounts, account: Account) -> Account:
    return Account(account.id, account.email, accounts.sign_in(account.email))


@pytest.fixture
def scenario(client, accounts, clock):
    """(researcher, study, participants): five joined at JOINED; the clock is at LATER."""
    researcher = accounts.staff("researcher")
    created = create(client, researcher)
    people = [accounts.client_account(timezone="Europe/London") for _ in range(PARTICIPANTS)]
    for person in people:
        assert join(client, person, created).status_code == 201
    clock.move_to(LATER)
    people = [_signed_in_again(accounts, p) for p in people]
    return _signed_in_again(accounts, researcher), created, people


@pytest.fixture
def study(scenario):
    return scenario[:2]


@pytest.fixture
def logged(client, scenario):
    """The study, its participants having logged the six weeks since they joined."""
    for i, person in enumerate(scenario[2]):
        for week in range(WEEKS):
            monday = JOINED.date() + timedelta(weeks=week)
            log_week(client, person, monday, steady(wake=f"0{6 + i % 3}:{10 * i:02d}"))
    return scenario[:2]


def _run_worker(app) -> dict:
    with app.app_context():
        return export_jobs.run_due(db.session(), utcnow())


def _start(client, researcher, study_id: int, **body):
    return client.post(
        f"/api/v1/studies/{study_id}/exports",
        json={"format": "both", **body},
        headers=researcher.headers,
    )


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def _audit(app, action: str) -> list[tuple[str, dict]]:
    with app.extensions["cadence.engine"].connect() as connection:
        rows = connection.execute(
            sa.select(AuditEvent.outcome, AuditEvent.detail)
            .where(AuditEvent.action == action)
            .order_by(AuditEvent.id)
        )
        return [(outcome, detail) for outcome, detail in rows]


def test_a_job_runs_in_the_worker_and_downloads_what_write_package_writes(
    app, client, logged, export_dir
):
    researcher, created = logged
    started = _start(client, researcher, created["id"])
    assert started.status_code == 202, started.json
    job = started.json
    assert job["status"] == "queued" and job["rows_written"] == 0
    assert job["format"] == "both" and job["allow_small"] is False
    assert job["download_url"] is None and job["expires_at"] is None
    assert started.headers["Location"] == f"/api/v1/studies/{created['id']}/exports/{job['id']}"
    url = started.headers["Location"]
    # Nothing runs in the request: the job waits for the worker.
    assert client.get(url, headers=researcher.headers).json["status"] == "queued"
    early = client.get(f"{url}/download", headers=researcher.headers)
    assert early.status_code == 409, early.json

    assert _run_worker(app) == {"done": 1}
    done = client.get(url, headers=researcher.headers)
    assert done.status_code == 200
    body = done.json
    assert body["status"] == "done" and body["error"] is None and body["attempts"] == 1
    assert body["participants"] == PARTICIPANTS
    assert body["download_url"] == f"{url}/download"
    finished = datetime.fromisoformat(body["finished_at"])
    assert datetime.fromisoformat(body["expires_at"]) == finished + timedelta(hours=24)
    listed = client.get(f"/api/v1/studies/{created['id']}/exports", headers=researcher.headers)
    assert listed.json["exports"] == [body]

    downloaded = client.get(body["download_url"], headers=researcher.headers)
    assert downloaded.status_code == 200
    assert downloaded.headers["Cache-Control"] == "no-store"
    assert downloaded.headers["X-Content-SHA256"] == body["sha256"]
    assert len(downloaded.data) == body["size_bytes"]
    got = _members(downloaded.data)

    # The same package, written directly at the same instant, holds the same tables.
    with app.app_context():
        row = db.session().get(Study, created["id"])
        out = io.BytesIO()
        _, rows = export.write_package(
            db.engine(), row, out, export.FORMATS, settings=srm_settings()
        )
    expected = _members(out.getvalue())
    assert sorted(got) == sorted(expected)
    assert body["rows_written"] == sum(rows.values()) > 0
    for name, content in expected.items():
        if name.endswith(".parquet"):
            assert pq.read_table(io.BytesIO(got[name])).equals(pq.read_table(io.BytesIO(content)))
        else:
            assert got[name] == content, name

    # On disk: owner-only, in an owner-only folder.
    (path,) = export_dir.iterdir()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(export_dir.stat().st_mode) == 0o700
    assert path.read_bytes() == downloaded.data

    study_id, job_id = created["id"], job["id"]
    assert _audit(app, "research:export_job") == [
        ("ok", {"study": study_id, "job": job_id, "format": "both", "allow_small": False})
    ]
    (exported,) = _audit(app, "research:export")
    assert exported[0] == "ok" and exported[1]["via"] == "job"
    assert exported[1]["sha256"] == body["sha256"]
    assert _audit(app, "research:export_download") == [
        (
            "ok",
            {
                "study": study_id,
                "job": job_id,
                "bytes": len(downloaded.data),
                "sha256": body["sha256"],
            },
        )
    ]


def test_after_its_expiry_a_download_is_gone_and_the_file_deleted(
    app, client, study, clock, export_dir
):
    researcher, created = study
    first = _start(client, researcher, created["id"], format="csv").json
    second = _start(client, researcher, created["id"], format="parquet").json
    assert _run_worker(app) == {"done": 2}
    url = f"/api/v1/studies/{created['id']}/exports/{first['id']}"
    assert client.get(f"{url}/download", headers=researcher.headers).status_code == 200
    assert len(list(export_dir.iterdir())) == 2

    clock.shift(timedelta(hours=24, minutes=1))
    gone = client.get(f"{url}/download", headers=researcher.headers)
    assert gone.status_code == 410, gone.json
    assert "expired" in gone.json["message"]
    assert client.get(url, headers=researcher.headers).json["status"] == "expired"
    assert len(list(export_dir.iterdir())) == 1
    # The other one is expired by the worker's sweep (and the daily cleanup) without a request.
    assert _run_worker(app) == {"expired": 1}
    assert list(export_dir.iterdir()) == []
    other = client.get(
        f"/api/v1/studies/{created['id']}/exports/{second['id']}/download",
        headers=researcher.headers,
    )
    assert other.status_code == 410
    failed = [d for outcome, d in _audit(app, "research:export_download") if outcome == "failed"]
    assert failed == [
        {"study": created["id"], "job": first["id"], "reason": "expired"},
        {"study": created["id"], "job": second["id"], "reason": "expired"},
    ]


def test_another_researchers_study_or_job_is_not_found(app, client, accounts, study):
    researcher, created = study
    job = _start(client, researcher, created["id"]).json
    assert _run_worker(app) == {"done": 1}
    stranger = accounts.staff("researcher")
    own = create(client, stranger, name="Mine")
    base = f"/api/v1/studies/{created['id']}/exports"
    for method, path in (
        ("GET", base),
        ("POST", base),
        ("GET", f"{base}/{job['id']}"),
        ("GET", f"{base}/{job['id']}/download"),
        # Under the stranger's own study the job is not theirs either.
        ("GET", f"/api/v1/studies/{own['id']}/exports/{job['id']}"),
        ("GET", f"/api/v1/studies/{own['id']}/exports/{job['id']}/download"),
    ):
        response = client.open(
            path, method=method, json={} if method == "POST" else None, headers=stranger.headers
        )
        assert response.status_code == 404, (method, path, response.json)
    missing = client.get(f"{base}/987654", headers=researcher.headers)
    assert missing.status_code == 404
    # Clients and clinicians are turned away by role.
    person = accounts.client_account()
    assert client.get(base, headers=person.headers).status_code == 403
    downloads = _audit(app, "research:export_download")
    assert downloads == []


def test_bad_input_is_refused_and_nothing_is_queued(app, client, study):
    researcher, created = study
    base = f"/api/v1/studies/{created['id']}/exports"
    for body, field in (
        ({"format": "xlsx"}, "format"),
        ({"format": "csv", "allow_small": "yes"}, "allow_small"),
        ({"format": "csv", "allow_small": 1}, "allow_small"),
        ({"format": "csv", "tables": ["events"]}, "tables"),
    ):
        response = client.post(base, json=body, headers=researcher.headers)
        assert response.status_code == 422, body
        assert field in response.json["errors"], response.json
    with app.extensions["cadence.engine"].connect() as connection:
        assert connection.scalar(sa.select(sa.func.count()).select_from(ExportJob)) == 0


def test_a_study_may_not_flood_the_queue(client, study):
    researcher, created = study
    for _ in range(export_jobs.MAX_ACTIVE_PER_STUDY):
        assert _start(client, researcher, created["id"]).status_code == 202
    refused = _start(client, researcher, created["id"])
    assert refused.status_code == 409
    assert "wait" in refused.json["message"]


def test_a_dead_workers_job_runs_once_more_then_fails_with_the_reason(
    app, client, study, clock, export_dir
):
    researcher, created = study
    stale = timedelta(seconds=app.config["CADENCE"].export_stale_seconds + 1)
    retried = _start(client, researcher, created["id"]).json
    with app.app_context():
        # A worker claims the job and dies before it reports again.
        assert export_jobs._claim(db.session())[0] == retried["id"]
    clock.shift(stale)
    assert _run_worker(app) == {"died_requeued": 1, "done": 1}
    body = client.get(
        f"/api/v1/studies/{created['id']}/exports/{retried['id']}", headers=researcher.headers
    ).json
    assert (body["status"], body["attempts"]) == ("done", 2)

    doomed = _start(client, researcher, created["id"]).json
    for attempt in range(1, export_jobs.MAX_ATTEMPTS + 1):
        with app.app_context():
            session = db.session()
            job_id, _ = export_jobs._claim(session)
            assert job_id == doomed["id"]
            # The dead run's half-written file, which must not be left behind.
            half = export_dir / f"study-{created['id']}-export-{job_id}-{'a' * 12}.zip"
            half.write_bytes(b"PK")
            clock.shift(stale)
            counts = export_jobs._reap(session, utcnow(), app.config["CADENCE"])
        last = attempt == export_jobs.MAX_ATTEMPTS
        assert counts == {"died_failed": int(last), "died_requeued": int(not last)}
    body = client.get(
        f"/api/v1/studies/{created['id']}/exports/{doomed['id']}", headers=researcher.headers
    ).json
    assert body["status"] == "failed" and body["attempts"] == export_jobs.MAX_ATTEMPTS
    assert body["error"] == export_jobs.DIED
    assert [p.name.split("-")[3] for p in export_dir.iterdir()] == [str(retried["id"])]


def test_a_run_that_lost_its_claim_stops_and_leaves_the_job_to_the_new_one(app, client, study):
    researcher, created = study
    job = _start(client, researcher, created["id"]).json
    with app.app_context():
        session = db.session()
        job_id, token = export_jobs._claim(session)
        # Taken as dead while it was only slow: another worker claimed it meanwhile.
        session.execute(
            sa.update(ExportJob).where(ExportJob.id == job_id).values(claimed_by="someone-else")
        )
        session.commit()
        outcome = export_jobs._run(session, job_id, token, app.config["CADENCE"])
    assert outcome == "lost"
    body = client.get(
        f"/api/v1/studies/{created['id']}/exports/{job['id']}", headers=researcher.headers
    ).json
    assert body["status"] == "running" and body["finished_at"] is None


def test_concurrent_claims_take_each_job_once(app, client, accounts, study):
    researcher, created = study
    others = [create(client, researcher, name=f"Other {i}") for i in range(3)]
    queued = []
    for target in (created, *others):
        for _ in range(2):
            response = _start(client, researcher, target["id"], allow_small=True)
            assert response.status_code == 202, response.json
            queued.append(response.json["id"])
    claims: list[int] = []
    barrier = threading.Barrier(4)

    def worker():
        with app.app_context():
            barrier.wait()
            while (claimed := export_jobs._claim(db.session())) is not None:
                claims.append(claimed[0])

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(claims) == sorted(queued)


def test_the_export_folder_keeps_only_files_a_job_owns(app, client, study, export_dir):
    researcher, created = study
    _start(client, researcher, created["id"])
    assert _run_worker(app) == {"done": 1}
    (kept,) = export_dir.iterdir()
    stray = export_dir / f"study-{created['id']}-export-987654-{'b' * 12}.zip"
    stray.write_bytes(b"PK")
    unrelated = export_dir / "notes.txt"
    unrelated.write_text("not ours")
    with app.app_context():
        assert export_jobs.sweep(db.session()) == 1
    assert sorted(p.name for p in export_dir.iterdir()) == sorted([kept.name, "notes.txt"])


def test_a_symlink_in_place_of_the_file_is_not_followed(app, client, study, export_dir, tmp_path):
    researcher, created = study
    job = _start(client, researcher, created["id"]).json
    assert _run_worker(app) == {"done": 1}
    (path,) = export_dir.iterdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("not for download")
    path.unlink()
    os.symlink(secret, path)
    response = client.get(
        f"/api/v1/studies/{created['id']}/exports/{job['id']}/download",
        headers=researcher.headers,
    )
    assert response.status_code == 410
    assert b"not for download" not in response.data
    assert secret.exists()
