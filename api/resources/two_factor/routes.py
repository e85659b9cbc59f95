from flask.views import MethodView

from api import db
from api.auth import current_user, login_required
from api.extensions import Blueprint
from api.ratelimits import reauth_per_token, writes_per_client
from api.resources.two_factor.schemas import (
    CodeSchema,
    DropSchema,
    EnrolmentSchema,
    PasswordSchema,
    RecoveryCodesSchema,
    TwoFactorStatusSchema,
)
from api.services import access, two_factor

blp = Blueprint(
    "two_factor",
    __name__,
    url_prefix="/me/otp",
    description="Two-factor sign-in with an authenticator app (TOTP)",
)


@blp.route("")
class TwoFactor(MethodView):
    @login_required()
    @blp.response(200, TwoFactorStatusSchema)
    def get(self):
        """Is two-factor sign-in on for me, must it be, and how many recovery codes are left"""
        session, user = db.session(), current_user()
        return {
            "enabled": two_factor.is_enabled(session, user),
            "required": access.must_use_two_factor(user),
            "recovery_codes_left": two_factor.recovery_codes_left(session, user),
        }

    @writes_per_client
    @reauth_per_token
    @login_required()
    @blp.arguments(PasswordSchema)
    @blp.response(201, EnrolmentSchema)
    def post(self, data):
        """Start enrolling an authenticator (with my password); confirm it with a code

        Any authenticator I had keeps working until the new one is confirmed."""
        enrolment = two_factor.start(db.session(), current_user(), data["password"])
        return {
            "otpauth_uri": enrolment.uri,
            "secret": enrolment.secret,
            "qr_svg": enrolment.qr_svg_data_uri,
        }

    @writes_per_client
    @reauth_per_token
    @login_required()
    @blp.arguments(DropSchema)
    @blp.response(204)
    @blp.alt_response(403, description="Staff accounts must keep two-factor sign-in")
    def delete(self, data):
        """Turn two-factor sign-in off (clients only), with my password and a current code"""
        two_factor.disable(db.session(), current_user(), data["password"], data["otp"])


@blp.route("/confirm", methods=["POST"])
@writes_per_client
@reauth_per_token
@login_required()
@blp.arguments(CodeSchema)
@blp.response(200, RecoveryCodesSchema)
@blp.alt_response(409, description="No enrolment was started (or it expired)")
def confirm(data):
    """Activate the new authenticator with a code from it; returns new recovery codes, once

    From now on sign-in needs a code; earlier recovery codes stop working."""
    return {"recovery_codes": two_factor.confirm(db.session(), current_user(), data["otp"])}
