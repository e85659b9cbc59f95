from flask import g

from api import db
from api.auth import login_required
from api.db import utcnow
from api.extensions import Blueprint
from api.ratelimits import (
    register_per_ip,
    reset_per_account,
    reset_per_ip,
    sign_in_per_account,
    sign_in_per_ip,
)
from api.resources.auth.schemas import CredentialsSchema, RegisterSchema, TokenSchema
from api.resources.auth.verification_schemas import (
    AcceptedSchema,
    ResetConfirmSchema,
    ResetRequestSchema,
    TokenOnlySchema,
    VerifiedSchema,
)
from api.services import accounts, verification
from api.services import password_reset as password_reset_service

REGISTER_ACCEPTED = (
    "Thank you. We sent a mail to this address: follow its link to verify the address. "
    "You can sign in with your email and password now."
)
RESET_ACCEPTED = (
    "If this address has an account, we sent it a link to choose a new password. "
    "The link works once and expires soon."
)

blp = Blueprint("auth", __name__, url_prefix="/auth", description="Accounts and sign-in")


@blp.route("/register", methods=["POST"])
@register_per_ip
@blp.arguments(RegisterSchema)
@blp.response(202, AcceptedSchema)
def register(data):
    """Register a client account; a link to verify the address is mailed

    The answer is the same whether or not the address already has an account (its owner is
    told by mail instead). Then sign in with the same email and password."""
    accounts.register(db.session(), **data)
    return {"message": REGISTER_ACCEPTED}


@blp.route("/verify", methods=["POST"])
@sign_in_per_ip
@blp.arguments(TokenOnlySchema)
@blp.response(200, VerifiedSchema)
def verify(data):
    """Confirm an email address with the token from the mailed link"""
    verification.verify(db.session(), data["token"])
    return {"message": "Your address is confirmed.", "email_verified": True}


@blp.route("/password-reset", methods=["POST"])
@reset_per_ip
@reset_per_account
@blp.arguments(ResetRequestSchema)
@blp.response(202, AcceptedSchema)
def password_reset(data):
    """Ask for a password-reset link by mail

    Always answers the same, whether or not the address has an account."""
    password_reset_service.request_reset(db.session(), data["email"])
    return {"message": RESET_ACCEPTED}


@blp.route("/password-reset/confirm", methods=["POST"])
@sign_in_per_ip
@blp.arguments(ResetConfirmSchema)
@blp.response(204)
def password_reset_confirm(data):
    """Set a new password with the token from the mailed link; signs out every session"""
    password_reset_service.confirm(db.session(), data["token"], data["password"])


@blp.route("/token", methods=["POST"])
@sign_in_per_ip
@sign_in_per_account
@blp.arguments(CredentialsSchema)
@blp.response(201, TokenSchema)
@blp.alt_response(
    401,
    description="Wrong email or password; or, with `otp_required: true`, the password was right "
    "and a code from the authenticator app (`otp`) is needed or was wrong",
)
def sign_in(data):
    """Sign in: exchange email, password and (when two-factor sign-in is on) a code for a token

    Staff accounts always need a code; clients when they turned two-factor sign-in on. The code
    is checked only after the password: a 401 with `otp_required: true` means the password was
    right, so ask for the code and send the same request again with `otp`."""
    plain, token = accounts.sign_in(db.session(), data["email"], data["password"], data.get("otp"))
    return {"token": plain, "expires_at": token.expires_at, "user": token.user}


@blp.route("/token", methods=["DELETE"])
@login_required()
@blp.response(204)
def sign_out():
    """Sign out: revoke the token used for this request"""
    g.current_token.revoked_at = utcnow()
    db.session().commit()
