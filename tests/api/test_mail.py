"""Mail: queued in the request's transaction, sent by the scheduler to a real SMTP server on
loopback, retried with backoff, claimed once however many schedulers run."""

from __future__ import annotations

import logging
import stat
import threading
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import sqlalchemy as sa

from api import create_app, db
from api.config import Config, config_for_tests
from api.db import utcnow
from api.models import MailMessage
from api.services import mail
from tests.smtp_server import SmtpServer, free_port, self_signed_context

TO = "someone.private@example.org"
SUBJECT = "Confirm your address"
BODY = "Open this link to confirm: https://cadence.example/verify?token=abc123\n"


@pytest.fixture
def make_app(database_url):
    apps = []

    def make(**overrides):
        app = create_app(config_for_tests(database_url, **overrides))
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["cadence.engine"].dispose()


def queue(app, count=1, to=TO, kind="verify_email") -> list[str]:
    with app.app_context():
        session = db.session()
        rows = [
            mail.enqueue(session, to, f"{SUBJECT} {i}" if count > 1 else SUBJECT, BODY, kind)
            for i in range(count)
        ]
        session.commit()
        return [row.message_id for row in rows]


def send_due(app, now, **kwargs) -> dict:
    with app.app_context():
        return mail.send_due(db.session(), now, **kwargs)


def row(app, message_id) -> MailMessage:
    with app.app_context():
        return db.session().scalar(
            sa.select(MailMessage).where(MailMessage.message_id == message_id)
        )


def test_a_queued_message_is_delivered_by_send_due_not_at_enqueue(make_app, smtp):
    app = make_app(smtp_url=smtp.url, mail_from="Cadence Clinic <no-reply@clinic.example>")
    [message_id] = queue(app)
    assert smtp.received == []  # enqueue only writes the row
    assert row(app, message_id).status == "queued"

    now = utcnow()
    assert send_due(app, now) == {"sent": 1}

    [received] = smtp.received
    assert received.mail_from == "no-reply@clinic.example"
    assert received.rcpt_tos == [TO]
    message = received.message
    assert message["From"] == "Cadence Clinic <no-reply@clinic.example>"
    assert message["To"] == TO
    assert message["Subject"] == SUBJECT
    assert message["Message-ID"] == message_id
    assert message["Date"]
    assert message.get_content().replace("\r\n", "\n") == BODY  # SMTP lines end in CRLF
    sent = row(app, message_id)
    assert (sent.status, sent.attempts, sent.sent_at) == ("sent", 0, now)
    assert sent.body == ""  # the link it carried is not kept
    assert send_due(app, now + timedelta(hours=1)) == {}  # sent once only


def test_a_server_that_is_down_backs_off_then_the_message_is_delivered(make_app):
    port = free_port()  # nothing listens here yet
    app = make_app(smtp_url=f"smtp://127.0.0.1:{port}")
    [message_id] = queue(app)
    start = utcnow()

    assert send_due(app, start) == {"retry": 1}
    first = row(app, message_id)
    assert (first.status, first.attempts) == ("queued", 1)
    assert first.next_attempt_at == start + timedelta(minutes=1)
    assert first.last_error == "ConnectionRefusedError"
    assert first.body == BODY

    assert send_due(app, start + timedelta(seconds=59)) == {}  # not due yet
    assert send_due(app, start + timedelta(minutes=1)) == {"retry": 1}
    second = row(app, message_id)
    assert second.attempts == 2
    assert second.next_attempt_at == start + timedelta(minutes=3)  # then 2 minutes

    with SmtpServer(port=port) as server:
        assert send_due(app, start + timedelta(minutes=2)) == {}
        assert send_due(app, start + timedelta(minutes=3)) == {"sent": 1}
        assert [r.message["Message-ID"] for r in server.received] == [message_id]
    assert row(app, message_id).status == "sent"


def test_enqueue_belongs_to_the_callers_transaction(make_app, smtp):
    app = make_app(smtp_url=smtp.url)
    with app.app_context():
        session = db.session()
        mail.enqueue(session, TO, SUBJECT, BODY, "verify_email")
        session.rollback()  # the request failed: its mail goes with it
    assert send_due(app, utcnow()) == {}
    assert smtp.received == []


def test_a_claim_left_by_a_dead_scheduler_is_taken_again_after_fifteen_minutes(make_app, smtp):
    app = make_app(smtp_url=smtp.url)
    [message_id] = queue(app)
    now = utcnow()
    with app.app_context():
        session = db.session()
        session.execute(
            sa.update(MailMessage).values(status="sending", claimed_by="gone", claimed_at=now)
        )
        session.commit()
    assert send_due(app, now + timedelta(minutes=14)) == {}  # it may still be sending
    assert send_due(app, now + timedelta(minutes=16)) == {"sent": 1}
    assert [r.message["Message-ID"] for r in smtp.received] == [message_id]


def test_backoff_doubles_from_one_minute_and_is_capped():
    assert [mail.backoff(n).total_seconds() / 60 for n in range(1, 9)] == [
        1,
        2,
        4,
        8,
        16,
        32,
        60,
        60,
    ]


def test_after_the_last_attempt_the_message_is_kept_as_failed(make_app):
    app = make_app(smtp_url=f"smtp://127.0.0.1:{free_port()}", mail_max_attempts=2)
    [message_id] = queue(app)
    now = utcnow()
    assert send_due(app, now) == {"retry": 1}
    assert send_due(app, now + timedelta(minutes=1)) == {"failed": 1}
    failed = row(app, message_id)
    assert (failed.status, failed.attempts, failed.body) == ("failed", 2, "")
    assert send_due(app, now + timedelta(days=1)) == {}


def test_an_address_the_server_refuses_outright_is_not_tried_again(make_app, smtp):
    app = make_app(smtp_url=smtp.url)
    [refused] = queue(app, to="nobody@example.org")
    [fine] = queue(app)
    assert send_due(app, utcnow()) == {"failed": 1, "sent": 1}
    failed = row(app, refused)
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert failed.last_error == "SMTPRecipientsRefused 550"
    assert [r.message["Message-ID"] for r in smtp.received] == [fine]


def test_two_schedulers_at_once_never_send_a_message_twice(make_app):
    with SmtpServer(delay=0.01) as server:
        app = make_app(smtp_url=server.url)
        queued = set(queue(app, count=30))
        now = utcnow()
        barrier = threading.Barrier(2)
        sent_by: dict[str, int] = {}
        per_call: list[int] = []
        errors = []

        def queued_left(session) -> int:
            return session.scalar(sa.select(sa.func.count()).where(MailMessage.status == "queued"))

        def scheduler(name):
            try:
                with app.app_context():
                    session = db.session()
                    barrier.wait()
                    # An empty claim may only mean that the other took the rows: go on
                    # until nothing is left queued.
                    for _ in range(100):
                        counts = mail.send_due(session, now, batch=4)
                        sent_by[name] = sent_by.get(name, 0) + counts.get("sent", 0)
                        per_call.append(counts.get("sent", 0))
                        if not counts and not queued_left(session):
                            break
            except Exception as error:  # reported below, with the thread's error
                errors.append(error)

        threads = [threading.Thread(target=scheduler, args=(n,)) for n in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)

        assert errors == []
        delivered = [r.message["Message-ID"] for r in server.received]
    assert sorted(delivered) == sorted(queued)  # every one, none twice
    assert sum(sent_by.values()) == 30
    assert max(per_call) <= 4  # a claim takes at most `batch` rows
    assert min(sent_by.get("a", 0), sent_by.get("b", 0)) > 0  # both really ran at once
    with app.app_context():
        statuses = db.session().scalars(sa.select(MailMessage.status)).all()
    assert statuses == ["sent"] * 30


# aiosmtpd warns about AUTH without TLS, which is what this loopback test wants.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_credentials_in_the_url_are_decoded_and_used_to_log_in(make_app):
    with SmtpServer(credentials=("mailer@clinic", "p@ss:w/rd")) as server:
        app = make_app(smtp_url=f"smtp://mailer%40clinic:p%40ss%3Aw%2Frd@127.0.0.1:{server.port}")
        [message_id] = queue(app)
        assert send_due(app, utcnow()) == {"sent": 1}
        assert server.logins == [("mailer@clinic", "p@ss:w/rd")]
        assert server.received[0].login == "mailer@clinic"

        wrong = make_app(smtp_url=f"smtp://mailer%40clinic:nope@127.0.0.1:{server.port}")
        [refused_id] = queue(wrong)
        assert send_due(wrong, utcnow()) == {"retry": 1}
        assert row(wrong, refused_id).last_error == "SMTPAuthenticationError 535"
        assert [r.message["Message-ID"] for r in server.received] == [message_id]


def test_starttls_is_required_when_asked_for_and_certificates_are_verified(make_app, tmp_path):
    # A server without STARTTLS: the message is not sent in clear text.
    with SmtpServer() as plain:
        app = make_app(smtp_url=f"smtp+starttls://127.0.0.1:{plain.port}")
        [message_id] = queue(app)
        assert send_due(app, utcnow()) == {"retry": 1}
        assert row(app, message_id).last_error == "SMTPNotSupportedError"
        assert plain.received == []
    # smtps:// to a server whose certificate no authority signed: refused.
    with SmtpServer(ssl_context=self_signed_context(tmp_path)) as tls:
        app = make_app(smtp_url=f"smtps://127.0.0.1:{tls.port}")
        [message_id] = queue(app)
        assert send_due(app, utcnow()) == {"retry": 1}
        assert row(app, message_id).last_error == "SSLCertVerificationError"
        assert tls.received == []


@pytest.mark.parametrize("scheme", ["smtps", "smtp+starttls"])
def test_mail_goes_over_tls_to_a_server_with_a_trusted_certificate(make_app, tmp_path, scheme):
    context = self_signed_context(tmp_path)
    tls = {"ssl_context": context} if scheme == "smtps" else {"starttls_context": context}
    with SmtpServer(**tls) as server:
        app = make_app(
            smtp_url=f"{scheme}://127.0.0.1:{server.port}",
            smtp_ca_file=str(tmp_path / "smtp-cert.pem"),
        )
        [message_id] = queue(app)
        assert send_due(app, utcnow()) == {"sent": 1}
        assert [r.message["Message-ID"] for r in server.received] == [message_id]


def test_a_missing_ca_file_fails_at_start_up(tmp_path):
    with pytest.raises(ValueError, match="CADENCE_SMTP_CA_FILE"):
        Config.from_env({"CADENCE_SMTP_CA_FILE": str(tmp_path / "nope.pem")})


def test_without_an_smtp_url_each_message_is_a_private_eml_file_and_the_log_names_no_one(
    make_app, tmp_path, caplog
):
    directory = tmp_path / "instance" / "mail"
    app = make_app(mail_dir=str(directory))
    [message_id] = queue(app)
    with caplog.at_level(logging.DEBUG):
        assert send_due(app, utcnow()) == {"sent": 1}

    [path] = directory.iterdir()
    assert path.suffix == ".eml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert (message["To"], message["Subject"]) == (TO, SUBJECT)
    assert message.get_content() == BODY

    assert str(path) in caplog.text and message_id in caplog.text
    for secret in (TO, "someone.private", SUBJECT, "token=abc123"):
        assert secret not in caplog.text


def test_the_scheduler_sends_queued_mail(make_app, smtp):
    app = make_app(smtp_url=smtp.url)
    [message_id] = queue(app)
    result = app.test_cli_runner().invoke(args=["scheduler", "run", "--once"])
    assert result.exit_code == 0, result.output
    assert [r.message["Message-ID"] for r in smtp.received] == [message_id]


def test_finished_messages_are_deleted_after_thirty_days(make_app, smtp):
    app = make_app(smtp_url=smtp.url)
    [old, recent] = queue(app, count=2)
    now = utcnow()
    assert send_due(app, now) == {"sent": 2}
    with app.app_context():
        session = db.session()
        session.execute(
            sa.update(MailMessage)
            .where(MailMessage.message_id == old)
            .values(created_at=now - timedelta(days=31))
        )
        session.commit()
    assert send_due(app, now) == {"deleted": 1}
    assert row(app, old) is None and row(app, recent) is not None


@pytest.mark.parametrize(
    ("to", "subject", "kind"),
    [
        ("a@example.org\r\nBcc: b@example.org", SUBJECT, "verify_email"),
        ("a@example.org, b@example.org", SUBJECT, "verify_email"),
        ("not-an-address", SUBJECT, "verify_email"),
        (TO, "Hello\r\nBcc: b@example.org", "verify_email"),
        (TO, SUBJECT, "Verify Email!"),
    ],
)
def test_enqueue_refuses_header_injection_and_odd_kinds(make_app, to, subject, kind):
    app = make_app()
    with app.app_context(), pytest.raises(ValueError):
        mail.enqueue(db.session(), to, subject, BODY, kind)


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("http://mail.example.org", "must start with smtp://"),
        ("smtp://", "no host"),
        ("smtp://mail.example.org:99999", "not a valid URL"),
        ("smtp://mail.example.org:port", "not a valid URL"),
        ("smtp://user:secret@mail.example.org", "clear text"),
        ("smtp://user@mail.example.org", "both a user and a password"),
        ("smtps://mail.example.org/inbox", "port] only"),
    ],
)
def test_a_bad_smtp_url_fails_at_start_up_without_echoing_a_password(url, complaint):
    with pytest.raises(ValueError, match=complaint) as failure:
        Config.from_env({"CADENCE_SMTP_URL": url})
    assert "secret" not in str(failure.value)
    assert "CADENCE_SMTP_URL" in str(failure.value)


def test_good_smtp_urls_and_sender_load():
    config = Config.from_env(
        {"CADENCE_SMTP_URL": "smtps://a%40b:pw@mail.example.org", "CADENCE_MAIL_FROM": "x@y.z"}
    )
    assert config.smtp_url.startswith("smtps://")
    with pytest.raises(ValueError, match="CADENCE_MAIL_FROM"):
        Config.from_env({"CADENCE_MAIL_FROM": "Cadence"})


def test_the_default_mail_directory_is_in_instance():
    assert Path(Config().mail_dir).parts[-2:] == ("instance", "mail")
