"""The study export's de-identification rules, one leak each (docs/research-export.md): no
offsets or clock-change markers, rows in pseudonym order, only the days the consent covers,
a new shift per study, and no export of a study too small to hide in without an override."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from api import db
from api.config import Config
from api.models import AuditEvent, Study, StudyParticipant
from api.services import deid, export
from tests.api.diaries import log_week, steady
from tests.api.test_studies import STUDY, create, join

ONE_DAY = timedelta(days=1)
# London's clocks go back on Sunday 25 October 2026: the night into it lasts an hour longer.
MONDAY = date(2026, 10, 19)
EXPORTED = datetime(2026, 11, 30, 12, tzinfo=UTC)
TODAY = EXPORTED.date()


def earlier(start: date) -> dict:
    return {"data_from": str(start), "consent_covers_earlier_data": True}


def download(client, researcher, study_id: int, query: str = "allow_small=true"):
    with time_machine.travel(EXPORTED, tick=False):
        return client.get(
            f"/api/v1/studies/{study_id}/export?format=csv&{query}", headers=researcher.headers
        )


def members_of(response) -> dict[str, bytes]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rows(members: dict[str, bytes], table: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(members[f"{table}.csv"].decode())))


def set_shift(app, study_id: int, client_id: int, weeks: int) -> None:
    with app.extensions["cadence.engine"].begin() as connection:
        connection.execute(
            sa.update(StudyParticipant)
            .where(StudyParticipant.study_id == study_id, StudyParticipant.client_id == client_id)
            .values(shift_weeks=weeks)
        )


def real_days(members, pseudonym: str, weeks: int) -> list[date]:
    return sorted(
        date.fromisoformat(r["date"]) - timedelta(weeks=weeks)
        for r in rows(members, "daily")
        if r["pseudonym"] == pseudonym
    )


def mapping(app, study_id: int) -> dict[int, tuple[str, int]]:
    with app.extensions["cadence.engine"].connect() as connection:
        found = connection.execute(
            sa.select(
                StudyParticipant.client_id,
                StudyParticipant.pseudonym,
                StudyParticipant.shift_weeks,
            ).where(StudyParticipant.study_id == study_id)
        )
        return {client_id: (pseudonym, weeks) for client_id, pseudonym, weeks in found}


def audit_events(app, action: str) -> list[AuditEvent]:
    with app.extensions["cadence.engine"].connect() as connection:
        return connection.execute(
            sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        ).all()


def test_no_offsets_or_clock_change_markers_and_sleep_on_the_wall_clock(app, client, accounts):
    """A UTC offset or a zone-change mark on a shifted date, or a 25-hour night, would tell
    on which shifted day London's clocks went back, and so the shift."""
    researcher, london = accounts.staff("researcher"), accounts.client_account("Europe/London")
    for week in range(2):
        log_week(client, london, MONDAY + timedelta(weeks=week), steady(), timezone="Europe/London")
    # A week in New York later on: a rare offset would say where the person was.
    log_week(
        client,
        london,
        MONDAY + timedelta(weeks=2),
        steady(),
        timezone="America/New_York",
    )
    study = create(client, researcher)
    with time_machine.travel(datetime(2026, 10, 1, 9, tzinfo=UTC), tick=False):
        assert join(client, london, study).status_code == 201
    set_shift(app, study["id"], london.id, 4)  # no cut at the start, three weeks at the end
    members = members_of(download(client, researcher, study["id"]))
    daily, weekly = rows(members, "daily"), rows(members, "weekly")
    assert "utc_offset" not in daily[0] and "zone_changed" not in weekly[0]
    descriptor = json.loads(members["datapackage.json"])
    names = {f["name"] for r in descriptor["resources"] for f in r["schema"]["fields"]}
    assert not names & {"utc_offset", "zone_changed", "timezone", "zone"}
    for marker in (b"+01:00", b"+00:00", b"-05:00", b"-04:00", b"Europe/", b"America/"):
        assert not any(marker in data for data in members.values()), marker
    # Every night is 23:00 to 07:00 on the wall clock, the clock-change night and the nights
    # around the flight included: eight hours in every week.
    assert len(weekly) == 3
    assert [float(w["sleep_mean_duration"]) for w in weekly] == [480.0, 480.0, 480.0]
    assert [float(w["sleep_min_duration"]) for w in weekly] == [480.0, 480.0, 480.0]


def test_rows_are_in_pseudonym_order_not_account_order(app, client, accounts):
    researcher = accounts.staff("researcher")
    first, second = accounts.client_account(), accounts.client_account()
    study = create(client, researcher)
    for account in (first, second):
        log_week(client, account, MONDAY, steady())
        with time_machine.travel(datetime(2026, 10, 1, 9, tzinfo=UTC), tick=False):
            assert join(client, account, study).status_code == 201
        event = {"start": str(MONDAY), "end": str(MONDAY + ONE_DAY), "kind": "illness"}
        assert client.post("/api/v1/events", json=event, headers=account.headers).status_code == 201
    # The first account registered gets the pseudonym that sorts last.
    with app.extensions["cadence.engine"].begin() as connection:
        for account, pseudonym in ((first, "PZZZZZZZZ"), (second, "PAAAAAAAA")):
            connection.execute(
                sa.update(StudyParticipant)
                .where(StudyParticipant.client_id == account.id)
                .values(pseudonym=pseudonym, shift_weeks=4)
            )
    members = members_of(download(client, researcher, study["id"]))
    for table, key in (
        ("events", "date"),
        ("daily", "date"),
        ("weekly", "week_start"),
        ("life_events", "start"),
    ):
        order = [(r["pseudonym"], r[key]) for r in rows(members, table)]
        assert order == sorted(order) and order[0][0] == "PAAAAAAAA", table


def test_only_the_days_the_consent_covers_from_joining(app, client, accounts):
    """By default a participant's data start on the day they joined, in their own zone, and
    end the day before the export, each end cut by whole weeks chosen from the shift."""
    researcher = accounts.staff("researcher")
    plain, late, east = (
        accounts.client_account("Europe/London"),
        accounts.client_account("Europe/London"),
        accounts.client_account("Pacific/Kiritimati"),  # UTC+14: already the next day
    )
    study = create(client, researcher)
    first_monday = date(2026, 10, 12)
    for account in (plain, late, east):
        for week in range(7):  # 12 October to 29 November, every day
            log_week(client, account, first_monday + timedelta(weeks=week), steady())
        with time_machine.travel(datetime(2026, 10, 28, 11, tzinfo=UTC), tick=False):
            assert join(client, account, study).status_code == 201
    # Shift 4: no cut at the start, three weeks at the end; shift 1: the other way round.
    for account, weeks in ((plain, 4), (late, 1), (east, 4)):
        set_shift(app, study["id"], account.id, weeks)
    ids = mapping(app, study["id"])
    members = members_of(download(client, researcher, study["id"]))
    days = {a.id: real_days(members, *ids[a.id]) for a in (plain, late, east)}
    assert (days[plain.id][0], days[plain.id][-1]) == (date(2026, 10, 28), date(2026, 11, 8))
    assert (days[late.id][0], days[late.id][-1]) == (date(2026, 11, 18), date(2026, 11, 29))
    assert days[east.id][0] == date(2026, 10, 29)
    assert len(days[plain.id]) == 12 and len(days[late.id]) == 12
    for table, key in (("events", "date"), ("weekly", "week_start")):
        for account in (plain, late):
            pseudonym, weeks = ids[account.id]
            real = [
                date.fromisoformat(r[key]) - timedelta(weeks=weeks)
                for r in rows(members, table)
                if r["pseudonym"] == pseudonym
            ]
            first = days[account.id][0]
            start = first - timedelta(days=first.weekday()) if table == "weekly" else first
            assert min(real) >= start and max(real) <= days[account.id][-1], table
    readme = " ".join(members["README.md"].decode().split())
    assert "from the day each participant joined" in readme


def test_a_study_may_declare_an_earlier_start_if_its_consent_says_so(app, client, accounts):
    researcher = accounts.staff("researcher")
    start = date(2026, 10, 12)
    for body, field in (
        ({**STUDY, "data_from": str(start)}, "consent_covers_earlier_data"),
        (
            {**STUDY, **earlier(start), "consent_covers_earlier_data": False},
            "consent_covers_earlier_data",
        ),
        ({**STUDY, **earlier(date(1999, 12, 31))}, "data_from"),
        ({**STUDY, "data_from": "12/10/2026", "consent_covers_earlier_data": True}, "data_from"),
        (
            {**STUDY, **earlier(start), "consent_covers_earlier_data": "maybe"},
            "consent_covers_earlier_data",
        ),
    ):
        response = client.post("/api/v1/studies", json=body, headers=researcher.headers)
        assert response.status_code == 422, body
        assert list(response.json["errors"]) == [field], response.json
    assert client.get("/api/v1/studies", headers=researcher.headers).json == {"studies": []}
    plain = create(client, researcher)
    assert plain["data_from"] is None
    study = create(client, researcher, **earlier(start))
    assert study["data_from"] == "2026-10-12" and "consent_covers_earlier_data" not in study
    read = client.get(f"/api/v1/studies/{study['id']}", headers=researcher.headers).json
    assert read == study

    participant = accounts.client_account("Europe/London")
    for week in range(7):
        log_week(client, participant, start - timedelta(weeks=1) + timedelta(weeks=week), steady())
    with time_machine.travel(datetime(2026, 10, 28, 11, tzinfo=UTC), tick=False):
        assert join(client, participant, study).status_code == 201
    set_shift(app, study["id"], participant.id, -1)  # no cut at the start
    members = members_of(download(client, researcher, study["id"]))
    days = real_days(members, *mapping(app, study["id"])[participant.id])
    assert days[0] == start  # before joining, as the consent says; not the week before
    descriptor = json.loads(members["datapackage.json"])
    assert descriptor["cadence"]["data_from"] == "2026-10-12"
    assert "from 2026-10-12, the start the study declared" in " ".join(
        members["README.md"].decode().split()
    )


def test_a_client_in_many_studies_gets_a_new_shift_in_each(app, client, accounts):
    """Never the same shift twice, so no two exports of one person share a calendar; always
    at the same place in its block (deid.edge_weeks), so two exports' ends together narrow the
    shift no further than one's."""
    researcher, person = accounts.staff("researcher"), accounts.client_account()
    studies = [create(client, researcher, name=f"S{i}") for i in range(26)]
    for study in studies:
        assert join(client, person, study).status_code == 201
    joined = [mapping(app, study["id"])[person.id] for study in studies]
    pseudonyms, shifts = [p for p, _ in joined], [w for _, w in joined]
    assert len(set(pseudonyms)) == 26 and len(set(shifts)) == 26
    assert len({deid.edge_weeks(w) for w in shifts}) == 1


def test_small_studies_are_refused_unless_the_override_is_given(app, client, accounts):
    researcher = accounts.staff("researcher")
    study = create(client, researcher)
    people = [accounts.client_account() for _ in range(5)]
    for person in people[:4]:
        assert join(client, person, study).status_code == 201
    refused = download(client, researcher, study["id"], query="")
    assert refused.status_code == 409
    message = refused.json["message"]
    assert "4 consenting participants" in message and "at least 5" in message
    assert "allow_small=true" in message
    (denied,) = audit_events(app, "research:export")
    assert denied.outcome == "denied" and denied.actor_id == researcher.id
    assert denied.detail == {
        "study": study["id"],
        "via": "api",
        "participants": 4,
        "minimum": 5,
        "reason": "too_few",
    }
    bad = download(client, researcher, study["id"], query="allow_small=perhaps")
    assert bad.status_code == 422 and list(bad.json["errors"]) == ["allow_small"]

    members_of(download(client, researcher, study["id"]))  # allow_small=true
    (override,) = audit_events(app, "research:export_small")
    assert override.outcome == "ok" and override.actor_id == researcher.id
    assert override.detail["participants"] == 4 and override.detail["minimum"] == 5
    assert [e.outcome for e in audit_events(app, "research:export")] == ["denied", "ok"]

    assert join(client, people[4], study).status_code == 201
    members_of(download(client, researcher, study["id"], query=""))
    url = f"/api/v1/studies/{study['id']}/consent"
    assert client.delete(url, headers=people[0].headers).status_code == 204
    assert download(client, researcher, study["id"], query="").status_code == 409


def test_the_command_line_needs_the_override_too(app, runner, client, accounts, tmp_path):
    study = create(client, accounts.staff("researcher"))
    out = tmp_path / "small.zip"
    args = ["export", "study", str(study["id"]), "--format", "csv", "--out", str(out)]
    refused = runner.invoke(args=args)
    assert refused.exit_code != 0
    assert "0 consenting participants" in refused.output and "--allow-small" in refused.output
    assert not out.exists()
    allowed = runner.invoke(args=[*args, "--allow-small"])
    assert allowed.exit_code == 0, allowed.output
    (override,) = audit_events(app, "research:export_small")
    assert override.actor_id is None and override.detail["via"] == "cli"


def test_the_minimum_is_a_setting(app, accounts, client):
    assert Config.from_env({}).export_min_participants == 5
    assert Config.from_env({"CADENCE_EXPORT_MIN_PARTICIPANTS": "2"}).export_min_participants == 2
    for raw in ("0", "-1"):
        with pytest.raises(ValueError, match="CADENCE_EXPORT_MIN_PARTICIPANTS"):
            Config.from_env({"CADENCE_EXPORT_MIN_PARTICIPANTS": raw})
    study = create(client, accounts.staff("researcher"))
    assert join(client, accounts.client_account(), study).status_code == 201
    with app.app_context():
        row = db.session().get(Study, study["id"])
        count = export.check_min_participants(
            db.session(), row, allow_small=False, actor=None, via="test", minimum=1
        )
    assert count == 1


def test_windows_hide_the_shift_within_its_block():
    """Whatever the shift within a block, the first and last exported days are the same."""
    joined = datetime(2026, 3, 2, 9, tzinfo=UTC)
    for block in range(0, len(deid.SHIFTS), deid.EDGE_WEEKS):
        ends = set()
        for weeks in deid.SHIFTS[block : block + deid.EDGE_WEEKS]:
            first, last = deid.window(None, joined, "UTC", weeks, TODAY)
            assert sum(deid.edge_weeks(weeks)) == deid.EDGE_WEEKS - 1
            assert first >= date(2026, 3, 2) and last <= TODAY - ONE_DAY
            ends.add((first + timedelta(weeks=weeks), last + timedelta(weeks=weeks)))
        assert len(ends) == 1
