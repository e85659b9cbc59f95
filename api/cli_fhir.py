"""`flask --app wsgi export fhir CLIENT_ID --out PATH`: a client's record as a FHIR R4 Bundle,
for the operator to hand to a record system (docs/fhir.md). Registered on the `export` group
in api/cli.py."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from api import db, files
from api.db import utcnow
from api.fields import parse_iso_day
from api.models import User
from api.rhythm.clock import local_today
from api.services import audit
from api.services.diary import default_range
from api.services.errors import ServiceError
from api.services.fhir import bundle
from api.services.scoring import srm_settings


def _day(ctx, param, value):
    if value is None:
        return None
    try:
        return parse_iso_day(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@click.command("fhir")
@click.argument("client_id", type=int)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--from", "from_", callback=_day, help="First diary day (default: to − 83).")
@click.option("--to", callback=_day, help="Last diary day, inclusive (default: today).")
@click.option("--force", is_flag=True, help="Replace an existing file at --out.")
@with_appcontext
def export_fhir(client_id, out, from_, to, force):
    """Write client CLIENT_ID's record as a FHIR R4 Bundle (JSON) to a new owner-only file
    (logged on the audit trail)."""
    session = db.session()
    client = session.get(User, client_id)
    if client is None or client.role != "client" or client.deleted_at is not None:
        raise click.ClickException(f"No client {client_id}.")
    config = current_app.config["CADENCE"]
    now = utcnow()
    today = local_today(client.timezone, now)
    try:
        start, end = default_range(from_, to, today, config.max_range_days, bundle.DEFAULT_DAYS)
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    export = bundle.build(
        session,
        client,
        None,
        start,
        end,
        today=today,
        now=now,
        base_url=config.public_url,
        settings=srm_settings(),
    )
    try:
        fd = files.create_private(out, force=force)
    except files.UnsafePath as error:
        raise click.ClickException(str(error)) from None
    with os.fdopen(fd, "w", encoding="utf-8") as stream:
        stream.write(export.json)
    audit.record(
        "fhir:export",
        "ok",
        subject_id=client.id,
        resource="cli export fhir",
        detail={"via": "cli", "from": start.isoformat(), "to": end.isoformat(), **export.counts},
    )
    counts = ", ".join(f"{kind} {count}" for kind, count in export.counts.items())
    click.echo(f"Wrote {out}: diary days {start} to {end}; {counts}.")
