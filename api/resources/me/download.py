"""The personal export as a download: built in a private temporary file, then streamed."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flask import send_file

from api import db
from api.db import utcnow
from api.models import User
from api.services import access, personal_export


def personal_export_response(user: User):
    access.own_account(user, "account:export")
    db.session().rollback()  # hold no transaction open while the export reads
    now = utcnow()
    fd, name = tempfile.mkstemp(prefix="cadence-mine-", suffix=".zip")  # 0600
    os.close(fd)
    try:
        personal_export.write(db.engine(), user, Path(name), now)
        stream = open(name, "rb")  # noqa: SIM115 - closed by the response once sent
    finally:
        os.unlink(name)  # the open handle keeps the data readable; the name goes at once
    response = send_file(
        stream,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"cadence-my-data-{now:%Y-%m-%d}.zip",
        etag=False,
        max_age=0,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
