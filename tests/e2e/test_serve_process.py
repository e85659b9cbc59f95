"""`flask --app wsgi serve`, the process `make run` starts: SIGTERM to it alone stops gunicorn
and the scheduler gracefully (a request in flight completes) and it exits 0; if a child dies,
it stops the other and exits non-zero."""

import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.servers import BIN, ROOT, Server

# Slow password hashing makes the sign-in a request that is surely still in flight when the
# SIGTERM arrives (a second or more of work; the signal comes 0.5 s after sending).
SLOW_HASHING = {"CADENCE_ARGON2_TIME_COST": "30", "CADENCE_ARGON2_MEMORY_KIB": "65536"}
ACCOUNT = {"email": "night.owl@example.org", "password": "a long passphrase"}
STOP_SECONDS = 40


class ServeProcess(Server):
    """The serve command in its own process group, as a supervisor would run it."""

    def __init__(self, database_url: str, log: Path, extra_env: dict | None = None):
        super().__init__(database_url, workers=2, extra_env=extra_env)
        self.log_path = log
        self.command = [BIN / "flask", "--app", "wsgi", "serve", "--port", str(self.port)]

    def via_make(self) -> "ServeProcess":
        """`make run` itself (migrating first); -o: never reinstall the venv here."""
        self.command = ["make", "-o", ".venv/bin/.installed", "run", f"PORT={self.port}"]
        return self

    def start(self) -> "ServeProcess":
        with self.log_path.open("wb") as output:  # a file, not a pipe: it could fill up
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log_path.read_text()
            try:
                if self.request("GET", "/api/v1/health")[0] == 200 and len(self.children()) == 2:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"serve did not start in 30 s:\n{self.log_path.read_text()}")

    def children(self) -> dict[str, int]:
        started = re.findall(r"serve: started (\w+) \(pid (\d+)\)", self.log_path.read_text())
        return {name: int(pid) for name, pid in started}

    def group(self) -> list[int]:
        """Every live process of the serve command's process group (workers included)."""
        members = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                fields = stat.rsplit(")", 1)[1].split()
                state, pgid = fields[0], int(fields[2])
                if pgid == self.process.pid and state != "Z":
                    members.append(int(entry.name))
        return members

    def wait(self, timeout: float) -> int:
        return self.process.wait(timeout=timeout)

    def cleanup(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        for pid in self.group() if self.process is not None else []:
            os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def serve(server_database, tmp_path):
    process = ServeProcess(server_database, tmp_path / "serve.log", extra_env=SLOW_HASHING)
    process.migrate()
    yield process
    process.cleanup()


@pytest.mark.parametrize("leader", ["serve", "make run"])
def test_sigterm_to_the_leader_finishes_requests_in_flight_and_stops_both(serve, leader):
    if leader == "make run":
        serve.via_make()
    serve.start()
    children = serve.children()
    assert set(children) == {"gunicorn", "scheduler"}
    status, _, _ = serve.request("POST", "/api/v1/auth/register", {**ACCOUNT, "timezone": "UTC"})
    assert status == 202

    answers = []

    def sign_in_slowly():
        try:
            answers.append(serve.request("POST", "/api/v1/auth/token", ACCOUNT))
        except OSError as error:  # a connection cut by the stop
            answers.append((error, None, None))

    sign_in = threading.Thread(target=sign_in_slowly)
    sign_in.start()
    time.sleep(0.5)
    assert sign_in.is_alive(), f"the request was not in flight when the signal was sent: {answers}"
    started = time.monotonic()
    os.kill(serve.process.pid, signal.SIGTERM)  # the leader only, as a supervisor does

    sign_in.join(timeout=STOP_SECONDS)
    assert answers and answers[0][0] == 201, (answers, serve.log_path.read_text())
    assert answers[0][1]["token"]
    code = serve.wait(timeout=STOP_SECONDS)
    log = serve.log_path.read_text()
    # make passes the SIGTERM on to its recipe, waits for it, then dies of the signal itself.
    assert code == (0 if leader == "serve" else -signal.SIGTERM), log
    assert "Error" not in log  # make reports a recipe that failed
    assert time.monotonic() - started < STOP_SECONDS
    assert not any(_alive(pid) for pid in children.values()), log
    assert serve.group() == [], log  # no worker left behind either
    assert "SIGTERM received, stopping" in log and "Traceback" not in log
    with pytest.raises(OSError):
        serve.request("GET", "/api/v1/health")


def test_when_the_scheduler_dies_gunicorn_is_stopped_and_the_leader_fails(serve):
    serve.start()
    children = serve.children()
    os.kill(children["scheduler"], signal.SIGKILL)

    code = serve.wait(timeout=STOP_SECONDS)
    log = serve.log_path.read_text()
    assert code != 0, log
    assert "scheduler exited with -9" in log
    assert not _alive(children["gunicorn"]) and serve.group() == [], log
    with pytest.raises(OSError):
        serve.request("GET", "/api/v1/health")
