"""The researcher's view of who takes part: data coverage and consent versions; a participant
reads the current consent text and consents again.

Routes of the studies blueprint, registered by api/resources/__init__.py importing this module.
"""

from flask.views import MethodView

from api import db
from api.auth import current_user, login_required
from api.db import utcnow
from api.resources.studies.participation_schemas import (
    ConsentVersionInSchema,
    ConsentVersionListSchema,
    CoverageQuerySchema,
    CoverageSchema,
    MyConsentSchema,
    ReconsentSchema,
)
from api.resources.studies.routes import blp
from api.services import access, consent_versions, study_coverage


@blp.route("/studies/<id:study_id>/coverage", methods=["GET"])
@login_required("researcher")
@blp.arguments(CoverageQuerySchema, location="query")
@blp.response(200, CoverageSchema)
def coverage(query: dict, study_id: int):
    """Data coverage of my study per participant (coverage labels, no dates) and in total"""
    session = db.session()
    study = access.own_study(session, current_user(), study_id)
    return study_coverage.coverage(
        session, current_user(), study, utcnow(), query["page"], query["page_size"]
    )


@blp.route("/studies/<id:study_id>/consent/versions", methods=["GET"])
@login_required("researcher")
@blp.response(200, ConsentVersionListSchema)
def consent_versions_list(study_id: int):
    """Every consent text of my study, newest first, with the participants on each"""
    session = db.session()
    study = access.own_study(session, current_user(), study_id)
    return {"versions": consent_versions.versions(session, study)}


@blp.route("/studies/<id:study_id>/consent", methods=["POST"])
@login_required("researcher")
@blp.arguments(ConsentVersionInSchema)
@blp.response(201, ConsentVersionListSchema)
@blp.alt_response(409, description="This version name was published already")
def publish_consent(data: dict, study_id: int):
    """Publish a new consent text for my study; participants are asked to consent again"""
    session = db.session()
    study = access.own_study(session, current_user(), study_id)
    published = consent_versions.publish(
        session, current_user(), study, data["version"], data["text"]
    )
    return {"versions": published}


@blp.route("/studies/<id:study_id>/consent", methods=["GET", "PUT"])
class MyConsent(MethodView):
    @login_required("client")
    @blp.response(200, MyConsentSchema)
    def get(self, study_id: int):
        """Read the current consent text of a study I take part in (clients)"""
        return consent_versions.mine(db.session(), current_user(), study_id)

    @login_required("client")
    @blp.arguments(ReconsentSchema)
    @blp.response(200, MyConsentSchema)
    def put(self, data: dict, study_id: int):
        """Consent to the study's new consent text (clients)"""
        return consent_versions.consent_again(
            db.session(), current_user(), study_id, data["consent_version"]
        )
