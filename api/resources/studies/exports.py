"""Study exports as background jobs (researchers): queue, poll, download until it expires.

Routes of the studies blueprint, registered by api/resources/__init__.py importing this module.
The worker that writes the zips is the scheduler process (api/services/export_jobs.py).
"""

from flask import send_file
from flask.views import MethodView

from api import API_PREFIX, db
from api.auth import current_user, login_required
from api.db import utcnow
from api.resources.studies.export_schemas import (
    ExportJobInSchema,
    ExportJobListSchema,
    ExportJobSchema,
)
from api.resources.studies.routes import blp
from api.services import access, export_jobs


@blp.route("/studies/<id:study_id>/exports")
class Exports(MethodView):
    @login_required("researcher")
    @blp.response(200, ExportJobListSchema)
    def get(self, study_id: int):
        """List the exports of my study, newest first (researchers)"""
        session = db.session()
        study = access.own_study(session, current_user(), study_id)
        return {"exports": export_jobs.jobs_of(session, study)}

    @login_required("researcher")
    @blp.arguments(ExportJobInSchema)
    @blp.response(202, ExportJobSchema)
    @blp.alt_response(409, description="Too many exports of this study waiting already")
    @blp.alt_response(422, description="Too few consenting participants (see allow_small)")
    def post(self, data: dict, study_id: int):
        """Start a de-identified export of my study; poll the job it returns (researchers)"""
        session = db.session()
        study = access.own_study(session, current_user(), study_id)
        job = export_jobs.create(
            session, current_user(), study, data["format"], data["allow_small"]
        )
        location = f"{API_PREFIX}/studies/{study.id}/exports/{job.id}"
        return job, {"Location": location}


@blp.route("/studies/<id:study_id>/exports/<id:job_id>", methods=["GET"])
@login_required("researcher")
@blp.response(200, ExportJobSchema)
def export_job(study_id: int, job_id: int):
    """Read one export of my study: its status and rows written so far (researchers)"""
    session = db.session()
    study = access.own_study(session, current_user(), study_id)
    return export_jobs.job_of(session, study, job_id)


@blp.route("/studies/<id:study_id>/exports/<id:job_id>/download", methods=["GET"])
@login_required("researcher")
@blp.response(200, content_type="application/zip", description="The de-identified package")
@blp.alt_response(409, description="Not done yet, or failed")
@blp.alt_response(410, description="Expired: the file was deleted")
def download_export(study_id: int, job_id: int):
    """Download a finished export of my study (researchers; on the audit trail)"""
    session = db.session()
    study = access.own_study(session, current_user(), study_id)
    job, stream = export_jobs.open_download(session, current_user(), study, job_id, utcnow())
    response = send_file(
        stream,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"study-{study.id}-export-{job.id}-{job.format}.zip",
        etag=False,
        max_age=0,
    )
    response.headers["X-Content-SHA256"] = job.sha256 or ""
    response.headers["Cache-Control"] = "no-store"
    return response
