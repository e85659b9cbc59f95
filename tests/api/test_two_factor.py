"""Two-factor sign-in (TOTP, RFC 6238): staff cannot get a token without a valid code; codes
are computed with pyotp from the URI the CLI or the API handed out, as a phone computes them."""

import time
from datetime import UTC, datetime

import pyotp
import pytest
import sqlalchemy as sa
import time_machine

from api import create_app
from api.config import config_for_tests
from api.models import AuditEvent, Authenticator, RecoveryCode, Token
from tests.authenticator import OTPAUTH
from tests.authenticator import Authenticator as App
from tests.conftest import PASSWORD, Accounts


class Clock:
    """The clock frozen at the start of a 30-second time step (`step`), moved by hand."""

    def __init__(self, traveller, step: int):
        self.traveller, self.step = traveller, step

    def at(self, seconds: float) -> None:
        """Seconds after the start of `step`."""
        self.traveller.move_to(datetime.fromtimestamp(self.step * 30 + seconds, UTC))


@pytest.fixture
def clock():
    step = int(time.time()) // 30 + 1
    with time_machine.travel(datetime.fromtimestamp(step * 30, UTC), tick=False) as traveller:
        yield Clock(traveller, step)


def token_request(client, email, password=PASSWORD, otp=None, **kwargs):
    body = {"email": email, "password": password}
    if otp is not None:
        body["otp"] = otp
    return client.post("/api/v1/auth/token", json=body, **kwargs)


def tokens(app) -> int:
    with app.extensions["cadence.engine"].connect() as connection:
        return connection.scalar(sa.select(sa.func.count()).select_from(Token))


def create_staff(runner, email="doc@example.org", role="clinician"):
    result = runner.invoke(
        args=["users", "create", email, "--role", role], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("role", ["clinician", "researcher", "admin"])
def test_staff_get_no_token_without_a_code(app, client, runner, role):
    phone = App.from_output(create_staff(runner, role=role))
    before = tokens(app)

    missing = token_request(client, "doc@example.org")
    assert missing.status_code == 401
    assert missing.json["otp_required"] is True
    assert missing.json["message"] == "A code is needed to sign in."
    assert "otp" in missing.json["errors"]
    assert missing.headers.get("Content-Type", "").startswith("application/json")

    empty = token_request(client, "doc@example.org", otp="")
    assert empty.status_code == 401 and empty.json["otp_required"] is True
    assert tokens(app) == before

    ok = token_request(client, "doc@example.org", otp=phone.code())
    assert ok.status_code == 201, ok.json
    assert ok.json["user"]["role"] == role
    assert tokens(app) == before + 1


def test_a_wrong_password_says_nothing_about_a_code(app, client, runner):
    """The code is asked for only after the right password: a wrong one (with or without a
    code) answers exactly as for an address with no account."""
    phone = App.from_output(create_staff(runner))
    staff = token_request(client, "doc@example.org", "wrong password!", otp=phone.code())
    staff_no_code = token_request(client, "doc@example.org", "wrong password!")
    nobody = token_request(client, "nobody@example.org", "wrong password!")
    assert staff.status_code == staff_no_code.status_code == nobody.status_code == 401
    assert staff.json == staff_no_code.json == nobody.json
    assert "otp_required" not in nobody.json


def test_a_wrong_code_is_refused_and_says_so(app, client, runner, clock):
    phone = App.from_output(create_staff(runner))
    clock.at(10)
    right = phone.at(clock.step)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    answer = token_request(client, "doc@example.org", otp=wrong)
    assert answer.status_code == 401
    assert answer.json["message"] == "Wrong code."
    assert answer.json["otp_required"] is True
    assert token_request(client, "doc@example.org", otp="not a code").status_code == 401
    assert token_request(client, "doc@example.org", otp=right).status_code == 201


def test_a_code_works_once(app, client, runner, clock):
    phone = App.from_output(create_staff(runner))
    clock.at(5)
    code = phone.at(clock.step)
    assert token_request(client, "doc@example.org", otp=code).status_code == 201
    replay = token_request(client, "doc@example.org", otp=code)
    assert replay.status_code == 401 and replay.json["message"] == "Wrong code."
    # Still inside the code's window (one step of drift allowed), still refused.
    clock.at(35)
    assert token_request(client, "doc@example.org", otp=code).status_code == 401
    # An older step's code is refused once a later one was used.
    older = phone.at(clock.step - 1)
    assert token_request(client, "doc@example.org", otp=older).status_code == 401
    newer = phone.at(clock.step + 1)
    assert token_request(client, "doc@example.org", otp=newer).status_code == 201


def test_codes_expire_after_one_step_of_drift(app, client, runner, clock):
    phone = App.from_output(create_staff(runner))
    old = phone.at(clock.step - 2)  # 60 s old: a phone that far off is refused
    early = phone.at(clock.step + 2)
    assert token_request(client, "doc@example.org", otp=old).status_code == 401
    assert token_request(client, "doc@example.org", otp=early).status_code == 401
    late = phone.at(clock.step - 1)  # 30 s old: accepted (RFC 6238 5.2 clock drift)
    assert token_request(client, "doc@example.org", otp=late).status_code == 201
    # At the step boundary: the last second of the next step still takes this step's code,
    # the second after does not.
    phone2 = App.from_output(create_staff(runner, "res@example.org", "researcher"))
    code = phone2.at(clock.step)
    clock.at(60)
    assert token_request(client, "res@example.org", otp=code).status_code == 401
    clock.at(59.9)
    assert token_request(client, "res@example.org", otp=code).status_code == 201


def test_a_recovery_code_works_once(app, client, runner):
    output = create_staff(runner)
    phone = App.from_output(output)
    assert len(phone.recovery_codes) == 10 and len(set(phone.recovery_codes)) == 10
    first, second = phone.recovery_codes[:2]
    assert token_request(client, "doc@example.org", otp=first).status_code == 201
    again = token_request(client, "doc@example.org", otp=first)
    assert again.status_code == 401 and again.json["message"] == "Wrong code."
    # Typed with capitals and spaces instead of dashes, as people do.
    typed = second.upper().replace("-", " ")
    signed_in = token_request(client, "doc@example.org", otp=typed)
    assert signed_in.status_code == 201
    headers = {"Authorization": f"Bearer {signed_in.json['token']}"}
    status = client.get("/api/v1/me/otp", headers=headers).json
    assert status == {"enabled": True, "required": True, "recovery_codes_left": 8}


def test_recovery_codes_and_tokens_are_stored_hashed(app, runner):
    phone = App.from_output(create_staff(runner))
    with app.extensions["cadence.engine"].connect() as connection:
        stored = connection.scalars(sa.select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10
    assert not {c.replace("-", "") for c in phone.recovery_codes} & set(stored)
    assert not set(phone.recovery_codes) & set(stored)


def test_users_create_prints_the_enrolment_uri_qr_and_recovery_codes(app, runner):
    output = create_staff(runner, "Doc@Example.org")
    uri = OTPAUTH.search(output).group(0)
    totp = pyotp.parse_uri(uri)
    assert isinstance(totp, pyotp.TOTP)
    assert totp.issuer == "Cadence" and totp.name == "doc@example.org"
    assert totp.digits == 6 and totp.interval == 30
    assert len(totp.secret) >= 32  # 160 bits, RFC 4226's recommendation
    assert "\u2588" in output or "\u2580" in output  # the QR code, in block characters
    assert f"Secret, to type in by hand: {totp.secret}" in output
    with app.extensions["cadence.engine"].connect() as connection:
        row = connection.execute(sa.select(Authenticator)).one()
    assert row.secret == totp.secret and row.enabled_at is not None


def test_users_create_for_a_client_enrols_nothing(client, runner):
    result = runner.invoke(
        args=["users", "create", "pat@example.org", "--role", "client"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "otpauth://" not in result.output
    assert token_request(client, "pat@example.org").status_code == 201


def test_enrol_otp_replaces_the_secret_and_the_recovery_codes(app, client, runner, clock):
    old = App.from_output(create_staff(runner))
    result = runner.invoke(args=["users", "enrol-otp", "doc@example.org"])
    assert result.exit_code == 0, result.output
    new = App.from_output(result.output)
    assert new.secret != old.secret
    assert not set(new.recovery_codes) & set(old.recovery_codes)
    assert token_request(client, "doc@example.org", otp=old.at(clock.step)).status_code == 401
    assert token_request(client, "doc@example.org", otp=new.at(clock.step)).status_code == 201
    refused = token_request(client, "doc@example.org", otp=old.recovery_codes[0])
    assert refused.status_code == 401
    assert token_request(client, "doc@example.org", otp=new.recovery_codes[0]).status_code == 201
    missing = runner.invoke(args=["users", "enrol-otp", "nobody@example.org"])
    assert missing.exit_code != 0 and "No account" in missing.output
    with app.extensions["cadence.engine"].connect() as connection:
        actions = connection.execute(
            sa.select(AuditEvent.action, AuditEvent.detail).where(
                AuditEvent.action == "auth:otp_enrol"
            )
        ).all()
    assert [(a, d["via"]) for a, d in actions] == [("auth:otp_enrol", "cli")] * 2


def test_staff_without_an_authenticator_are_told_to_ask_an_admin(app, client, runner):
    create_staff(runner)
    with app.extensions["cadence.engine"].begin() as connection:
        connection.execute(sa.delete(Authenticator))
    answer = token_request(client, "doc@example.org", otp="123456")
    assert answer.status_code == 401
    assert answer.json["otp_required"] is True and answer.json["otp_enrolled"] is False
    assert "enrol-otp" in answer.json["message"]


def _enrol_in_app(client, headers) -> App:
    started = client.post("/api/v1/me/otp", json={"password": PASSWORD}, headers=headers)
    assert started.status_code == 201, started.json
    assert started.json["qr_svg"].startswith("data:image/svg+xml")
    new = App.from_uri(started.json["otpauth_uri"])
    assert new.secret == started.json["secret"]
    confirmed = client.post("/api/v1/me/otp/confirm", json={"otp": new.code()}, headers=headers)
    assert confirmed.status_code == 200, confirmed.json
    new.recovery_codes = confirmed.json["recovery_codes"]
    assert len(new.recovery_codes) == 10
    return new


def test_staff_re_enrol_in_the_app(app, client, accounts, clock):
    doc = accounts.staff("clinician")  # signed in with this step's code
    old = doc.authenticator
    started = client.post("/api/v1/me/otp", json={"password": PASSWORD}, headers=doc.headers)
    assert started.status_code == 201
    pending = App.from_uri(started.json["otpauth_uri"])
    # Until a code from the new authenticator is confirmed, the old one still signs in.
    assert token_request(client, doc.email, otp=old.at(clock.step + 1)).status_code == 201
    clock.at(60)
    # The old authenticator's code is not the new one's.
    wrong = client.post(
        "/api/v1/me/otp/confirm", json={"otp": old.at(clock.step + 2)}, headers=doc.headers
    )
    assert wrong.status_code == 422 and "otp" in wrong.json["errors"]
    confirming = pending.at(clock.step + 2)
    confirmed = client.post("/api/v1/me/otp/confirm", json={"otp": confirming}, headers=doc.headers)
    assert confirmed.status_code == 200
    recovery = confirmed.json["recovery_codes"]
    # The confirming code was used: it does not sign in again.
    assert token_request(client, doc.email, otp=confirming).status_code == 401
    assert token_request(client, doc.email, otp=old.at(clock.step + 2)).status_code == 401
    assert token_request(client, doc.email, otp=old.recovery_codes[0]).status_code == 401
    assert token_request(client, doc.email, otp=recovery[0]).status_code == 201
    clock.at(90)
    assert token_request(client, doc.email, otp=pending.at(clock.step + 3)).status_code == 201


def test_enrolment_needs_the_password_and_a_started_enrolment(app, client, accounts, clock):
    patient = accounts.client_account()
    wrong = client.post(
        "/api/v1/me/otp", json={"password": "not it at all"}, headers=patient.headers
    )
    assert wrong.status_code == 422 and "password" in wrong.json["errors"]
    nothing = client.post("/api/v1/me/otp/confirm", json={"otp": "123456"}, headers=patient.headers)
    assert nothing.status_code == 409
    started = client.post("/api/v1/me/otp", json={"password": PASSWORD}, headers=patient.headers)
    pending = App.from_uri(started.json["otpauth_uri"])
    # A started enrolment left for more than 30 minutes must be started again.
    clock.at(31 * 60)
    code = pending.at(clock.step + 62)
    stale = client.post("/api/v1/me/otp/confirm", json={"otp": code}, headers=patient.headers)
    assert stale.status_code == 409
    assert token_request(client, patient.email).status_code == 201  # still no code needed


def test_a_client_may_opt_in_and_out(app, client, accounts, clock):
    patient = accounts.client_account()
    assert client.get("/api/v1/me/otp", headers=patient.headers).json == {
        "enabled": False,
        "required": False,
        "recovery_codes_left": 0,
    }
    phone = _enrol_in_app(client, patient.headers)  # confirmed with this step's code
    assert client.get("/api/v1/me/otp", headers=patient.headers).json == {
        "enabled": True,
        "required": False,
        "recovery_codes_left": 10,
    }
    needs = token_request(client, patient.email)
    assert needs.status_code == 401 and needs.json["otp_required"] is True
    assert token_request(client, patient.email, otp=phone.code()).status_code == 201

    def drop(password=PASSWORD, otp=None):
        return client.delete(
            "/api/v1/me/otp", json={"password": password, "otp": otp}, headers=patient.headers
        )

    clock.at(60)  # the code of a step not used yet
    code = phone.at(clock.step + 2)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert drop(password="not my password", otp=code).status_code == 422
    assert drop(otp=wrong).status_code == 422
    assert drop(otp=code).status_code == 204
    assert token_request(client, patient.email).status_code == 201
    assert client.get("/api/v1/me/otp", headers=patient.headers).json["enabled"] is False
    assert drop(otp=phone.at(clock.step + 3)).status_code == 409  # already off


def test_staff_cannot_drop_two_factor(app, client, accounts):
    doc = accounts.staff("researcher")
    answer = client.delete(
        "/api/v1/me/otp",
        json={"password": PASSWORD, "otp": doc.authenticator.code()},
        headers=doc.headers,
    )
    assert answer.status_code == 403
    assert token_request(client, doc.email).status_code == 401


def test_sign_ins_record_the_second_factor_on_the_audit_trail(app, client, accounts):
    doc = accounts.staff("clinician")
    token_request(client, doc.email)
    token_request(client, doc.email, otp=doc.authenticator.recovery_codes[0])
    with app.extensions["cadence.engine"].connect() as connection:
        rows = connection.execute(
            sa.select(AuditEvent.outcome, AuditEvent.detail)
            .where(AuditEvent.action == "auth:sign_in", AuditEvent.actor_id == doc.id)
            .order_by(AuditEvent.id)
        ).all()
    assert [(o, d) for o, d in rows] == [
        ("ok", {"otp": "totp"}),
        ("denied", {"otp": "missing"}),
        ("ok", {"otp": "recovery"}),
    ]


@pytest.fixture
def limited(database_url):
    app = create_app(
        config_for_tests(
            database_url,
            ratelimit_enabled=True,
            ratelimit_sign_in_per_account="3 per minute",
            ratelimit_sign_in_per_ip="100 per minute",
        )
    )
    yield app
    app.extensions["cadence.engine"].dispose()


def test_wrong_codes_are_limited_like_wrong_passwords(limited, clock):
    client = limited.test_client()
    doc = Accounts(client, limited.test_cli_runner()).staff("clinician")
    phone = doc.authenticator
    right = phone.at(clock.step + 1)  # the helper used this step's code to sign in
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(3):
        assert token_request(client, doc.email, otp=wrong).status_code == 401
    blocked = token_request(client, doc.email, otp=right)
    assert blocked.status_code == 429
    # A minute later the failures have aged out and a new code works.
    clock.at(61)
    assert token_request(client, doc.email, otp=phone.at(clock.step + 2)).status_code == 201


def test_asking_for_the_code_is_not_a_failure(limited):
    """The right password without a code (the app asks for it next) does not count."""
    client = limited.test_client()
    doc = Accounts(client, limited.test_cli_runner()).staff("clinician")
    for _ in range(5):
        assert token_request(client, doc.email).status_code == 401
    assert token_request(client, doc.email, otp=doc.authenticator.code()).status_code == 201


def test_guessing_the_password_with_a_token_is_limited(limited):
    client = limited.test_client()
    patient = Accounts(client, limited.test_cli_runner()).client_account()
    for _ in range(3):
        guess = client.post(
            "/api/v1/me/otp", json={"password": "a guess!"}, headers=patient.headers
        )
        assert guess.status_code == 422
    blocked = client.post("/api/v1/me/otp", json={"password": PASSWORD}, headers=patient.headers)
    assert blocked.status_code == 429
