"""Walk every route of the app as each role and as a stranger, against another client's
resources: none may answer with that client's data. A route this test cannot build a request
for fails it, so a new route has to be added here (and thought about) before it can land."""

import base64
import io
import re
import zipfile
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from api import db
from api.models import Reminder, Token
from tests.api.care import link
from tests.api.diaries import log_week, steady
from tests.conftest import PASSWORD, Account

DAY = "2026-10-05"
NOTE = "VICTIM-SECRET-NOTE"
EVENT_NOTE = "VICTIM-EVENT-NOTE"
NAME = "Victim Person"
EMAIL = "victim@example.org"
VICTIM_ENDPOINT = "https://push.example.net/VICTIM-PUSH-ENDPOINT"
MARKERS = (NOTE, EVENT_NOTE, NAME, EMAIL, VICTIM_ENDPOINT)
MISSING_ID = 987654


def _push_keys() -> dict:
    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return {"p256dh": base64.urlsafe_b64encode(point).rstrip(b"=").decode(), "auth": "A" * 22}


PUSH_KEYS = _push_keys()

# Every API endpoint and a valid body for its writes, so that access (not validation) decides.
ENDPOINTS = {
    "system.health": None,
    "system.live": None,
    "auth.register": {"email": "walker@example.org", "password": "long enough password"},
    "auth.sign_in": {"email": EMAIL, "password": "not the password"},
    "auth.sign_out": None,
    "auth.verify": {"token": "not-a-real-token"},
    "auth.password_reset": {"email": EMAIL},
    "auth.password_reset_confirm": {"token": "not-a-real-token", "password": "long enough pw"},
    "me.change_password": {"current_password": "not mine", "new_password": "walker's new one"},
    "me.resend_verification": None,
    "me.Me": {"display_name": "Walker"},
    "me.export_mine": None,
    "sessions.list_sessions": None,
    "sessions.revoke": None,
    "sessions.revoke_all": None,
    "two_factor.TwoFactor": {"password": "not the password"},
    "two_factor.confirm": {"otp": "123456"},
    "admin.list_users": None,
    "admin.Account": {"active": True},
    "entries.Entries": None,
    "entries.Entry": {"mood": 1, "activities": {"out_of_bed": {"time": "07:00"}}},
    "scores.weekly": None,
    "scores.rolling": None,
    "targets.Targets": {"targets": {"dinner": {"time": "19:00"}}},
    "events.LifeEvents": {"start": DAY, "end": DAY, "kind": "travel"},
    "events.LifeEvent": None,
    "flags.list_flags": None,
    "flags.acknowledge": None,
    "flags.FlagSettings": {"overrides": {"shift_minutes": 200}},
    "care.invite": None,
    "care.Links": {"code": "ZZZZZ-ZZZZZ"},
    "care.revoke": None,
    "care.Course": {"phase": "middle"},
    "clinician.caseload_page": None,
    "audit.access_log": None,
    "audit.audit_trail": None,
    "push.public_key": None,
    "push.Subscriptions": {"endpoint": "https://push.example.net/walker", "keys": PUSH_KEYS},
    "push.opened": None,
    "studies.Studies": {"name": "Walk", "consent_version": "1", "consent_text": "I agree."},
    "studies.study": None,
    "studies.Join": {"code": "ZZZZZ-ZZZZZ", "consent_version": "1"},
    "studies.joined": None,
    "studies.withdraw": None,
    "studies.export_study": None,
}
NOT_API = {"api-docs.openapi_json", "docs.index", "docs.asset", "pwa.index", "pwa.asset"}


def _endpoint_key(endpoint: str) -> str:
    blueprint, _, name = endpoint.partition(".")
    return f"{blueprint}.{name.removeprefix('client_')}"


@pytest.fixture
def world(app, client, accounts):
    response = client.post(
        "/api/v1/auth/register",
        json={"email": EMAIL, "password": PASSWORD, "display_name": NAME},
    )
    assert response.status_code == 202, response.json
    assert accounts.runner.invoke(args=["users", "verify", EMAIL]).exit_code == 0
    token = accounts.sign_in(EMAIL)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    victim = Account(me.json["id"], EMAIL, token)
    log_week(client, victim, date(2026, 9, 28), steady())
    log_week(
        client, victim, date(2026, 10, 5), {"out_of_bed": ["11:00"] * 7, "to_bed": ["04:00"] * 7}
    )
    client.put(f"/api/v1/entries/{DAY}", json={"mood": 2, "note": NOTE}, headers=victim.headers)
    event = client.post(
        "/api/v1/events",
        json={"start": DAY, "end": DAY, "kind": "loss", "note": EVENT_NOTE},
        headers=victim.headers,
    ).json
    flags = client.get("/api/v1/flags", headers=victim.headers).json["flags"]
    assert flags, "the victim needs a flag for the walk to probe"
    own_clinician = accounts.staff("clinician")
    link_id = link(client, own_clinician, victim)
    # A reminder sent to the victim and the victim's push subscription: only theirs.
    subscribed = client.post(
        "/api/v1/push/subscriptions",
        json={"endpoint": VICTIM_ENDPOINT, "keys": PUSH_KEYS},
        headers=victim.headers,
    )
    assert subscribed.status_code == 201, subscribed.json
    with app.app_context():
        reminder = Reminder(
            client_id=victim.id,
            kind="reminder",
            local_date=date(2026, 10, 5),
            local_time="21:00",
            zone="UTC",
            scheduled_for=datetime(2026, 10, 5, 21, tzinfo=UTC),
            status="sent",
        )
        db.session().add(reminder)
        db.session().commit()
        reminder_id = reminder.id
        session_id = db.session().scalar(
            sa.select(Token.id).where(Token.user_id == victim.id).limit(1)
        )
    # A study of another researcher, with the victim in it: no walker may read or export it.
    owner = accounts.staff("researcher")
    study = client.post(
        "/api/v1/studies",
        json={"name": "Owned elsewhere", "consent_version": "1", "consent_text": "I agree."},
        headers=owner.headers,
    ).json
    joined = client.post(
        "/api/v1/studies/join",
        json={"code": study["code"], "consent_version": "1"},
        headers=victim.headers,
    )
    assert joined.status_code == 201, joined.json
    ids = {
        "client_id": victim.id,
        "day": DAY,
        "event_id": event["id"],
        "flag_id": flags[0]["id"],
        "link_id": link_id,
        "reminder_id": reminder_id,
        "session_id": session_id,
        "study_id": study["id"],
        "user_id": victim.id,
    }
    actors = {
        "stranger client": accounts.client_account(),
        "unlinked clinician": accounts.staff("clinician"),
        "researcher": accounts.staff("researcher"),
        "admin": accounts.staff("admin"),
        "anonymous": None,
    }
    return ids, actors


def _text(response) -> str:
    """The body as text; a zip (the personal export) is read file by file."""
    if response.mimetype == "application/zip":
        archive = zipfile.ZipFile(io.BytesIO(response.data))
        return "\n".join(archive.read(name).decode() for name in archive.namelist())
    return response.get_data(as_text=True)


def _url(rule: str, values: dict) -> str:
    def fill(match):
        name = match.group(1)
        if name not in values:
            pytest.fail(f"{rule}: no value for <{name}>; add it to the route access test")
        return str(values[name])

    return re.sub(r"<(?:\w+:)?(\w+)>", fill, rule)


def _requests(app, ids):
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_API:
            continue
        key = _endpoint_key(rule.endpoint)
        if key not in ENDPOINTS:
            pytest.fail(f"{rule.rule} ({rule.endpoint}) is not covered by the route access test")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            body = ENDPOINTS[key] if method in {"POST", "PUT", "PATCH"} else None
            names_other = any(
                f"<{p}" in rule.rule or f":{p}>" in rule.rule
                for p in (
                    "client_id",
                    "event_id",
                    "flag_id",
                    "link_id",
                    "study_id",
                    "reminder_id",
                    "session_id",
                )
            )
            routes.append((rule.rule, method, body, names_other))
    # Signing out (here or everywhere) revokes the walker's own token: do it last.
    signing_out = {("/api/v1/auth/token", "DELETE"), ("/api/v1/me/sessions/revoke-all", "POST")}
    return sorted(routes, key=lambda r: ((r[0], r[1]) in signing_out, r))


def test_no_route_answers_with_another_clients_data(app, client, world):
    ids, actors = world
    missing = {k: (MISSING_ID if k != "day" else v) for k, v in ids.items()}
    problems = []
    for rule, method, body, names_other in _requests(app, ids):
        for who, actor in actors.items():
            headers = actor.headers if actor else {}
            response = client.open(_url(rule, ids), method=method, json=body, headers=headers)
            text = _text(response)
            leaked = [m for m in MARKERS if m in text]
            if who == "admin" and rule.startswith("/api/v1/admin/"):
                leaked = [m for m in leaked if m != EMAIL]  # admins manage accounts by email
            if leaked:
                problems.append(f"{who} {method} {rule} → {response.status_code} leaks {leaked}")
            if actor is None:
                public = rule in (
                    "/api/v1/health",
                    "/api/v1/health/live",
                    "/api/v1/auth/register",
                    "/api/v1/auth/token",
                    "/api/v1/auth/verify",
                    "/api/v1/auth/password-reset",
                    "/api/v1/auth/password-reset/confirm",
                )
                if not public and response.status_code != 401:
                    problems.append(f"anonymous {method} {rule} → {response.status_code}")
                continue
            if names_other:
                if 200 <= response.status_code < 300:
                    problems.append(f"{who} {method} {rule} → {response.status_code}")
                if rule.startswith("/api/v1/clients/") and response.status_code != 404:
                    problems.append(f"{who} {method} {rule} → {response.status_code}, not 404")
                if "<id:reminder_id>" in rule and response.status_code != 404:
                    problems.append(f"{who} {method} {rule} → {response.status_code}, not 404")
                # The answer must not tell a real id from one that does not exist.
                probe = client.open(_url(rule, missing), method=method, json=body, headers=headers)
                if probe.status_code != response.status_code:
                    problems.append(
                        f"{who} {method} {rule}: {response.status_code} for the victim's id but "
                        f"{probe.status_code} for a missing one"
                    )
    assert problems == []


def test_the_walk_reaches_the_mirrored_client_routes(app, world):
    ids, _ = world
    walked = {rule for rule, *_ in _requests(app, ids)}
    assert "/api/v1/clients/<id:client_id>/entries/<day:day>" in walked
    assert "/api/v1/clients/<id:client_id>/flags/<id:flag_id>/ack" in walked
    assert len(walked) >= 25
