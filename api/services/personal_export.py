"""A person's own data as a zip (GDPR Art. 15 and 20): `GET /api/v1/me/export`.

Every part is one query, written twice (JSON and CSV) straight into the zip on disk in
batches, so memory stays bounded however long the diary. What each file holds is explained in
the README.txt inside the zip (README_TEXT below). Put on the audit trail with row counts.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa

from api.models import (
    AuditEvent,
    CareLink,
    DiaryEntry,
    EntryActivity,
    Flag,
    FlagSettingsOverride,
    Goal,
    GoalReview,
    InventoryPerson,
    LifeEvent,
    MailMessage,
    PushSubscription,
    QuestionnaireAnswer,
    QuestionnaireAssignment,
    QuestionnaireResponse,
    RelapsePlanVersion,
    Reminder,
    Study,
    StudyConsent,
    StudyParticipant,
    Target,
    Task,
    Token,
    User,
)
from api.services import audit

BATCH = 500
# Never exported: secrets that would let someone act as the person, and the research mapping.
SECRET_COLUMNS = frozenset({"password_hash", "token_hash", "p256dh", "auth", "code_hash"})


def _columns(table: sa.Table, *drop: str) -> list[sa.Column]:
    return [c for c in table.columns if c.name not in SECRET_COLUMNS | set(drop)]


@dataclass(frozen=True)
class Part:
    name: str
    about: str
    query: Callable[[User], sa.Select]


def _own(model, *drop: str, order=None):
    def query(user: User) -> sa.Select:
        table = model.__table__
        return (
            sa.select(*_columns(table, "client_id", *drop))
            .where(table.c.client_id == user.id)
            .order_by(*(order or table.primary_key.columns))
        )

    return query


def _profile(user: User) -> sa.Select:
    table = User.__table__
    return sa.select(*_columns(table, "deleted_at")).where(table.c.id == user.id)


def _activities(user: User) -> sa.Select:
    return (
        sa.select(DiaryEntry.day, *_columns(EntryActivity.__table__, "client_id"))
        .join(DiaryEntry, DiaryEntry.id == EntryActivity.entry_id)
        .where(EntryActivity.client_id == user.id)
        .order_by(DiaryEntry.day, EntryActivity.activity)
    )


def _care_links(user: User) -> sa.Select:
    return (
        sa.select(*_columns(CareLink.__table__))
        .where(sa.or_(CareLink.client_id == user.id, CareLink.clinician_id == user.id))
        .order_by(CareLink.id)
    )


def _studies(user: User) -> sa.Select:
    return (
        sa.select(
            StudyParticipant.study_id,
            Study.name.label("study_name"),
            StudyParticipant.consent_version,
            StudyParticipant.joined_at,
            StudyParticipant.withdrawn_at,
        )
        .join(Study, Study.id == StudyParticipant.study_id)
        .where(StudyParticipant.client_id == user.id)
        .order_by(StudyParticipant.id)
    )


def _consents(user: User) -> sa.Select:
    return (
        sa.select(StudyParticipant.study_id, *_columns(StudyConsent.__table__, "client_id"))
        .join(StudyParticipant, StudyParticipant.id == StudyConsent.participant_id)
        .where(StudyConsent.client_id == user.id)
        .order_by(StudyConsent.id)
    )


def _subscriptions(user: User) -> sa.Select:
    return (
        sa.select(PushSubscription.id, PushSubscription.endpoint, PushSubscription.created_at)
        .where(PushSubscription.user_id == user.id)
        .order_by(PushSubscription.id)
    )


def _sessions(user: User) -> sa.Select:
    table = Token.__table__
    return (
        sa.select(*_columns(table, "user_id"))
        .where(table.c.user_id == user.id)
        .order_by(table.c.id)
    )


def _access_log(user: User) -> sa.Select:
    return (
        sa.select(
            AuditEvent.at,
            AuditEvent.actor_id,
            AuditEvent.actor_role,
            AuditEvent.action,
            AuditEvent.resource,
            AuditEvent.outcome,
        )
        .where(
            AuditEvent.subject_id == user.id,
            sa.or_(AuditEvent.actor_id.is_(None), AuditEvent.actor_id != user.id),
        )
        .order_by(AuditEvent.id)
    )


def _account_events(user: User) -> sa.Select:
    return (
        sa.select(
            AuditEvent.at,
            AuditEvent.action,
            AuditEvent.subject_id,
            AuditEvent.resource,
            AuditEvent.outcome,
            AuditEvent.ip,
            AuditEvent.user_agent,
        )
        .where(AuditEvent.actor_id == user.id)
        .order_by(AuditEvent.id)
    )


def _mail(user: User) -> sa.Select:
    return (
        sa.select(
            MailMessage.created_at,
            MailMessage.subject,
            MailMessage.kind,
            MailMessage.status,
            MailMessage.sent_at,
        )
        .where(MailMessage.recipient == user.email)
        .order_by(MailMessage.id)
    )


PARTS = (
    Part(
        "profile",
        "Your account: email, role, name, time zone, anchors, reminder times, work weekdays "
        "(1 Monday .. 7 Sunday).",
        _profile,
    ),
    Part(
        "diary",
        "One row per diary day: mood (-5 very low .. 0 usual .. +5 very elated), note, the time "
        "zone you logged in, and work_day if you marked the day a work day (true) or not (false).",
        _own(DiaryEntry, order=[DiaryEntry.day]),
    ),
    Part(
        "diary_activities",
        "The anchors of each diary day: minutes after that day's midnight (a bedtime after "
        "midnight is over 1440) and how many people were there.",
        _activities,
    ),
    Part("targets", "Target times for your anchors, and who set them.", _own(Target)),
    Part("life_events", "Life events you recorded, with your notes.", _own(LifeEvent)),
    Part(
        "flags",
        "Flags raised on your diary, the evidence and settings used, and who acknowledged each "
        "(acknowledged_by is an account id) and when.",
        _own(Flag),
    ),
    Part("flag_settings", "Thresholds changed for you, and by whom.", _own(FlagSettingsOverride)),
    Part(
        "care_links",
        "Clinicians you shared your data with (ids), since when, until when, and the therapy "
        "course they recorded.",
        _care_links,
    ),
    Part(
        "study_participation",
        "Studies you joined, the consent version, when you joined and withdrew.",
        _studies,
    ),
    Part("study_consents", "Every consent you gave or withdrew, per study.", _consents),
    Part("reminders", "Reminders sent to you and what became of them.", _own(Reminder)),
    Part(
        "push_subscriptions",
        "Devices that receive your reminders (the push service's address only).",
        _subscriptions,
    ),
    Part(
        "sessions",
        "Your sign-in sessions: when made, last used, expiry, revocation, browser.",
        _sessions,
    ),
    Part(
        "access_log",
        "Everyone else who read or changed your data, or tried to: when, their account id and "
        "role, what they did.",
        _access_log,
    ),
    Part(
        "account_events",
        "What you did with your account (sign-ins and the like), with the IP address and "
        "browser until they are blanked after the retention period.",
        _account_events,
    ),
    Part("mail", "Mail we sent you: subject and when (never the body).", _mail),
    # IPT records (docs/api-ipt.md); updated_by, created_by and the like are account ids.
    Part(
        "ipt_inventory",
        "Your interpersonal inventory: the people in it, how close and how often in touch, "
        "what is satisfying and unsatisfying, what you would change.",
        _own(InventoryPerson),
    ),
    Part("ipt_goals", "Goals agreed for your problem areas, and their status.", _own(Goal)),
    Part(
        "ipt_goal_reviews",
        "Reviews of those goals: session date, progress (0 none .. 4 achieved), note.",
        _own(GoalReview),
    ),
    Part("ipt_tasks", "Between-session tasks, and your answers.", _own(Task)),
    Part(
        "relapse_plan_versions",
        "Every saved version of your relapse-prevention plan.",
        _own(RelapsePlanVersion, order=[RelapsePlanVersion.version]),
    ),
    # Validated scales (docs/api-scales.md).
    Part(
        "questionnaire_responses",
        "Questionnaires you answered (phq9, gad7, asrm, qids_sr16): the day, the version of the "
        "questionnaire, the total and its band, and whether unanswered items were prorated.",
        _own(QuestionnaireResponse, order=[QuestionnaireResponse.id]),
    ),
    Part(
        "questionnaire_answers",
        "Your answer to each item of those questionnaires (response_id names the row above; an "
        "empty value is an item left unanswered).",
        _own(QuestionnaireAnswer),
    ),
    Part(
        "questionnaire_assignments",
        "Questionnaires your clinician asked you to answer, every how many days, from when.",
        _own(QuestionnaireAssignment),
    ),
)

README_TEXT = """Your data from Cadence
======================

Everything Cadence holds about you, as of {made}. Each part comes twice: NAME.json (a list of
objects) and NAME.csv (one row per object; lists and objects inside a cell are JSON). Times
are UTC (ISO 8601). Ids name rows and accounts (your own account id is {user_id}).

{parts}

Not included, and why
---------------------
- Your password, session tokens, authenticator secret and recovery codes: only one-way hashes
  are kept, and they would let someone act as you.
- Your research pseudonym and date shift in each study: this mapping is what keeps the
  study's exports de-identified; handing it out would tie those exports back to you. Your
  membership and consents are included above.
- Scores (SRM, ALI, sleep figures, flags' evidence aside) are not stored: they are computed
  from your diary whenever they are asked for, so your diary is the whole of them.

Free text (notes) is exactly as you typed it; a spreadsheet may read a note that starts with
=, + or - as a formula, so open the CSV files as text.
"""


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value, default=_plain)
    return value


def _rows(connection: sa.Connection, query: sa.Select):
    result = connection.execution_options(yield_per=BATCH).execute(query)
    keys = list(result.keys())
    return keys, (dict(zip(keys, row, strict=True)) for row in result)


def _write_json(archive: zipfile.ZipFile, connection, name: str, query) -> int:
    count = 0
    with archive.open(f"{name}.json", "w") as raw, io.TextIOWrapper(raw, "utf-8") as out:
        out.write("[")
        for row in _rows(connection, query)[1]:
            out.write(",\n " if count else "\n ")
            out.write(json.dumps(row, default=_plain, ensure_ascii=False))
            count += 1
        out.write("\n]\n" if count else "]\n")
    return count


def _write_csv(archive: zipfile.ZipFile, connection, name: str, query) -> None:
    with archive.open(f"{name}.csv", "w") as raw:
        out = io.TextIOWrapper(raw, "utf-8", newline="")
        keys, rows = _rows(connection, query)
        writer = csv.writer(out)
        writer.writerow(keys)
        for row in rows:
            writer.writerow([_cell(row[k]) for k in keys])
        out.flush()
        out.detach()


def write(engine: sa.Engine, user: User, path: Path, now: datetime) -> dict[str, int]:
    """Write `user`'s zip to `path` (an open, private file's name); rows per part."""
    counts: dict[str, int] = {}
    with (
        engine.connect() as connection,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        if engine.dialect.name == "postgresql":
            # One snapshot for every part (SQLite's one read transaction is one already).
            connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            for part in PARTS:
                query = part.query(user)
                counts[part.name] = _write_json(archive, connection, part.name, query)
                _write_csv(archive, connection, part.name, query)
        parts = "\n".join(f"- {p.name}.json / {p.name}.csv: {p.about}" for p in PARTS)
        archive.writestr(
            "README.txt", README_TEXT.format(made=now.isoformat(), user_id=user.id, parts=parts)
        )
    audit.record("account:export", "ok", actor=user, subject_id=user.id, detail={"rows": counts})
    return counts
