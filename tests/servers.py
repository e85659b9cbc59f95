"""Real servers for end-to-end tests: gunicorn in a subprocess on a free loopback port."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from api.serve import THREADS

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


# For concurrency tests: no rate limit stands in the way and quiet logs; two workers with
# THREADS threads each serve up to eight requests at once.
CONCURRENT = {
    "CADENCE_RATELIMIT_ENABLED": "false",
    "CADENCE_LOG_LEVEL": "WARNING",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`make run`'s serving command, pointed at a given database."""

    def __init__(
        self,
        database_url: str,
        workers: int = 1,
        extra_env: dict | None = None,
        wsgi_app: str = "wsgi:app",
    ):
        self.database_url = database_url
        self.workers = workers
        self.wsgi_app = wsgi_app
        self.port = free_port()
        self.env = {
            **os.environ,
            "CADENCE_DATABASE_URL": database_url,
            "CADENCE_ARGON2_TIME_COST": "1",
            "CADENCE_ARGON2_MEMORY_KIB": "1024",
            # Mail sent without an SMTP server lands as .eml files: here, not in instance/.
            "CADENCE_MAIL_DIR": tempfile.mkdtemp(prefix="cadence-mail-"),
            **(extra_env or {}),
        }
        self.process: subprocess.Popen | None = None
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the server

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def migrate(self) -> None:
        subprocess.run(
            [BIN / "flask", "--app", "wsgi", "db", "upgrade"],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
        )

    def start(self) -> Server:
        self.process = subprocess.Popen(
            [
                BIN / "gunicorn",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                # As `make run` serves (api/serve.py): a browser's idle connection must not
                # hold the only worker.
                "--threads",
                str(THREADS),
                self.wsgi_app,
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            # A file, not a pipe: a full pipe would block gunicorn's logging.
            stderr=self.log,
            # Its own process group, so that a kill reaches the workers too.
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(self.log.read().decode())
            try:
                if self.request("GET", "/api/v1/health")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not start in 30 s")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop gunicorn and its workers; SIGKILL simulates a crash."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=30)
        self.process = None

    def verify_emails(self, *emails: str) -> None:
        """Confirm registered addresses as an admin does (`flask users verify`): a client
        links to a clinician or joins a study only then."""
        subprocess.run(
            [BIN / "flask", "--app", "wsgi", "users", "verify", *emails],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
        )

    def create_staff(self, email: str, password: str, role: str = "clinician") -> str:
        """`flask users create` as an admin runs it; its output (the authenticator's otpauth URI
        and recovery codes, which tests/authenticator.py reads)."""
        created = subprocess.run(
            [BIN / "flask", "--app", "wsgi", "users", "create", email, "--role", role],
            cwd=ROOT,
            env=self.env,
            input=f"{password}\n{password}\n",
            text=True,
            check=True,
            capture_output=True,
        )
        return created.stdout

    def run_scheduler_once(self) -> None:
        """The scheduler's jobs, once (`flask scheduler run --once`): queued mail is sent."""
        subprocess.run(
            [BIN / "flask", "--app", "wsgi", "scheduler", "run", "--once"],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
        )

    def request(self, method: str, path: str, body=None, token: str | None = None, headers=None):
        """(status, json body or None, headers) without raising on 4xx/5xx."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None, response.headers
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, json.loads(raw) if raw else None, error.headers
