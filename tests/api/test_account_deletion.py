"""A client erases their account: their data goes from every table, the audit trail keeps
every row (ids resolving to a tombstone), studies record a withdrawal, the clinician is told."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from api import db, jobs
from api.db import Base
from api.models import AuditEvent, DiaryEntry, JobRun, StudyConsent, StudyParticipant, User
from api.services import erasure, export
from tests.api.personal_data import full_person
from tests.conftest import PASSWORD

ME = "/api/v1/me"


@pytest.fixture
def two_people(app, client, accounts):
    clinician = accounts.staff("clinician")
    researcher = accounts.staff("researcher")
    leaving = full_person(app, client, accounts, clinician, researcher, "LEAVING")
    staying = full_person(app, client, accounts, clinician, researcher, "STAYING")
    return clinician, leaving, staying


def _rows_naming(app, user_id: int) -> dict[str, int]:
    """Rows per table whose columns referring to users name `user_id`, beside the kept ones."""
    counts = {}
    with app.app_context():
        session = db.session()
        users = Base.metadata.tables["users"]
        for table in Base.metadata.sorted_tables:
            columns = [fk.parent for fk in table.foreign_keys if fk.column.table is users]
            if not columns or table.name in erasure.KEPT:
                continue
            counts[table.name] = session.scalar(
                sa.select(sa.func.count())
                .select_from(table)
                .where(sa.or_(*(c == user_id for c in columns)))
            )
    return counts


def _trail(app) -> list[tuple]:
    with app.app_context():
        table = AuditEvent.__table__
        return [tuple(r) for r in db.session().execute(sa.select(table).order_by(table.c.id))]


def test_a_deleted_client_leaves_no_row_and_an_intact_trail(app, client, two_people):
    clinician, leaving, staying = two_people
    person = leaving.account
    before = _rows_naming(app, person.id)
    assert all(before[t] > 0 for t in ("diary_entries", "entry_activities", "flags", "targets"))
    assert all(before[t] > 0 for t in ("life_events", "care_links", "tokens", "reminders"))
    assert before["push_subscriptions"] > 0 and before["flag_settings"] > 0
    staying_before = _rows_naming(app, staying.account.id)
    trail_before = _trail(app)

    deleted = client.delete(ME, json={"password": PASSWORD}, headers=person.headers)

    assert deleted.status_code == 204, deleted.json
    assert set(_rows_naming(app, person.id).values()) == {0}
    assert _rows_naming(app, staying.account.id) == staying_before
    with app.app_context():
        session = db.session()
        mail_left = session.scalar(
            sa.text("SELECT count(*) FROM mail_outbox WHERE recipient = :to"), {"to": person.email}
        )
        tombstone = session.get(User, person.id)
    assert mail_left == 0
    # Every earlier audit row is still there, unchanged; its ids resolve to the tombstone.
    trail_after = _trail(app)
    assert trail_after[: len(trail_before)] == trail_before
    assert tombstone is not None and tombstone.deleted_at is not None
    assert tombstone.email == erasure.tombstone_email(person.id)
    assert tombstone.password_hash == "" and tombstone.display_name is None
    with app.app_context():
        named = (
            db.session()
            .scalars(sa.select(AuditEvent.actor_id).where(AuditEvent.actor_id == person.id))
            .all()
        )
        assert named and all(db.session().get(User, i) is not None for i in named)
        erased = db.session().scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "account:delete")
        )
    assert erased.outcome == "ok" and erased.detail["rows"]["diary_entries"] == 14
    # Gone for good: the token, the sign-in, the note anywhere in the database's text.
    assert client.get(ME, headers=person.headers).status_code == 401
    again = client.post("/api/v1/auth/token", json={"email": person.email, "password": PASSWORD})
    assert again.status_code == 401


def test_studies_record_a_withdrawal_and_later_exports_leave_the_person_out(
    app, client, two_people
):
    _, leaving, _ = two_people
    person = leaving.account

    client.delete(ME, json={"password": PASSWORD}, headers=person.headers)

    with app.app_context():
        session = db.session()
        participant = session.scalar(
            sa.select(StudyParticipant).where(StudyParticipant.client_id == person.id)
        )
        consents = session.scalars(
            sa.select(StudyConsent).where(StudyConsent.client_id == person.id)
        ).all()
        # The mapping stays (past exports stay consistent), withdrawn; no one consents now.
        assert participant is not None and participant.withdrawn_at is not None
        assert consents and all(c.withdrawn_at is not None for c in consents)
        assert export.consenting(db.engine(), leaving.study_id) == 0
        withdrawals = session.scalars(
            sa.select(AuditEvent).where(
                AuditEvent.action == "research:withdraw", AuditEvent.subject_id == person.id
            )
        ).all()
    assert [w.detail for w in withdrawals] == [
        {"study": leaving.study_id, "reason": "account deleted"}
    ]


def test_the_linked_clinician_sees_account_deleted(app, client, two_people):
    clinician, leaving, staying = two_people

    client.delete(ME, json={"password": PASSWORD}, headers=leaving.account.headers)

    caseload = client.get("/api/v1/clinician/caseload", headers=clinician.headers).json
    assert [row["client"]["id"] for row in caseload["clients"]] == [staying.account.id]
    (gone,) = caseload["deleted_accounts"]
    assert gone["client_id"] == leaving.account.id and gone["status"] == "account deleted"
    links = client.get("/api/v1/care/links", headers=clinician.headers).json
    assert [link["client"]["id"] for link in links["links"]] == [staying.account.id]
    assert links["deleted_accounts"] == caseload["deleted_accounts"]
    mine = client.get("/api/v1/care/links", headers=staying.account.headers).json
    assert "deleted_accounts" not in mine
    reading = client.get(f"/api/v1/clients/{leaving.account.id}/entries", headers=clinician.headers)
    assert reading.status_code == 404


def test_a_wrong_password_or_missing_code_deletes_nothing(app, client, accounts, two_people):
    _, leaving, _ = two_people
    person = leaving.account
    before = _rows_naming(app, person.id)

    wrong = client.delete(ME, json={"password": "not my password"}, headers=person.headers)
    missing = client.delete(ME, json={}, headers=person.headers)

    assert wrong.status_code == 422 and "password" in wrong.json["errors"]
    assert missing.status_code == 422 and "password" in missing.json["errors"]
    assert _rows_naming(app, person.id) == before
    assert client.get(ME, headers=person.headers).status_code == 200


def test_staff_accounts_are_deactivated_by_an_admin_not_erased(app, client, accounts):
    clinician = accounts.staff("clinician")

    refused = client.delete(ME, json={"password": PASSWORD}, headers=clinician.headers)

    assert refused.status_code == 403
    assert client.get(ME, headers=clinician.headers).status_code == 200


def test_the_daily_cleanup_erases_a_write_that_landed_after_the_erasure(app, client, accounts):
    """A request already past its token check may commit just after the erasure."""
    person = accounts.client_account()
    client.delete(ME, json={"password": PASSWORD}, headers=person.headers)
    with app.app_context():
        session = db.session()
        session.add(DiaryEntry(client_id=person.id, day=date(2026, 10, 5), timezone="UTC"))
        session.commit()
        assert jobs.cleanup(session, datetime.now(UTC)) is True
        left = session.scalar(
            sa.select(sa.func.count())
            .select_from(DiaryEntry)
            .where(DiaryEntry.client_id == person.id)
        )
        detail = session.scalar(sa.select(JobRun.detail).where(JobRun.job == "cleanup"))
    assert left == 0 and detail["erased_late_rows"] == 1
