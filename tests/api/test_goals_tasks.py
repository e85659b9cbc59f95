"""Problem-area goals with their session and midpoint reviews, and between-session tasks whose
answers survive an offline outbox's replays."""

import sqlalchemy as sa

from api import db
from api.models import AuditEvent
from tests.api.ipt_records import API, ipt_rows, linked_pair

GOAL = {"text": "Settle into the new job without losing touch with friends",
        "problem_area": "role_transition"}  # fmt: skip
TASK = {"text": "Call your sister before Sunday", "due": "2026-10-11", "problem_area": "grief"}


def test_goals_follow_the_course_and_its_reviews(client, accounts):
    pair = linked_pair(
        client, accounts, ("role_transition", "grief"), start="2026-09-07", planned_weeks=12
    )
    created = client.post(pair.twin("/goals"), json=GOAL, headers=pair.clinician.headers)
    assert created.status_code == 201, created.json
    goal = created.json
    assert goal["status"] == "active" and goal["reviews"] == [] and goal["latest_progress"] is None
    assert goal["created_by"]["id"] == pair.clinician.id

    for body in (
        {"session_date": "2026-09-14", "progress": 1, "note": "Started"},
        {"session_date": "2026-10-19", "progress": 2, "kind": "midpoint", "note": "Re-evaluated"},
        {"session_date": "2026-09-28", "progress": 3},
    ):
        review = client.post(
            pair.twin(f"/goals/{goal['id']}/reviews"), json=body, headers=pair.clinician.headers
        )
        assert review.status_code == 201, review.json
        assert review.json["by"]["id"] == pair.clinician.id
    assert review.json["kind"] == "session" and review.json["note"] is None

    # The client sees the same: the course's areas, the midpoint (start + 6 of 12 weeks).
    seen = client.get(pair.own("/goals"), headers=pair.client.headers).json
    assert seen == client.get(pair.twin("/goals"), headers=pair.clinician.headers).json
    assert seen["problem_areas"] == ["grief", "role_transition"]
    assert seen["midpoint"] == {"due": "2026-10-19", "reviewed": True}
    assert seen["progress_scale"][0] == "none" and seen["progress_scale"][4] == "achieved"
    (listed,) = seen["goals"]
    assert [r["session_date"] for r in listed["reviews"]] == [
        "2026-10-19",
        "2026-09-28",
        "2026-09-14",
    ]
    assert listed["latest_progress"] == 2
    assert [r["kind"] for r in listed["reviews"]] == ["midpoint", "session", "session"]

    # At the midpoint a goal is revised and a new one set; revised goals list after active.
    revised = client.put(
        pair.twin(f"/goals/{goal['id']}"),
        json={**GOAL, "status": "revised"},
        headers=pair.clinician.headers,
    )
    assert revised.status_code == 200 and revised.json["status"] == "revised"
    assert len(revised.json["reviews"]) == 3
    newer = client.post(
        pair.twin("/goals"),
        json={"text": "Mourn my father with my family", "problem_area": "grief"},
        headers=pair.clinician.headers,
    ).json
    order = client.get(pair.own("/goals"), headers=pair.client.headers).json["goals"]
    assert [g["id"] for g in order] == [newer["id"], goal["id"]]

    deleted = client.delete(pair.twin(f"/goals/{goal['id']}"), headers=pair.clinician.headers)
    assert deleted.status_code == 204
    rows = ipt_rows(client.application)
    assert len(rows["ipt_goals"]) == 1 and rows["ipt_goal_reviews"] == []


def test_a_midpoint_not_reviewed_and_a_course_without_a_length(client, accounts):
    pair = linked_pair(client, accounts, start="2026-09-07", planned_weeks=16)
    goal = client.post(pair.twin("/goals"), json=GOAL, headers=pair.clinician.headers).json
    client.post(
        pair.twin(f"/goals/{goal['id']}/reviews"),
        json={"session_date": "2026-09-14", "progress": 0},
        headers=pair.clinician.headers,
    )
    seen = client.get(pair.own("/goals"), headers=pair.client.headers).json
    assert seen["midpoint"] == {"due": "2026-11-02", "reviewed": False}
    bare = linked_pair(client, accounts)
    assert client.get(bare.own("/goals"), headers=bare.client.headers).json["midpoint"] == {
        "due": None,
        "reviewed": False,
    }


def test_goals_are_the_clinicians_to_set_and_review(client, accounts):
    pair = linked_pair(client, accounts)
    goal = client.post(pair.twin("/goals"), json=GOAL, headers=pair.clinician.headers).json
    before = ipt_rows(client.application)
    refused = client.post(pair.own("/goals"), json=GOAL, headers=pair.client.headers)
    assert refused.status_code == 403 and "clinician" in refused.json["message"]
    review = client.post(
        pair.own(f"/goals/{goal['id']}/reviews"),
        json={"session_date": "2026-09-14", "progress": 2},
        headers=pair.client.headers,
    )
    assert review.status_code == 403
    for method in ("PUT", "DELETE"):
        body = {**GOAL, "status": "dropped"} if method == "PUT" else None
        response = client.open(
            pair.own(f"/goals/{goal['id']}"), method=method, json=body, headers=pair.client.headers
        )
        assert response.status_code == 403, method
    stranger = accounts.staff("clinician")
    assert client.get(pair.twin("/goals"), headers=stranger.headers).status_code == 404
    assert client.post(pair.twin("/goals"), json=GOAL, headers=stranger.headers).status_code == 404
    # Another client's clinician cannot reach this goal through their own client.
    other = linked_pair(client, accounts)
    sideways = client.post(
        f"{API}/clients/{other.client.id}/goals/{goal['id']}/reviews",
        json={"session_date": "2026-09-14", "progress": 2},
        headers=other.clinician.headers,
    )
    assert sideways.status_code == 404
    assert ipt_rows(client.application) == before


def test_bad_goal_input_names_the_field(client, accounts):
    pair = linked_pair(client, accounts, ("role_dispute",))
    goal = client.post(
        pair.twin("/goals"),
        json={"text": "Talk it over with my partner", "problem_area": "role_dispute"},
        headers=pair.clinician.headers,
    ).json
    before = ipt_rows(client.application)
    reviews = f"/goals/{goal['id']}/reviews"
    cases = [
        ("/goals", {**GOAL, "problem_area": "loneliness"}, "problem_area"),
        # A problem area the course does not record.
        ("/goals", GOAL, "problem_area"),
        ("/goals", {**GOAL, "text": ""}, "text"),
        (f"/goals/{goal['id']}/reviews", {"session_date": "2026-09-14", "progress": 5}, "progress"),
        (
            f"/goals/{goal['id']}/reviews",
            {"session_date": "2026-09-14", "progress": 2, "kind": "final"},
            "kind",
        ),
        (reviews, {"session_date": "2199-12-31", "progress": 2}, "session_date"),
        (reviews, {"session_date": "14/09/2026", "progress": 2}, "session_date"),
    ]  # fmt: skip
    for path, body, field in cases:
        response = client.post(pair.twin(path), json=body, headers=pair.clinician.headers)
        assert response.status_code == 422, (body, response.json)
        assert field in response.json["errors"], (body, response.json)
    status = client.put(
        pair.twin(f"/goals/{goal['id']}"),
        json={"text": "x", "problem_area": "role_dispute", "status": "finished"},
        headers=pair.clinician.headers,
    )
    assert status.status_code == 422 and "status" in status.json["errors"]
    assert ipt_rows(client.application) == before
    # A course with no problem areas says what to do first.
    bare = linked_pair(client, accounts, ())
    first = client.post(bare.twin("/goals"), json=GOAL, headers=bare.clinician.headers)
    assert first.status_code == 422 and "/course" in first.json["errors"]["problem_area"][0]


def test_tasks_are_assigned_answered_and_listed(client, accounts):
    pair = linked_pair(client, accounts)
    first = client.post(pair.twin("/tasks"), json=TASK, headers=pair.clinician.headers)
    assert first.status_code == 201, first.json
    assert first.json["status"] == "open" and first.json["done"] is None
    assert first.json["assigned_by"]["id"] == pair.clinician.id
    lights = {
        "text": "Lights out by 23:30 on three nights",
        "due": "2026-10-09",
        "anchor": "to_bed",
    }
    second = client.post(pair.twin("/tasks"), json=lights, headers=pair.clinician.headers).json
    assert second["anchor"] == "to_bed" and second["problem_area"] is None

    url = pair.own(f"/tasks/{first.json['id']}/outcome")
    answer = {"done": True, "note": "We talked for an hour"}
    done = client.put(url, json=answer, headers=pair.client.headers)
    assert done.status_code == 200, done.json
    assert done.json["status"] == "done" and done.json["note"] == answer["note"]
    # The outbox replays the same answer: nothing changes, not even when it was given.
    again = client.put(url, json=answer, headers=pair.client.headers)
    assert again.status_code == 200 and again.json == done.json
    changed = client.put(url, json={"done": False, "note": None}, headers=pair.client.headers)
    assert changed.json["status"] == "not_done" and changed.json["note"] is None
    assert changed.json["outcome_at"] >= done.json["outcome_at"]

    # The next session shows them: open ones first, soonest due first, then answered ones.
    listed = client.get(pair.twin("/tasks"), headers=pair.clinician.headers).json["tasks"]
    assert [t["id"] for t in listed] == [second["id"], first.json["id"]]
    for status, expected in (("open", [second["id"]]), ("not_done", [first.json["id"]]),
                             ("done", []), ("all", [second["id"], first.json["id"]])):  # fmt: skip
        found = client.get(pair.own(f"/tasks?status={status}"), headers=pair.client.headers)
        assert [t["id"] for t in found.json["tasks"]] == expected, status

    # The clinician rewords a task: the client's answer stays.
    reworded = client.put(
        pair.twin(f"/tasks/{first.json['id']}"),
        json={**TASK, "text": "Call your sister"},
        headers=pair.clinician.headers,
    )
    assert reworded.status_code == 200
    assert reworded.json["status"] == "not_done" and reworded.json["text"] == "Call your sister"
    gone = client.delete(pair.twin(f"/tasks/{second['id']}"), headers=pair.clinician.headers)
    assert gone.status_code == 204
    replay = client.put(
        pair.own(f"/tasks/{second['id']}/outcome"), json=answer, headers=pair.client.headers
    )
    assert replay.status_code == 404


def test_who_may_do_what_with_tasks(client, accounts):
    pair = linked_pair(client, accounts)
    task = client.post(pair.twin("/tasks"), json=TASK, headers=pair.clinician.headers).json
    before = ipt_rows(client.application)
    assigned = client.post(pair.own("/tasks"), json=TASK, headers=pair.client.headers)
    assert assigned.status_code == 403 and "/outcome" in assigned.json["message"]
    # Only the client answers: the clinician may not mark the task done for them.
    answered = client.put(
        pair.twin(f"/tasks/{task['id']}/outcome"),
        json={"done": True},
        headers=pair.clinician.headers,
    )
    assert answered.status_code == 403
    stranger = accounts.staff("clinician")
    other = linked_pair(client, accounts)
    for who, url in (
        (stranger, pair.twin(f"/tasks/{task['id']}/outcome")),
        (other.client, pair.own(f"/tasks/{task['id']}/outcome")),
        (other.client, pair.twin(f"/tasks/{task['id']}/outcome")),
    ):
        response = client.put(url, json={"done": True}, headers=who.headers)
        assert response.status_code == 404, (url, response.json)
    assert client.get(pair.twin("/tasks"), headers=stranger.headers).status_code == 404
    assert ipt_rows(client.application) == before
    with client.application.app_context():
        denied = db.session().scalars(
            sa.select(AuditEvent.action).where(
                AuditEvent.actor_id == pair.clinician.id, AuditEvent.outcome == "denied"
            )
        )
        assert "tasks:outcome" in set(denied)


def test_bad_task_input_names_the_field(client, accounts):
    pair = linked_pair(client, accounts)
    task = client.post(pair.twin("/tasks"), json=TASK, headers=pair.clinician.headers).json
    before = ipt_rows(client.application)
    for body, field in (
        ({**TASK, "due": "next week"}, "due"),
        ({**TASK, "anchor": "brunch"}, "anchor"),
        ({**TASK, "problem_area": "money"}, "problem_area"),
        ({**TASK, "text": "x" * 501}, "text"),
        ({"text": "Walk"}, "due"),
    ):
        response = client.post(pair.twin("/tasks"), json=body, headers=pair.clinician.headers)
        assert response.status_code == 422 and field in response.json["errors"], body
    url = pair.own(f"/tasks/{task['id']}/outcome")
    for body, field in (
        ({"done": "yes"}, "done"),
        ({"done": 1}, "done"),
        ({"note": "forgot"}, "done"),
        ({"done": True, "note": "x" * 1001}, "note"),
    ):
        response = client.put(url, json=body, headers=pair.client.headers)
        assert response.status_code == 422 and field in response.json["errors"], body
    bad_filter = client.get(pair.own("/tasks?status=late"), headers=pair.client.headers)
    assert bad_filter.status_code == 422 and "status" in bad_filter.json["errors"]
    assert ipt_rows(client.application) == before
