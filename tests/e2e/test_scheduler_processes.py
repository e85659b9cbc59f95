"""Two real `flask --app wsgi scheduler run` processes on one database send each reminder once,
to a real push receiver, and run each periodic job once."""

import os
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from api import create_app, migrate
from api.config import config_for_tests
from api.models import JobRun, Reminder
from api.services import push
from tests.conftest import Accounts
from tests.push_receiver import PushReceiver
from tests.servers import BIN, ROOT

CLIENTS = 6
WAIT_SECONDS = 60


def _start_scheduler(env: dict, log: Path) -> subprocess.Popen:
    with log.open("wb") as output:  # a file, not a pipe: a full pipe would stall the process
        return subprocess.Popen(
            [BIN / "flask", "--app", "wsgi", "scheduler", "run"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=output,
        )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def test_two_schedulers_send_each_reminder_once(server_database, tmp_path):
    private, public = push.generate_pair()
    migrate.upgrade(server_database)
    receiver = PushReceiver(public).start()
    app = create_app(
        config_for_tests(
            server_database, vapid_private_key=private, push_test_receiver=receiver.origin
        )
    )
    processes, logs = [], []
    try:
        accounts = Accounts(app.test_client(), app.test_cli_runner())
        # Due a minute ago, in the catch-up window: both schedulers find them on their first tick.
        due = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%H:%M")
        names = []
        for _ in range(CLIENTS):
            account = accounts.client_account()
            accounts.client.patch(
                "/api/v1/me", json={"reminder_times": [due]}, headers=account.headers
            )
            name = f"client{account.id}"
            response = accounts.client.post(
                "/api/v1/push/subscriptions",
                json=receiver.subscription(name),
                headers=account.headers,
            )
            assert response.status_code == 201
            names.append(name)

        env = {
            **os.environ,
            "CADENCE_DATABASE_URL": server_database,
            "CADENCE_VAPID_PRIVATE_KEY": private,
            "CADENCE_PUSH_TEST_RECEIVER": receiver.origin,
            "CADENCE_SCHEDULER_TICK_SECONDS": "1",
            # The clients' verification mail is sent too: as files here, not in instance/.
            "CADENCE_MAIL_DIR": str(tmp_path / "mail"),
        }
        logs = [tmp_path / "scheduler-1.log", tmp_path / "scheduler-2.log"]
        processes = [_start_scheduler(env, log) for log in logs]

        engine = app.extensions["cadence.engine"]
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                sent = connection.scalar(
                    sa.select(sa.func.count()).where(Reminder.status == "sent")
                )
                runs = connection.scalar(sa.select(sa.func.count()).select_from(JobRun))
            if sent == CLIENTS and runs == 2:
                break
            for process, log in zip(processes, logs, strict=True):
                assert process.poll() is None, log.read_text()
            time.sleep(0.2)
        time.sleep(3)  # a few more ticks of both processes: nothing more may be sent
        assert all(p.poll() is None for p in processes), "a scheduler exited"

        assert receiver.problems == []
        assert {name: len(receiver.for_name(name)) for name in names} == dict.fromkeys(names, 1)
        with engine.connect() as connection:
            reminders = connection.execute(sa.select(Reminder.client_id, Reminder.status)).all()
            runs = connection.execute(sa.select(JobRun.job, JobRun.status)).all()
        assert len(reminders) == CLIENTS
        assert {status for _, status in reminders} == {"sent"}
        assert sorted(tuple(r) for r in runs) == [("cleanup", "done"), ("nightly", "done")]
    finally:
        for process in processes:
            _stop(process)
        receiver.stop()
        app.extensions["cadence.engine"].dispose()
    # Both processes really ran the scheduler and stopped on SIGTERM, without a traceback.
    for process, log in zip(processes, logs, strict=True):
        text = log.read_text()
        assert "scheduler started" in text
        assert "Traceback" not in text, text
        assert process.returncode == 0, text
