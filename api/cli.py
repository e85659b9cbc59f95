"""Flask commands: database migrations and backups, serving, demo data, research exports.

Account commands (`flask users ...`) live in api/cli_users.py."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from alembic import command
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from flask import Flask, current_app
from flask.cli import AppGroup

from api import backup, db, files, migrate, serve
from api.cli_fhir import export_fhir
from api.cli_users import show_enrolment, users_cli
from api.db import utcnow
from api.models import Study
from api.services import accounts, demo, export, two_factor
from api.services.errors import ServiceError
from api.services.scoring import srm_settings

db_cli = AppGroup("db", help="Database schema migrations.")
demo_cli = AppGroup("demo", help="Demo data.")
export_cli = AppGroup("export", help="De-identified research exports; FHIR records.")
export_cli.add_command(export_fhir)  # api/cli_fhir.py
push_cli = AppGroup("push", help="Web Push.")


def _url() -> str:
    return current_app.config["CADENCE"].database_url


@db_cli.command("upgrade")
@click.argument("revision", default="heads")
def db_upgrade(revision):
    """Migrate the database up to REVISION (default: every head)."""
    migrate.upgrade(_url(), revision)


@db_cli.command("downgrade")
@click.argument("revision", default="-1")
@click.option(
    "--yes-destroy-data",
    "destroy_data",
    is_flag=True,
    help="Allow undoing migrations whose tables hold the audit trail or research pseudonyms.",
)
def db_downgrade(revision, destroy_data):
    """Migrate the database down to REVISION (default: one step)."""
    try:
        migrate.downgrade(_url(), revision, destroy_data=destroy_data)
    except (migrate.DataLossRefused, RevisionError, CommandError) as error:
        raise click.ClickException(str(error)) from None


@db_cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace an existing file at PATH.")
def db_backup(path, force):
    """Copy the running SQLite database to PATH (owner-only; PostgreSQL: use pg_dump)."""
    try:
        pages = backup.backup(_url(), path, force=force)
    except (backup.BackupNotSupported, files.UnsafePath) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up {pages} pages to {path}.")


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--autogenerate/--empty", default=True)
def db_revision(message, autogenerate):
    """Write a new migration, compared against the models by default."""
    command.revision(migrate.alembic_config(_url()), message=message, autogenerate=autogenerate)


@demo_cli.command("seed")
def demo_seed():
    """Create a demo clinician and three linked clients with eight weeks of diaries."""
    session = db.session()
    if demo.has_real_accounts(session):
        raise click.ClickException(
            "This database holds real accounts; the demo seeds only an empty database."
        )
    try:
        sign_ins = demo.seed(session, utcnow())
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    click.echo("Demo accounts (sign in at the PWA or POST /api/v1/auth/token):")
    for role, email, password in sign_ins:
        click.echo(f"  {role:<10} {email:<36} {password}")
    # Staff sign in with a code as well: the clinician's authenticator, as `users create` gives.
    clinician = accounts.find_by_email(session, sign_ins[0][1])
    show_enrolment(*two_factor.enrol(session, clinician, via="demo"))


@export_cli.command("study")
@click.argument("study_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="Zip file.")
@click.option("--force", is_flag=True, help="Replace an existing file at --out.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("csv", "parquet", "both")),
    default="both",
    show_default=True,
    help="Which table files the zip holds; datapackage.json always.",
)
@click.option(
    "--allow-small",
    is_flag=True,
    help="Export even with fewer consenting participants than CADENCE_EXPORT_MIN_PARTICIPANTS "
    "(recorded on the audit trail).",
)
def export_study(study_id, out, fmt, force, allow_small):
    """Write a de-identified export of study STUDY_ID to a zip (logged on the audit trail)."""
    study = db.session().get(Study, study_id)
    if study is None:
        raise click.ClickException(f"No study {study_id}.")
    try:
        export.check_min_participants(
            db.session(), study, allow_small=allow_small, actor=None, via="cli"
        )
    except ServiceError as error:
        raise click.ClickException(
            error.message.replace("ask again with allow_small=true", "pass --allow-small")
        ) from None
    try:
        os.close(files.create_private(Path(out), force=force))
    except files.UnsafePath as error:
        raise click.ClickException(str(error)) from None
    db.session().rollback()
    formats = export.FORMATS if fmt == "both" else (fmt,)
    total = export.consenting(db.engine(), study.id)
    with click.progressbar(length=total, label="Participants", show_pos=True) as bar:
        summary = export.export(
            db.engine(),
            study,
            Path(out),
            formats,
            actor=None,
            via="cli",
            settings=srm_settings(),
            participants_done=bar.update,
        )
    counts = ", ".join(f"{name} {count}" for name, count in summary.rows.items())
    click.echo(f"Wrote {out}: {summary.participants} participants; rows: {counts}.")
    click.echo(f"SHA-256 {summary.sha256}")


@push_cli.command("keys")
def push_keys():
    """Print a new VAPID key pair as CADENCE_* settings (unset, a key file in instance/ is used)."""
    from api.services import push

    private, public = push.generate_pair()
    click.echo(f"CADENCE_VAPID_PRIVATE_KEY={private}")
    click.echo(f"CADENCE_VAPID_PUBLIC_KEY={public}")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--graceful-timeout",
    default=30,
    show_default=True,
    type=click.IntRange(1, 3600),
    help="Seconds gunicorn gives requests in flight after SIGTERM.",
)
def serve_command(host, port, workers, graceful_timeout):
    """Run gunicorn and the scheduler in the foreground; SIGTERM stops both gracefully."""
    code = serve.run(host, port, workers, graceful_timeout, say=lambda m: click.echo(m, err=True))
    sys.exit(code)


def init_app(app: Flask) -> None:
    app.cli.add_command(serve_command)
    app.cli.add_command(db_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(export_cli)
    app.cli.add_command(push_cli)
    from api import jobs

    jobs.init_app(app)
