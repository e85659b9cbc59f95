from api import db
from api.auth import current_user, login_required
from api.db import utcnow
from api.extensions import Blueprint
from api.resources.clinician.schemas import CaseloadSchema, PageQuerySchema
from api.services import caseload

blp = Blueprint("clinician", __name__, description="The clinician's caseload")


@blp.route("/clinician/caseload")
@login_required("clinician")
@blp.arguments(PageQuerySchema, location="query", as_kwargs=True)
@blp.response(200, CaseloadSchema)
def caseload_page(page: int, page_size: int):
    """Linked clients by risk: open high flags, then SRM drop, then missing entries"""
    return caseload.caseload(db.session(), current_user(), utcnow().date(), page, page_size)
