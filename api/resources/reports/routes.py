from flask import Response

from api import db
from api.auth import current_user, login_required
from api.db import utcnow
from api.extensions import Blueprint
from api.models import User
from api.resources.reports.schemas import ReportQuerySchema, SessionReportSchema
from api.resources.subject import clients_route, requires, today_for
from api.services import session_report

blp = Blueprint("reports", __name__, description="The one-page session report")

PDF_CONTENT = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}


@clients_route(blp, "/report")
@login_required()
@requires("report:read")
@blp.arguments(ReportQuerySchema, location="query", as_kwargs=True)
@blp.response(
    200,
    SessionReportSchema,
    description="application/pdf, or the same content as JSON with format=json",
)
@blp.doc(responses={200: {"content": PDF_CONTENT}})
def session_report_page(client: User, weeks: int, format: str, paper: str):
    """A client's one-page session report (their linked clinician)

    SRM and SRM-5 by week, sleep and mood, the grid of the last complete week with its
    targets, open and recent flags with their evidence, life events and the therapy course,
    over the last 4 or 12 complete weeks. A PDF by default (A4, or `paper=letter`; 4 weeks
    always fit one page), or the same content as JSON with `format=json`.
    """
    content = session_report.build(
        db.session(), client, current_user(), today_for(client), weeks, utcnow()
    )
    if format == "json":
        return content
    # Imported on first use: fpdf2 and its fonts cost every process ~45 MB.
    from api.services import report_pdf

    pdf = report_pdf.render(content, paper)
    name = f"session-report-{client.id}-{content['today']:%Y-%m-%d}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )
