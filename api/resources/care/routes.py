from flask.views import MethodView

from api import db
from api.auth import current_user, login_required
from api.extensions import Blueprint
from api.resources.care.schemas import (
    CourseSchema,
    InvitationSchema,
    LinkListSchema,
    LinkSchema,
    RedeemSchema,
)
from api.resources.subject import client_for, client_route
from api.services import care

blp = Blueprint("care", __name__, description="Sharing with clinicians, by the client's consent")


@blp.route("/care/invitations", methods=["POST"])
@login_required("clinician")
@blp.response(201, InvitationSchema)
def invite():
    """Create a single-use invitation code for a client (clinicians)"""
    code, invitation = care.invite(db.session(), current_user())
    return {"code": code, "expires_at": invitation.expires_at}


@blp.route("/care/links")
class Links(MethodView):
    @login_required("client", "clinician")
    @blp.response(200, LinkListSchema)
    def get(self):
        """List my active care links"""
        session, user = db.session(), current_user()
        links = {"links": care.links_of(session, user)}
        if user.role == "clinician":
            links["deleted_accounts"] = care.deleted_accounts(session, user)
        return links

    @login_required("client")
    @blp.arguments(RedeemSchema)
    @blp.response(201, LinkSchema)
    @blp.alt_response(409, description="Already sharing with this clinician")
    @blp.alt_response(403, description="The email address is not verified yet")
    def post(self, data):
        """Share my data with the clinician who gave me this code (clients)"""
        return care.redeem(db.session(), current_user(), data["code"])


@blp.route("/care/links/<id:link_id>", methods=["DELETE"])
@login_required("client", "clinician")
@blp.response(204)
def revoke(link_id: int):
    """End a care link; the clinician's access ends at once"""
    care.revoke(db.session(), current_user(), link_id)


@client_route(blp, "/course")
class Course(MethodView):
    @login_required()
    @blp.response(200, CourseSchema)
    def get(self, client_id: int | None = None):
        """Read the therapy course (phase, planned weeks, problem areas)"""
        client = client_for("course:read", client_id)
        link = care.course_link(db.session(), current_user(), client)
        return link or {}

    @login_required()
    @blp.arguments(CourseSchema)
    @blp.response(200, CourseSchema)
    def put(self, data: dict, client_id: int | None = None):
        """Set the therapy course for this client (their clinician)"""
        client = client_for("course:write", client_id)
        return care.set_course(db.session(), current_user(), client, data)
