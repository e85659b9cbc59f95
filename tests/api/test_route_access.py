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
from api.services import access
from tests.api.care import link
from tests.api.diaries import log_week, steady
from tests.conftest import PASSWORD, Account

DAY = "2026-10-05"
NOTE = "VICTIM-SECRET-NOTE"
EVENT_NOTE = "VICTIM-EVENT-NOTE"
NAME = "Victim Person"
EMAIL = "victim@example.org"
VICTIM_ENDPOINT = "https://push.example.net/VICTIM-PUSH-ENDPOINT"
IPT_NOTE = "VICTIM-IPT-NOTE"
MARKERS = (NOTE, EVENT_NOTE, NAME, EMAIL, VICTIM_ENDPOINT, IPT_NOTE)
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
    "usual.usual_times": None,
    "targets.Targets": {"targets": {"dinner": {"time": "19:00"}}},
    "targets.list_proposals": None,
    "targets.propose": {"targets": {"dinner": {"time": "18:30"}}},
    "targets.accept_proposal": {"note": "Agreed."},
    "targets.decline_proposal": None,
    "work_days.WorkDays": {"work_weekdays": [1, 2, 3, 4, 5]},
    "travel.TravelSuggestions": None,
    "events.LifeEvents": {"start": DAY, "end": DAY, "kind": "travel"},
    "events.LifeEvent": None,
    "flags.list_flags": None,
    "flags.Acknowledgement": {"note": "Talked it through."},
    "flags.add_context": {"note": "A hard week at work."},
    "flags.FlagSettings": {"overrides": {"shift_minutes": 200}},
    # IPT records (docs/api-ipt.md)
    "inventory.People": {"name": "Walker", "role": "friend", "contact": "weekly", "closeness": 3},
    "inventory.Person": {"name": "Walker", "role": "friend", "contact": "weekly", "closeness": 3},
    "goals.Goals": {"text": "A walker's goal", "problem_area": "role_transition"},
    "goals.Goal": {
        "text": "A walker's goal",
        "problem_area": "role_transition",
        "status": "active",
    },
    "goals.review": {"session_date": DAY, "progress": 2},
    "tasks.Tasks": {"text": "A walker's task", "due": DAY},
    "tasks.Task": {"text": "A walker's task", "due": DAY},
    "tasks.outcome": {"done": True},
    "plan.Plan": {"signs": []},
    "plan.versions": None,
    "plan.plan_version": None,
    "instruments.list_instruments": None,
    "instruments.crisis": None,
    "responses.answer": {"instrument": "phq9", "answers": [0, 0, 0, 0, 0, 0, 0, 0, 0]},
    "responses.list_responses": None,
    "responses.Assignments": {"instrument": "gad7", "every_days": 7, "starts_on": DAY},
    "responses.unassign": None,
    "responses.due": None,
    "care.invite": None,
    "care.Links": {"code": "ZZZZZ-ZZZZZ"},
    "care.revoke": None,
    "care.Course": {"phase": "middle"},
    "clinician.caseload_page": None,
    "reports.session_report_page": None,
    "fhir.fhir_bundle": None,
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
    "studies.Exports": {"format": "csv", "allow_small": True},
    "studies.export_job": None,
    "studies.download_export": None,
    "studies.coverage": None,
    "studies.consent_versions_list": None,
    "studies.publish_consent": {"version": "2", "text": "A new consent text."},
    "studies.MyConsent": {"consent_version": "1"},
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
    proposal = client.post(
        "/api/v1/targets/proposals",
        json={"targets": {"out_of_bed": {"time": "07:30"}}},
        headers=victim.headers,
    )
    assert proposal.status_code == 201, proposal.json
    # A questionnaire the victim's clinician assigned them: only theirs to read or remove.
    assigned = client.post(
        f"/api/v1/clients/{victim.id}/assignments",
        json={"instrument": "phq9", "every_days": 7, "starts_on": date.today().isoformat()},
        headers=own_clinician.headers,
    )
    assert assigned.status_code == 201, assigned.json
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
    # An export of that study, queued by its researcher: no walker may read or download it.
    job = client.post(
        f"/api/v1/studies/{study['id']}/exports",
        json={"format": "csv", "allow_small": True},
        headers=owner.headers,
    )
    assert job.status_code == 202, job.json
    ipt = _ipt_records(client, victim, own_clinician)
    ids = {
        "assignment_id": assigned.json["id"],
        "client_id": victim.id,
        "day": DAY,
        "event_id": event["id"],
        "flag_id": flags[0]["id"],
        "job_id": job.json["id"],
        "link_id": link_id,
        "proposal_id": proposal.json["id"],
        "reminder_id": reminder_id,
        "session_id": session_id,
        "study_id": study["id"],
        "user_id": victim.id,
        **ipt,
    }
    actors = {
        "stranger client": accounts.client_account(),
        "unlinked clinician": accounts.staff("clinician"),
        "researcher": accounts.staff("researcher"),
        "admin": accounts.staff("admin"),
        "anonymous": None,
    }
    return ids, actors, {"client": victim, "clinician": own_clinician}


def _ipt_records(client, victim, clinician) -> dict:
    """One of each IPT record of the victim's, each carrying IPT_NOTE; their ids."""
    twin = f"/api/v1/clients/{victim.id}"
    course = client.put(
        f"{twin}/course", json={"problem_areas": ["role_transition"]}, headers=clinician.headers
    )
    assert course.status_code == 200, course.json
    made = {}
    for name, url, body, who in (
        ("person_id", "/api/v1/inventory", {**ENDPOINTS["inventory.People"], "name": IPT_NOTE},
         victim),
        ("goal_id", f"{twin}/goals", {**ENDPOINTS["goals.Goals"], "text": IPT_NOTE}, clinician),
        ("task_id", f"{twin}/tasks", {**ENDPOINTS["tasks.Tasks"], "text": IPT_NOTE}, clinician),
    ):  # fmt: skip
        response = client.post(url, json=body, headers=who.headers)
        assert response.status_code == 201, response.json
        made[name] = response.json["id"]
    sign = {"pole": "elevated", "stage": "early", "text": IPT_NOTE}
    plan = client.put(
        "/api/v1/plan", json={"signs": [sign]}, headers={**victim.headers, "If-Match": '"0"'}
    )
    assert plan.status_code == 200, plan.json
    return {**made, "version": plan.json["version"]}


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
                    "job_id",
                    "link_id",
                    "proposal_id",
                    "study_id",
                    "reminder_id",
                    "session_id",
                    "assignment_id",
                    "person_id",
                    "goal_id",
                    "task_id",
                )
            )
            routes.append((rule.rule, method, body, names_other))
    # Signing out (here or everywhere) revokes the walker's own token: do it last.
    signing_out = {("/api/v1/auth/token", "DELETE"), ("/api/v1/me/sessions/revoke-all", "POST")}
    return sorted(routes, key=lambda r: ((r[0], r[1]) in signing_out, r))


def test_no_route_answers_with_another_clients_data(app, client, world):
    ids, actors, _ = world
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
                    "/api/v1/crisis",  # the crisis text, cached by the app to show offline
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
    ids, *_ = world
    walked = {rule for rule, *_ in _requests(app, ids)}
    assert "/api/v1/clients/<id:client_id>/entries/<day:day>" in walked
    assert "/api/v1/clients/<id:client_id>/flags/<id:flag_id>/ack" in walked
    assert len(walked) >= 25


def _declared(app) -> list[tuple]:
    """(rule, method, action) for each route whose view declares the action it performs
    (`requires` in api/resources/subject.py); (rule, method, None) for the others."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_API:
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            handler = (
                getattr(view.view_class, method.lower()) if hasattr(view, "view_class") else view
            )
            found.append((rule, method, getattr(handler, "action", None)))
    return found


def test_the_policy_read_from_the_routes_is_the_one_enforced(app, client, world):
    """Each route that declares its action is tried by the client on their own data and by
    their linked clinician on the client's: refused (403) exactly when access.py does not
    give that role the action. Flag and target routes all declare theirs."""
    ids, _, insiders = world
    declared = _declared(app)
    undeclared = [
        f"{method} {rule.rule}"
        for rule, method, action in declared
        if action is None and rule.endpoint.partition(".")[0] in ("flags", "targets")
    ]
    assert undeclared == []
    problems = []
    for rule, method, action in declared:
        if action is None:
            continue
        body = ENDPOINTS[_endpoint_key(rule.endpoint)] if method in {"POST", "PUT"} else None
        if rule.rule.startswith("/api/v1/clients/"):
            who, allowed = insiders["clinician"], access.CLINICIAN_ACTIONS
        else:
            who, allowed = insiders["client"], access.SELF_ACTIONS
        response = client.open(_url(rule.rule, ids), method=method, json=body, headers=who.headers)
        refused = response.status_code == 403
        if refused == (action in allowed):
            problems.append(f"{method} {rule.rule} ({action}) → {response.status_code}")
    assert problems == []
    # The client's refusals name what they may do instead.
    assert (
        "context"
        in client.post(
            _url("/api/v1/flags/<id:flag_id>/ack", ids), headers=insiders["client"].headers
        ).json["message"]
    )
