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
    """Linked clients, riskiest first

    The order: more open high flags first; then more open medium flags; then clients whose
    last entry is more than 3 days old (`stale_after_days`), the longest silence first; then
    the SRM: a client with a baseline by their SRM change (the largest drop first, rises
    last), a new client without a baseline by their latest SRM against their own
    `srm_unstable_below` threshold (a new client at 2.5 ranks like a drop of 1.0 by default),
    clients with no SRM to compare after both (a week counts with `week_min_days`, 5, logged
    days); then more open low flags. `ranking` says it in words and each row's `risk` says why
    it sits where it does. Scores are rounded to one decimal; `change_beyond_threshold`
    compares the change with the client's own `srm_drop` setting.
    """
    now = utcnow()
    return caseload.caseload(db.session(), current_user(), now.date(), page, page_size, now=now)
