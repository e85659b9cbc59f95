import os
import tempfile

from flask import send_file
from flask.views import MethodView

from api import db
from api.auth import current_user, login_required
from api.extensions import Blueprint
from api.resources.studies.schemas import (
    CodeQuerySchema,
    ConsentPreviewSchema,
    ExportQuerySchema,
    JoinedListSchema,
    JoinedSchema,
    JoinSchema,
    StudyInSchema,
    StudyListSchema,
    StudySchema,
)
from api.services import access, export, research
from api.services.scoring import srm_settings

blp = Blueprint("studies", __name__, description="Research studies, consent and exports")


@blp.route("/studies")
class Studies(MethodView):
    @login_required("researcher")
    @blp.response(200, StudyListSchema)
    def get(self):
        """List my studies with their participant counts (researchers)"""
        session = db.session()
        return {
            "studies": research.with_counts(session, research.studies_of(session, current_user()))
        }

    @login_required("researcher")
    @blp.arguments(StudyInSchema)
    @blp.response(201, StudySchema)
    def post(self, data: dict):
        """Create a study with its consent text (researchers)"""
        session = db.session()
        return research.with_counts(
            session, [research.create_study(session, current_user(), data)]
        )[0]


@blp.route("/studies/<id:study_id>", methods=["GET"])
@login_required("researcher")
@blp.response(200, StudySchema)
def study(study_id: int):
    """Read one of my studies (researchers)"""
    session = db.session()
    return research.with_counts(session, [access.own_study(session, current_user(), study_id)])[0]


@blp.route("/studies/join")
class Join(MethodView):
    @login_required("client")
    @blp.arguments(CodeQuerySchema, location="query")
    @blp.response(200, ConsentPreviewSchema)
    def get(self, query: dict):
        """Read a study's consent text before joining it (clients)"""
        return {"study": research.by_code(db.session(), current_user(), query["code"])}

    @login_required("client")
    @blp.arguments(JoinSchema)
    @blp.response(201, JoinedSchema)
    @blp.alt_response(409, description="Already taking part in this study")
    @blp.alt_response(403, description="The email address is not verified yet")
    def post(self, data: dict):
        """Join a study with its code, consenting to its current consent text (clients)"""
        participant = research.join(
            db.session(), current_user(), data["code"], data["consent_version"]
        )
        return {"study": participant.study, "joined_at": participant.joined_at}


@blp.route("/studies/joined", methods=["GET"])
@login_required("client")
@blp.response(200, JoinedListSchema)
def joined():
    """List the studies I take part in (clients)"""
    return {"studies": research.joined(db.session(), current_user())}


@blp.route("/studies/<id:study_id>/consent", methods=["DELETE"])
@login_required("client")
@blp.response(204)
def withdraw(study_id: int):
    """Withdraw my consent: I am left out of every later export (clients)"""
    research.withdraw(db.session(), current_user(), study_id)


@blp.route("/studies/<id:study_id>/export", methods=["GET"])
@login_required("researcher")
@blp.arguments(ExportQuerySchema, location="query")
@blp.response(200, content_type="application/zip", description="The de-identified package")
@blp.alt_response(409, description="Fewer consenting participants than the minimum")
def export_study(query: dict, study_id: int):
    """Download a de-identified export of my study as a zip (researchers)"""
    session = db.session()
    study = access.own_study(session, current_user(), study_id)
    export.check_min_participants(
        session, study, allow_small=query["allow_small"], actor=current_user(), via="api"
    )
    session.rollback()  # hold no transaction open while the export reads
    fd, name = tempfile.mkstemp(prefix="cadence-export-", suffix=".zip")
    os.close(fd)
    try:
        summary = export.export(
            db.engine(),
            study,
            name,
            (query["format"],),
            actor=current_user(),
            via="api",
            settings=srm_settings(),
        )
        stream = open(name, "rb")  # noqa: SIM115 - closed by the response once sent
    finally:
        # The open handle keeps the data readable; the name goes at once (POSIX).
        os.unlink(name)
    response = send_file(
        stream,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"study-{study.id}-{query['format']}.zip",
        etag=False,
        max_age=0,
    )
    response.headers["X-Content-SHA256"] = summary.sha256
    response.headers["Cache-Control"] = "no-store"
    return response
