from api import db
from api.auth import current_user, login_required
from api.extensions import Blueprint
from api.resources.audit.schemas import AccessLogSchema, AuditPageSchema, AuditQuerySchema
from api.resources.clinician.schemas import PageQuerySchema
from api.services import audit

blp = Blueprint("audit", __name__, description="Who looked at what")


@blp.route("/me/access-log")
@login_required("client")
@blp.arguments(PageQuerySchema, location="query", as_kwargs=True)
@blp.response(200, AccessLogSchema)
def access_log(page: int, page_size: int):
    """Who else read or changed my data, newest first"""
    me = current_user()
    events, total = audit.events(
        db.session(), subject_id=me.id, exclude_actor=me.id, page=page, page_size=page_size
    )
    return {"events": events, "page": page, "page_size": page_size, "total": total}


@blp.route("/audit")
@login_required("admin")
@blp.arguments(AuditQuerySchema, location="query", as_kwargs=True)
@blp.response(200, AuditPageSchema)
def audit_trail(page: int, page_size: int, **filters):
    """The whole audit trail, newest first (admins)"""
    events, total = audit.events(db.session(), page=page, page_size=page_size, **filters)
    return {"events": events, "page": page, "page_size": page_size, "total": total}
