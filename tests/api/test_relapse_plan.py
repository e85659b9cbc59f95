"""The relapse-prevention plan: versioned saves with If-Match, kept versions, the audit trail,
and a flag that matches a sign bringing the client's own action steps with it."""

import re
from datetime import date

import sqlalchemy as sa

from api import db
from api.models import AuditEvent
from tests.api.diaries import log_week, steady
from tests.api.ipt_records import API, ipt_rows, linked_pair

BED_LATER = {"rule": "bed_shift", "direction": "later", "min_minutes": 120}
SIGN = {
    "pole": "elevated",
    "stage": "early",
    "text": "Going to bed later and later",
    "signal": BED_LATER,
    "actions": ["Lights out by 23:30", "Tell Sam"],
}
PLAN = {
    "signs": [SIGN],
    "supporters": [{"name": "Sam", "how_to_reach": "07700 900123"}],
    "crisis_contacts": [{"name": "Crisis team", "how_to_reach": "0800 000 000"}],
}


def _put(client, url, body, headers, version=None):
    extra = {} if version is None else {"If-Match": f'"{version}"'}
    return client.put(url, json=body, headers={**headers, **extra})


def test_each_save_is_a_new_version_and_old_ones_are_kept(client, accounts):
    pair = linked_pair(client, accounts)
    empty = client.get(pair.own("/plan"), headers=pair.client.headers)
    assert empty.status_code == 200 and empty.headers["ETag"] == '"0"'
    assert empty.json == {
        "version": 0,
        "saved_at": None,
        "saved_by": None,
        "signs": [],
        "supporters": [],
        "crisis_contacts": [],
    }
    first = _put(client, pair.own("/plan"), PLAN, pair.client.headers, 0)
    assert first.status_code == 200, first.json
    assert first.json["version"] == 1 and first.headers["ETag"] == '"1"'
    assert first.json["signs"] == [{"index": 0, **SIGN}]
    assert first.json["saved_by"]["id"] == pair.client.id

    # The clinician adds a sign in session, from version 1.
    depressed = {"pole": "depressed", "stage": "late", "text": "Staying in bed", "actions": []}
    second_body = {**PLAN, "signs": [SIGN, depressed]}
    second = _put(client, pair.twin("/plan"), second_body, pair.clinician.headers, 1)
    assert second.status_code == 200, second.json
    assert second.json["version"] == 2 and second.json["signs"][1]["signal"] is None
    assert second.json["saved_by"]["id"] == pair.clinician.id

    latest = client.get(pair.own("/plan"), headers=pair.client.headers)
    assert latest.json == second.json and latest.headers["ETag"] == '"2"'
    versions = client.get(pair.twin("/plan/versions"), headers=pair.clinician.headers).json
    assert [(v["version"], v["saved_by"]["id"]) for v in versions["versions"]] == [
        (2, pair.clinician.id),
        (1, pair.client.id),
    ]
    old = client.get(pair.own("/plan/versions/1"), headers=pair.client.headers)
    assert old.status_code == 200 and old.json == first.json
    missing = client.get(pair.own("/plan/versions/3"), headers=pair.client.headers)
    assert missing.status_code == 404


def test_a_stale_or_missing_if_match_saves_nothing(client, accounts):
    pair = linked_pair(client, accounts)
    _put(client, pair.own("/plan"), PLAN, pair.client.headers, 0)
    newer = {**PLAN, "supporters": []}
    second = _put(client, pair.twin("/plan"), newer, pair.clinician.headers, 1)
    assert second.status_code == 200
    before = ipt_rows(client.application)

    # The client's phone still holds version 1: its edit would undo the clinician's.
    stale = _put(client, pair.own("/plan"), {**PLAN, "signs": []}, pair.client.headers, 1)
    assert stale.status_code == 412, stale.json
    assert stale.json["current"]["version"] == 2 and stale.json["etag"] == "2"
    assert stale.json["current"]["supporters"] == []
    assert stale.json["current"]["saved_at"] == second.json["saved_at"]
    missing = _put(client, pair.own("/plan"), {**PLAN, "signs": []}, pair.client.headers)
    assert missing.status_code == 428 and missing.json["current"]["version"] == 2
    not_a_version = _put(client, pair.own("/plan"), PLAN, pair.client.headers, "latest")
    assert not_a_version.status_code == 412
    assert ipt_rows(client.application) == before

    # A replay of the save that landed (the outbox sends it again with its old If-Match)
    # answers the latest version and makes no new one.
    replay = _put(client, pair.twin("/plan"), newer, pair.clinician.headers, 1)
    assert replay.status_code == 200 and replay.json["version"] == 2
    assert ipt_rows(client.application) == before


def test_saves_are_on_the_audit_trail(client, accounts):
    pair = linked_pair(client, accounts)
    _put(client, pair.own("/plan"), PLAN, pair.client.headers, 0)
    _put(client, pair.twin("/plan"), {**PLAN, "crisis_contacts": []}, pair.clinician.headers, 1)
    _put(client, pair.own("/plan"), {**PLAN, "crisis_contacts": []}, pair.client.headers, 1)
    with client.application.app_context():
        saves = (
            db.session()
            .scalars(
                sa.select(AuditEvent)
                .where(AuditEvent.action == "plan:save", AuditEvent.subject_id == pair.client.id)
                .order_by(AuditEvent.id)
            )
            .all()
        )
    assert [(e.actor_id, e.detail["version"], e.outcome) for e in saves] == [
        (pair.client.id, 1, "ok"),
        (pair.clinician.id, 2, "ok"),
    ]
    assert saves[0].detail == {"version": 1, "signs": 1, "supporters": 1, "crisis_contacts": 1}
    # Counts only: no word of the plan reaches the trail.
    assert all("Sam" not in str(e.detail) and "bed" not in str(e.detail) for e in saves)


def test_a_flag_that_matches_a_sign_brings_the_clients_action_steps(client, accounts):
    pair = linked_pair(client, accounts)
    log_week(client, pair.client, date(2026, 9, 21), steady())
    log_week(client, pair.client, date(2026, 9, 28), steady())
    # Bedtime 3.5 hours later than usual for a week, mood high.
    later = steady(wake="09:00", contact="09:30", work="10:00", bed="02:30")
    log_week(client, pair.client, date(2026, 10, 5), later, mood=4)
    before = client.get(pair.own("/flags"), headers=pair.client.headers).json
    assert before["plan_actions"] == []
    rules = {f["rule"]: f["id"] for f in before["flags"]}
    assert {"bed_shift", "mood"} <= set(rules)

    def sign(pole, stage, text, signal):
        return {"pole": pole, "stage": stage, "text": text, "signal": signal, "actions": [text]}

    signs = [
        sign("elevated", "early", "Bed 2 h later", BED_LATER),
        sign("elevated", "early", "Bed 4 h later", {**BED_LATER, "min_minutes": 240}),
        sign("depressed", "early", "Bed earlier", {"rule": "bed_shift", "direction": "earlier"}),
        sign("elevated", "late", "Feeling high", {"rule": "mood", "pole": "elevated"}),
        sign("depressed", "late", "Feeling low", {"rule": "mood", "pole": "depressed"}),
        sign("elevated", "early", "Talking fast", None),
        sign("elevated", "late", "ASRM high", {"rule": "asrm_high", "min_total": 6}),
        sign("elevated", "early", "Waking later", {"rule": "wake_shift"}),
    ]
    saved = _put(client, pair.own("/plan"), {"signs": signs}, pair.client.headers, 0)
    assert saved.status_code == 200, saved.json

    listed = client.get(pair.own("/flags"), headers=pair.client.headers).json
    matched = {(a["flag_id"], a["sign_index"]) for a in listed["plan_actions"]}
    assert matched == {(rules["bed_shift"], 0), (rules["mood"], 3)}
    bed = next(a for a in listed["plan_actions"] if a["sign_index"] == 0)
    assert bed == {
        "flag_id": rules["bed_shift"],
        "plan_version": 1,
        "sign_index": 0,
        "pole": "elevated",
        "stage": "early",
        "sign": "Bed 2 h later",
        "actions": ["Bed 2 h later"],
    }
    # In the order of the flags listed.
    order = [f["id"] for f in listed["flags"]]
    assert [a["flag_id"] for a in listed["plan_actions"]] == sorted(
        (a["flag_id"] for a in listed["plan_actions"]), key=order.index
    )
    # The clinician's view of the client's flags carries the same.
    seen = client.get(pair.twin("/flags"), headers=pair.clinician.headers).json
    assert seen["plan_actions"] == listed["plan_actions"]
    # Filtered flags bring only their own signs.
    acked = client.post(
        pair.twin(f"/flags/{rules['mood']}/ack"), json={}, headers=pair.clinician.headers
    )
    assert acked.status_code == 200
    open_only = client.get(pair.own("/flags?status=open"), headers=pair.client.headers).json
    assert rules["mood"] not in {a["flag_id"] for a in open_only["plan_actions"]}


def test_nobody_else_reaches_the_plan(client, accounts):
    pair = linked_pair(client, accounts)
    _put(client, pair.own("/plan"), PLAN, pair.client.headers, 0)
    stranger = accounts.staff("clinician")
    other = linked_pair(client, accounts)
    before = ipt_rows(client.application)
    for who in (stranger, other.clinician, other.client):
        for method, path in (
            ("GET", "/plan"),
            ("GET", "/plan/versions"),
            ("GET", "/plan/versions/1"),
            ("PUT", "/plan"),
        ):
            body = PLAN if method == "PUT" else None
            response = client.open(
                pair.twin(path),
                method=method,
                json=body,
                headers={**who.headers, "If-Match": '"1"'},
            )
            assert response.status_code == 404, (who.email, method, path, response.json)
    # Another client's own URLs show their own (empty) plan, never this one.
    theirs = client.get(f"{API}/plan", headers=other.client.headers).json
    assert theirs["version"] == 0 and theirs["signs"] == []
    assert ipt_rows(client.application) == before


def test_bad_plans_are_refused_naming_the_field(client, accounts):
    pair = linked_pair(client, accounts)
    before = ipt_rows(client.application)
    cases = [
        ({"signs": [{**SIGN, "signal": {"rule": "bed_shift", "min_minutes": "lots"}}]},
         "signs.0.signal"),
        ({"signs": [{**SIGN, "signal": {"rule": "moon_phase"}}]}, "signs.0.signal"),
        ({"signs": [{**SIGN, "signal": {"rule": "srm_drop", "pole": "elevated"}}]},
         "signs.0.signal"),
        ({"signs": [{**SIGN, "signal": {"rule": "mood", "pole": "sideways"}}]}, "signs.0.signal"),
        ({"signs": [{**SIGN, "signal": {"direction": "later"}}]}, "signs.0.signal"),
        ({"signs": [{**SIGN, "signal": {"rule": "asrm_high", "min_total": 21}}]},
         "signs.0.signal"),
        ({"signs": [SIGN, {**SIGN, "pole": "mixed"}]}, "signs.1.pole"),
        ({"signs": [{**SIGN, "stage": "middle"}]}, "signs.0.stage"),
        ({"signs": [{**SIGN, "text": " "}]}, "signs.0.text"),
        ({"signs": [{**SIGN, "actions": ["ok"] * 11}]}, "signs.0.actions"),
        ({"signs": [SIGN] * 41}, "signs"),
        ({**PLAN, "supporters": [{"name": "Sam"}]}, "supporters.0.how_to_reach"),
        ({"supporters": []}, "signs"),
    ]  # fmt: skip
    for body, field in cases:
        response = _put(client, pair.own("/plan"), body, pair.client.headers, 0)
        assert response.status_code == 422, (body, response.json)
        assert field in response.json["message"], (field, response.json["message"])
    assert ipt_rows(client.application) == before


def test_the_demo_client_sees_her_plan_at_work(client, runner):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    (password,) = set(re.findall(r"drifting@demo\.cadence\.example\s+(\S+)", result.output))
    token = client.post(
        f"{API}/auth/token",
        json={"email": "drifting@demo.cadence.example", "password": password},
    ).json["token"]
    headers = {"Authorization": f"Bearer {token}"}
    people = client.get(f"{API}/inventory", headers=headers).json["people"]
    assert len(people) == 3
    goals = client.get(f"{API}/goals", headers=headers).json
    assert goals["problem_areas"] and len(goals["goals"]) == 2
    assert all(len(g["reviews"]) == 1 for g in goals["goals"])
    tasks = client.get(f"{API}/tasks", headers=headers).json["tasks"]
    assert {t["status"] for t in tasks} == {"open", "done"}
    plan = client.get(f"{API}/plan", headers=headers).json
    assert plan["version"] == 1 and all(s["signal"] for s in plan["signs"])
    # Her drifting bedtimes raise a flag that her plan names: she sees her own steps with it.
    flags = client.get(f"{API}/flags", headers=headers).json
    assert "Tell Alex" in [step for a in flags["plan_actions"] for step in a["actions"]]
