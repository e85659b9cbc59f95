from flask import g
from flask.views import MethodView

from api import db
from api.auth import current_user, login_required
from api.extensions import Blueprint
from api.ratelimits import reset_per_ip, writes_per_client
from api.resources.auth.verification_schemas import AcceptedSchema, PasswordChangeSchema
from api.resources.me.download import personal_export_response
from api.resources.me.schemas import AccountDeleteSchema, ProfilePatchSchema, UserSchema
from api.services import accounts, erasure, verification

blp = Blueprint("me", __name__, url_prefix="/me", description="The signed-in account")


@blp.route("")
class Me(MethodView):
    @login_required()
    @blp.response(200, UserSchema)
    def get(self):
        """Read my profile"""
        return current_user()

    @writes_per_client
    @login_required()
    @blp.arguments(ProfilePatchSchema)
    @blp.response(200, UserSchema)
    def patch(self, changes):
        """Change my display name, time zone, tracked anchors or reminder times"""
        return accounts.update_profile(db.session(), current_user(), changes)

    @writes_per_client
    @login_required()
    @blp.arguments(AccountDeleteSchema)
    @blp.response(204)
    def delete(self, data):
        """Delete my account and my data (clients; the password, and a code if two-factor is on)"""
        erasure.erase(db.session(), current_user(), data["password"], data.get("otp"))


@blp.route("/export", methods=["GET"])
@login_required()
@blp.response(200, content_type="application/zip", description="Everything held about me")
def export_mine():
    """Download everything held about me as a zip of JSON and CSV files, with a README"""
    return personal_export_response(current_user())


@blp.route("/password", methods=["POST"])
@writes_per_client
@login_required()
@blp.arguments(PasswordChangeSchema)
@blp.response(204)
def change_password(data):
    """Change my password; every other session is signed out, this one stays"""
    accounts.change_password(
        db.session(),
        current_user(),
        g.current_token,
        data["current_password"],
        data["new_password"],
    )


@blp.route("/verification", methods=["POST"])
@reset_per_ip  # each request sends a mail
@login_required()
@blp.response(202, AcceptedSchema)
def resend_verification():
    """Mail me a new link to verify my address"""
    verification.resend(db.session(), current_user())
    return {"message": "We sent a new link to your address."}
