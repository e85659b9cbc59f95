from flask import g

from api import db
from api.auth import login_required
from api.db import utcnow
from api.extensions import Blueprint
from api.ratelimits import register_per_ip, sign_in_per_account, sign_in_per_ip
from api.resources.auth.schemas import CredentialsSchema, RegisterSchema, TokenSchema
from api.resources.me.schemas import UserSchema
from api.services import accounts

blp = Blueprint("auth", __name__, url_prefix="/auth", description="Accounts and sign-in")


@blp.route("/register", methods=["POST"])
@register_per_ip
@blp.arguments(RegisterSchema)
@blp.response(201, UserSchema)
@blp.alt_response(409, description="The email is already registered")
def register(data):
    """Create a client account"""
    return accounts.register_client(db.session(), **data)


@blp.route("/token", methods=["POST"])
@sign_in_per_ip
@sign_in_per_account
@blp.arguments(CredentialsSchema)
@blp.response(201, TokenSchema)
@blp.alt_response(401, description="Wrong email or password")
def sign_in(data):
    """Sign in: exchange email and password for a bearer token"""
    plain, token = accounts.sign_in(db.session(), data["email"], data["password"])
    return {"token": plain, "expires_at": token.expires_at, "user": token.user}


@blp.route("/token", methods=["DELETE"])
@login_required()
@blp.response(204)
def sign_out():
    """Sign out: revoke the token used for this request"""
    g.current_token.revoked_at = utcnow()
    db.session().commit()
