"""De-identified study exports: nothing identifying, stable pseudonyms, shifted dates that keep
weekdays and intervals, withdrawal honoured, a valid Frictionless package, flat memory."""

import csv
import hashlib
import io
import json
import math
import tracemalloc
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import frictionless
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from api.models import AuditEvent, DiaryEntry, EntryActivity, Study, StudyParticipant
from api.services import export
from api.services.export import queries, stream, tables
from tests.api.diaries import TV1, log_week, steady
from tests.api.test_studies import create, join
from tests.bench.data import populate

MONDAY = date(2026, 9, 28)
# The studies declare an earlier start than joining, so the days logged before the clients
# join are in scope; four weeks before the first day, so no cut at the start reaches them.
DATA_FROM = MONDAY - timedelta(weeks=4)
EARLIER = {"data_from": str(DATA_FROM), "consent_covers_earlier_data": True}
NOTE = "Zebra-Pineapple confidential diary remark"
EVENT_NOTE = "Marmalade-Lighthouse funeral of my aunt"
NAME = "Ottoline Quarterhouse"
OTHER_NAME = "Barnaby Fenwick-Strange"


def download(client, researcher, study_id: int, fmt: str = "csv"):
    """The export, with the small-study override: these studies have two participants
    (tests/api/test_export_deid.py tests the rule)."""
    response = client.get(
        f"/api/v1/studies/{study_id}/export?format={fmt}&allow_small=true",
        headers=researcher.headers,
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def _typed(value: str, kind: str):
    if value == "":
        return None
    return {
        "integer": int,
        "number": float,
        "boolean": lambda v: {"true": True, "false": False}[v],
        "date": date.fromisoformat,
    }.get(kind, str)(value)


def csv_rows(members: dict[str, bytes], table: str) -> list[dict]:
    """Rows of a CSV member, typed by the codebook in datapackage.json."""
    descriptor = json.loads(members["datapackage.json"])
    (resource,) = [r for r in descriptor["resources"] if r["path"] == f"{table}.csv"]
    types = {f["name"]: f["type"] for f in resource["schema"]["fields"]}
    reader = csv.DictReader(io.StringIO(members[f"{table}.csv"].decode("utf-8"), newline=""))
    assert reader.fieldnames == list(types)
    return [{k: _typed(v, types[k]) for k, v in row.items()} for row in reader]


def parquet_rows(members: dict[str, bytes], table: str) -> list[dict]:
    return pq.read_table(io.BytesIO(members[f"{table}.parquet"])).to_pylist()


def mapping(app, study_id: int) -> dict[int, tuple[str, int]]:
    """client id → (pseudonym, shift weeks), read from the mapping table."""
    with app.extensions["cadence.engine"].connect() as connection:
        rows = connection.execute(
            sa.select(
                StudyParticipant.client_id,
                StudyParticipant.pseudonym,
                StudyParticipant.shift_weeks,
            ).where(StudyParticipant.study_id == study_id)
        )
        return {client_id: (pseudonym, weeks) for client_id, pseudonym, weeks in rows}


@pytest.fixture
def research(client, accounts):
    """Two studies of one researcher; two clients with names, notes and life-event notes."""
    researcher = accounts.staff("researcher")
    first = accounts.client_account(timezone="Europe/London", display_name=NAME)
    second = accounts.client_account(timezone="America/New_York", display_name=OTHER_NAME)
    log_week(client, first, MONDAY, TV1, timezone="Europe/London", moods=[0, 1, 2, -1, 0, 3, -2])
    log_week(client, first, MONDAY + timedelta(weeks=2), steady(), timezone="Europe/London")
    log_week(client, second, MONDAY, steady(wake="06:30"), timezone="America/New_York")
    for account, day in ((first, MONDAY), (second, MONDAY + timedelta(days=3))):
        response = client.put(
            f"/api/v1/entries/{day}",
            json={
                "timezone": "Europe/London" if account is first else "America/New_York",
                "mood": 1,
                "activities": {"out_of_bed": {"time": "07:00", "people": 2}},
                "note": NOTE,
            },
            headers=account.headers,
        )
        assert response.status_code in (200, 201), response.json
        response = client.post(
            "/api/v1/events",
            json={
                "start": str(day),
                "end": str(day + timedelta(days=2)),
                "kind": "loss",
                "note": EVENT_NOTE,
            },
            headers=account.headers,
        )
        assert response.status_code == 201, response.json
    study_a = create(client, researcher, name="A", **EARLIER)
    study_b = create(client, researcher, name="B", **EARLIER)
    for account in (first, second):
        assert join(client, account, study_a).status_code == 201
    assert join(client, first, study_b).status_code == 201
    return researcher, first, second, study_a, study_b


def test_no_identifier_reaches_any_byte_of_the_export(app, client, research):
    researcher, first, second, study, _ = research
    markers = [
        first.email,
        second.email,
        "example.org",
        NAME,
        OTHER_NAME,
        "Quarterhouse",
        NOTE,
        "Zebra-Pineapple",
        EVENT_NOTE,
        "Marmalade",
        "Europe/London",
        "America/New_York",
        "London",
        "New_York",
    ]
    for fmt in ("csv", "parquet"):
        data = download(client, researcher, study["id"], fmt).data
        members = unzip(data)
        texts = {"zip": data, **members}
        for table in export.TABLES:
            read = parquet_rows if fmt == "parquet" else csv_rows
            values = read(members, table)
            texts[f"{table} values"] = repr(values).encode()
        assert len(members) == 2 + len(export.TABLES)
        found = [
            (marker, where)
            for where, blob in texts.items()
            for marker in markers
            if marker.encode() in blob or marker.lower().encode() in blob.lower()
        ]
        assert found == []
    # The rows are there, just not the identifiers.
    assert csv_rows(members, "events") if fmt == "csv" else parquet_rows(members, "events")
    kinds = {row["kind"] for row in parquet_rows(members, "life_events")}
    assert kinds == {"loss"}


def test_pseudonyms_are_stable_per_study_and_differ_between_studies(app, client, research):
    researcher, first, second, study_a, study_b = research
    exports = [csv_rows(unzip(download(client, researcher, study_a["id"]).data), "daily")]
    exports.append(csv_rows(unzip(download(client, researcher, study_a["id"]).data), "daily"))
    in_b = csv_rows(unzip(download(client, researcher, study_b["id"]).data), "daily")
    assert exports[0] == exports[1]
    a, b = mapping(app, study_a["id"]), mapping(app, study_b["id"])
    assert {row["pseudonym"] for row in exports[0]} == {a[first.id][0], a[second.id][0]}
    assert {row["pseudonym"] for row in in_b} == {b[first.id][0]}
    assert a[first.id][0] != b[first.id][0]
    # Random, not derived from anything the researcher could know.
    for pseudonym, _ in (*a.values(), *b.values()):
        assert str(first.id) not in pseudonym[1:] or len(pseudonym) == 9


def test_shifted_dates_keep_weekdays_and_intervals(app, client, research):
    researcher, first, second, study, _ = research
    members = unzip(download(client, researcher, study["id"]).data)
    daily = csv_rows(members, "daily")
    ids = mapping(app, study["id"])
    real_days = {
        first.id: [MONDAY + timedelta(days=i) for i in range(7)]
        + [MONDAY + timedelta(weeks=2, days=i) for i in range(7)],
        second.id: [MONDAY + timedelta(days=i) for i in range(7)],
    }
    for client_id, (pseudonym, weeks) in ids.items():
        shifted = sorted(row["date"] for row in daily if row["pseudonym"] == pseudonym)
        real = real_days[client_id]
        assert len(shifted) == len(real)
        offsets = {(s - r).days for s, r in zip(shifted, real, strict=True)}
        assert offsets == {7 * weeks} and weeks != 0
        assert [d.weekday() for d in shifted] == [d.weekday() for d in real]
        assert [(d - shifted[0]).days for d in shifted] == [(d - real[0]).days for d in real]
        # Every day moves off its own date (another real day may land there: weeks 0 and 2).
        assert all(s != r for s, r in zip(shifted, real, strict=True))
        for row in daily:
            if row["pseudonym"] == pseudonym:
                assert row["weekday"] == row["date"].isoweekday()
    weekly = csv_rows(members, "weekly")
    assert weekly and all(row["week_start"].weekday() == 0 for row in weekly)
    pseudonym, weeks = ids[first.id]
    events = csv_rows(members, "life_events")
    mine = [row for row in events if row["pseudonym"] == pseudonym]
    assert [(r["start"], r["end"]) for r in mine] == [
        (MONDAY + timedelta(weeks=weeks), MONDAY + timedelta(weeks=weeks, days=2))
    ]


def test_event_rows_carry_times_people_and_day_offsets(app, client, research):
    researcher, first, _, study, _ = research
    members = unzip(download(client, researcher, study["id"]).data)
    pseudonym, weeks = mapping(app, study["id"])[first.id]
    events = [r for r in csv_rows(members, "events") if r["pseudonym"] == pseudonym]
    friday = MONDAY + timedelta(days=4, weeks=weeks)
    bed = [r for r in events if r["date"] == friday and r["activity"] == "to_bed"]
    assert bed == [
        {
            "pseudonym": pseudonym,
            "date": friday,
            "activity": "to_bed",
            "minutes": 1440 + 45,
            "clock_time": "00:45",
            "people": None,
            "day_offset": 1,
        }
    ]
    monday = [r for r in events if r["date"] == MONDAY + timedelta(weeks=weeks)]
    assert [(r["activity"], r["people"]) for r in monday] == [("out_of_bed", 2)]
    daily = [r for r in csv_rows(members, "daily") if r["pseudonym"] == pseudonym]
    first_row = next(r for r in daily if r["date"] == MONDAY + timedelta(weeks=weeks, days=1))
    assert first_row["out_of_bed"] == 7 * 60 + 10 and first_row["mood"] == 1
    assert first_row["to_bed"] == 23 * 60 + 15 and first_row["lunch"] is None
    weekly = [r for r in csv_rows(members, "weekly") if r["pseudonym"] == pseudonym]
    assert [r["week_start"] for r in weekly] == [
        MONDAY + timedelta(weeks=weeks + i) for i in range(3)
    ]
    assert weekly[1]["days_logged"] == 0 and weekly[1]["srm"] is None
    assert weekly[2]["srm"] == 7.0
    assert all(r["algorithm_version"] and json.loads(r["settings"]) for r in weekly)


def expected_events_csv(app, study_id: int) -> bytes:
    """events.csv as pyarrow's CSV writer lays out rows worked out here in Python, straight from
    the diary tables and the mapping table."""
    with app.extensions["cadence.engine"].connect() as connection:
        rows = connection.execute(
            sa.select(
                StudyParticipant.client_id,
                StudyParticipant.pseudonym,
                StudyParticipant.shift_weeks,
                DiaryEntry.day,
                EntryActivity.activity,
                EntryActivity.minutes,
                EntryActivity.people,
            )
            .join(DiaryEntry, DiaryEntry.client_id == StudyParticipant.client_id)
            .join(EntryActivity, EntryActivity.entry_id == DiaryEntry.id)
            .where(StudyParticipant.study_id == study_id, StudyParticipant.withdrawn_at.is_(None))
        ).all()
    rows.sort(key=lambda r: (r.pseudonym, r.day, r.minutes, r.activity))
    events = [
        {
            "pseudonym": r.pseudonym,
            "date": r.day + timedelta(weeks=r.shift_weeks),
            "activity": r.activity,
            "minutes": r.minutes,
            "clock_time": f"{r.minutes % 1440 // 60:02d}:{r.minutes % 60:02d}",
            "people": r.people,
            "day_offset": r.minutes // 1440,
        }
        for r in rows
    ]
    out = io.BytesIO()
    pa_csv.write_csv(
        pa.Table.from_pylist(events, schema=export.SCHEMAS["events"]),
        out,
        write_options=pa_csv.WriteOptions(quoting_style="needed"),
    )
    return out.getvalue()


def test_events_are_the_diary_rows_byte_for_byte_in_both_formats(app, client, research):
    researcher, first, second, study, _ = research
    # Two anchors at one minute, no `people`, a bedtime after midnight (00:30 is 1470).
    day = MONDAY + timedelta(weeks=1, days=2)
    response = client.put(
        f"/api/v1/entries/{day}",
        json={
            "timezone": "Europe/London",
            "mood": None,
            "activities": {
                "out_of_bed": {"time": "06:00", "people": 0},
                "morning_beverage": {"time": "06:15"},
                "breakfast": {"time": "06:15", "people": 3},
                "to_bed": {"time": "00:30"},
            },
        },
        headers=first.headers,
    )
    assert response.status_code in (200, 201), response.json
    engine = app.extensions["cadence.engine"]
    with engine.begin() as connection:
        # Dates shifted back as well as forward.
        for account, weeks in ((first, -3), (second, 5)):
            connection.execute(
                sa.update(StudyParticipant)
                .where(
                    StudyParticipant.study_id == study["id"],
                    StudyParticipant.client_id == account.id,
                )
                .values(shift_weeks=weeks)
            )
    csv_members = unzip(download(client, researcher, study["id"], "csv").data)
    parquet_members = unzip(download(client, researcher, study["id"], "parquet").data)
    assert csv_members["events.csv"] == expected_events_csv(app, study["id"])
    events = csv_rows(csv_members, "events")
    assert parquet_rows(parquet_members, "events") == events
    pseudonym = mapping(app, study["id"])[first.id][0]
    shifted = day - timedelta(weeks=3)
    assert [
        (r["activity"], r["minutes"], r["clock_time"], r["people"], r["day_offset"])
        for r in events
        if r["pseudonym"] == pseudonym and r["date"] == shifted
    ] == [
        ("out_of_bed", 360, "06:00", 0, 0),
        ("breakfast", 375, "06:15", 3, 0),
        ("morning_beverage", 375, "06:15", None, 0),
        ("to_bed", 1470, "00:30", None, 1),
    ]


@pytest.mark.postgresql_only
def test_event_dates_do_not_depend_on_the_servers_date_style(app, research, tmp_path):
    engine = app.extensions["cadence.engine"]
    assert engine.dialect.name == "postgresql"
    *_, study, _ = research
    with sa.orm.Session(engine) as session:
        study_row = session.get(Study, study["id"])
        session.expunge(study_row)
    german = sa.create_engine(engine.url, connect_args={"options": "-c datestyle=German"})
    try:
        with german.connect() as connection:
            assert connection.exec_driver_sql("SHOW datestyle").scalar() == "German, DMY"
        with app.app_context(), open(tmp_path / "export.zip", "wb") as out:
            export.write_package(german, study_row, out, ("csv",))
    finally:
        german.dispose()
    events = unzip((tmp_path / "export.zip").read_bytes())["events.csv"]
    assert events == expected_events_csv(app, study["id"])


def test_a_withdrawn_client_is_gone_from_the_next_export(app, client, research):
    researcher, first, second, study, _ = research
    gone = mapping(app, study["id"])[second.id][0]
    before = download(client, researcher, study["id"]).data
    assert gone.encode() in b"".join(unzip(before).values())
    url = f"/api/v1/studies/{study['id']}/consent"
    assert client.delete(url, headers=second.headers).status_code == 204
    members = unzip(download(client, researcher, study["id"]).data)
    assert gone.encode() not in b"".join(members.values())
    assert {r["pseudonym"] for r in csv_rows(members, "events")} == {
        mapping(app, study["id"])[first.id][0]
    }
    assert json.loads(members["datapackage.json"])["cadence"]["participants"] == 1


def test_package_validates_and_reads_back_the_same_rows(client, research, tmp_path):
    researcher, *_, study, _ = research
    csv_members = unzip(download(client, researcher, study["id"], "csv").data)
    parquet_members = unzip(download(client, researcher, study["id"], "parquet").data)
    meta = ["README.md", "datapackage.json"]
    assert sorted(csv_members) == sorted([*meta, *(f"{t}.csv" for t in export.TABLES)])
    assert sorted(parquet_members) == sorted([*meta, *(f"{t}.parquet" for t in export.TABLES)])
    for name, data in csv_members.items():
        (tmp_path / name).write_bytes(data)
    assert csv_members["README.md"] == parquet_members["README.md"]
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "note"])
    descriptor = json.loads(csv_members["datapackage.json"])
    assert "not HIPAA Safe Harbor" in descriptor["cadence"]["method"]
    assert "Expert Determination" in descriptor["cadence"]["deidentification"]["method"]
    parquet_descriptor = json.loads(parquet_members["datapackage.json"])
    assert list(frictionless.Package.metadata_validate(parquet_descriptor)) == []
    for table in export.TABLES:
        from_csv = csv_rows(csv_members, table)
        from_parquet = parquet_rows(parquet_members, table)
        assert len(from_csv) == len(from_parquet)
        for a, b in zip(from_csv, from_parquet, strict=True):
            assert a.keys() == b.keys()
            for key in a:
                if isinstance(b[key], float):
                    assert math.isclose(a[key], b[key], rel_tol=0, abs_tol=0), (table, key)
                else:
                    assert a[key] == b[key], (table, key)
    rows = descriptor["cadence"]["rows"]
    assert rows["events"] == len(csv_rows(csv_members, "events")) > 0


def test_an_empty_study_gives_an_empty_valid_package(client, accounts, tmp_path):
    researcher = accounts.staff("researcher")
    study = create(client, researcher)
    for fmt in ("csv", "parquet"):
        members = unzip(download(client, researcher, study["id"], fmt).data)
        assert json.loads(members["datapackage.json"])["cadence"]["participants"] == 0
        for table in export.TABLES:
            rows = csv_rows(members, table) if fmt == "csv" else parquet_rows(members, table)
            assert rows == []
        if fmt == "parquet":
            for table in export.TABLES:
                schema = pq.read_schema(io.BytesIO(members[f"{table}.parquet"]))
                assert schema.names == [f["name"] for f in export.FIELDS[table]]
            continue
        for name, data in members.items():
            (tmp_path / name).write_bytes(data)
        assert frictionless.validate(str(tmp_path / "datapackage.json")).valid


def test_bad_input(client, accounts, research):
    researcher, first, _, study, _ = research
    response = client.get(
        f"/api/v1/studies/{study['id']}/export?format=xlsx", headers=researcher.headers
    )
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["format"]
    other = accounts.staff("researcher")
    for study_id in (study["id"], 987654):
        response = client.get(f"/api/v1/studies/{study_id}/export", headers=other.headers)
        assert response.status_code == 404
    assert (
        client.get(f"/api/v1/studies/{study['id']}/export", headers=first.headers).status_code
        == 403
    )


def test_every_export_is_audited_with_the_files_sha256(app, client, research):
    researcher, *_, study, _ = research
    response = download(client, researcher, study["id"], "parquet")
    assert response.headers["Content-Type"] == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    digest = hashlib.sha256(response.data).hexdigest()
    assert response.headers["X-Content-SHA256"] == digest
    with app.extensions["cadence.engine"].connect() as connection:
        (event,) = connection.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "research:export")
        ).all()
    assert event.actor_id == researcher.id and event.outcome == "ok"
    detail = event.detail
    assert detail["sha256"] == digest and detail["study"] == study["id"]
    assert detail["format"] == "parquet" and detail["via"] == "api"
    assert detail["rows"]["events"] > 0 and set(detail["rows"]) == set(export.TABLES)


def test_cli_exports_both_formats_with_progress(app, client, runner, research, tmp_path):
    researcher, *_, study, _ = research
    out = tmp_path / "study.zip"
    args = ["export", "study", str(study["id"]), "--out", str(out), "--allow-small"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    members = unzip(out.read_bytes())
    assert sorted(members) == sorted(
        ["README.md", "datapackage.json"]
        + [f"{t}.{f}" for f in ("csv", "parquet") for t in export.TABLES]
    )
    names = [r["name"] for r in json.loads(members["datapackage.json"])["resources"]]
    assert len(names) == len(set(names)) == 2 * len(export.TABLES)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert digest in result.output
    with app.extensions["cadence.engine"].connect() as connection:
        (event,) = connection.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "research:export")
        ).all()
    assert event.actor_id is None and event.detail["via"] == "cli"
    assert event.detail["sha256"] == digest
    empty = create(client, researcher, name="Empty")
    only_csv = tmp_path / "empty.zip"
    result = runner.invoke(
        args=[
            *("export", "study", str(empty["id"]), "--out", str(only_csv)),
            *("--format", "csv", "--allow-small"),
        ]
    )
    assert result.exit_code == 0, result.output
    assert sorted(unzip(only_csv.read_bytes())) == sorted(
        ["README.md", "datapackage.json", *(f"{t}.csv" for t in export.TABLES)]
    )
    missing = runner.invoke(args=["export", "study", "987654", "--out", str(only_csv)])
    assert missing.exit_code != 0 and "No study" in missing.output


def _bulk_study(app, clients: int, weeks: int = 4) -> Study:
    engine = app.extensions["cadence.engine"]
    data = populate(engine, clients, weeks, seed=clients, label=f"stream{clients}")
    with engine.begin() as connection:
        owner = connection.execute(
            sa.text("SELECT id FROM users WHERE role = 'client' ORDER BY id LIMIT 1")
        ).scalar_one()
        study_id = connection.execute(
            sa.insert(Study).returning(Study.id),
            {
                "owner_id": owner,
                "name": f"bulk {clients}",
                "code": f"B{clients:04d}-AAAAA",
                "consent_version": "1",
                "consent_text": "x",
                # Every seeded day in scope: see FAR_OFF.
                "data_from": date(2000, 1, 3),
            },
        ).scalar_one()
        connection.execute(
            sa.insert(StudyParticipant),
            [
                {
                    "study_id": study_id,
                    "client_id": client_id,
                    "pseudonym": f"P{i:08d}",
                    "shift_weeks": 1 + i % 52,
                    "consent_version": "1",
                }
                for i, client_id in enumerate(data.client_ids)
            ],
        )
    with sa.orm.Session(engine, expire_on_commit=False) as session:
        study = session.get(Study, study_id)
        session.expunge(study)
    return study


@contextmanager
def recorded_statements(engine: sa.Engine) -> Iterator[list[str]]:
    """The statements the engine's connections run. On SQLite, SQLite's own trace callback, which
    also reports the statements run on the driver's cursor (the export reads its events and diary
    rows that way); on PostgreSQL, what goes through SQLAlchemy."""
    seen: list[str] = []

    def through_sqlalchemy(conn, cursor, statement, *args):
        seen.append(statement)

    def trace(dbapi_connection, *args):
        dbapi_connection.set_trace_callback(seen.append)

    def untrace(dbapi_connection, *args):
        dbapi_connection.set_trace_callback(None)

    listeners = (
        [("checkout", trace), ("checkin", untrace)]
        if engine.dialect.name == "sqlite"
        else [("before_cursor_execute", through_sqlalchemy)]
    )
    for name, listener in listeners:
        sa.event.listen(engine, name, listener)
    try:
        yield seen
    finally:
        for name, listener in listeners:
            sa.event.remove(engine, name, listener)


# A "today" so late that the cuts at the end of each window leave every seeded day in.
FAR_OFF = date(2100, 1, 4)


def test_the_export_streams_in_batches_with_flat_memory(app, monkeypatch, tmp_path):
    monkeypatch.setattr(queries, "BATCH_PARTICIPANTS", 10)
    monkeypatch.setattr(tables, "BATCH_VALUES", 5000)
    monkeypatch.setattr(stream, "YIELD_PER", 500)
    engine = app.extensions["cadence.engine"]
    peaks, statements = {}, {}
    for clients in (30, 300):
        study = _bulk_study(app, clients)
        with app.app_context(), recorded_statements(engine) as seen:
            participants, rows = export.write_package(engine, study, io.BytesIO(), today=FAR_OFF)
        assert participants == clients and rows["events"] > clients * 20 * 5
        statements[clients] = seen
        tracemalloc.start()
        try:
            # To a file, as the routes do: a BytesIO would itself grow with the study.
            with app.app_context(), open(tmp_path / f"{clients}.zip", "wb") as out:
                export.write_package(engine, study, out, ("csv",), today=FAR_OFF)
            peaks[clients] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    # A few queries per batch of participants, never one per participant.
    batches = {30: 3, 300: 30}
    per_batch = {n: sum("FROM targets" in s for s in seen) for n, seen in statements.items()}
    assert per_batch == batches
    if engine.dialect.name == "sqlite":
        # Two diary queries per batch: the events table, and the rows for days and weeks.
        diary = {n: sum("diary_entries" in s for s in seen) for n, seen in statements.items()}
        assert diary == {n: 2 * count for n, count in batches.items()}
    assert len(statements[300]) <= 10 * len(statements[30])
    # Ten times the rows, well under twice the peak (driver and statement caches warm up, the
    # rows do not accumulate: holding them would take tens of MB).
    assert peaks[300] < 2 * peaks[30], peaks
